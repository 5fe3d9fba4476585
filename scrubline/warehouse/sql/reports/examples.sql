SELECT d.doc_id, d.title, coalesce(d.outlet_name, d.outlet_id) AS outlet,
       count(s.span_no) AS spans, d.removed_share
FROM v_documents d LEFT JOIN removed_spans s USING (doc_id, capture_id)
GROUP BY d.doc_id, d.title, d.outlet_name, d.outlet_id, d.removed_share
ORDER BY spans DESC, d.removed_share DESC, d.doc_id LIMIT ?
