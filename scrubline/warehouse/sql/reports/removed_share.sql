SELECT doc_id, title, outlet_id, outlet_name, removed_share
FROM v_documents ORDER BY outlet_id NULLS LAST, doc_id
