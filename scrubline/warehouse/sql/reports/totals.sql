SELECT (SELECT count(*) FROM v_documents) AS documents,
       (SELECT count(*) FROM documents) AS versions,
       (SELECT count(*) FROM documents WHERE quarantined) AS quarantined,
       (SELECT count(DISTINCT outlet_id) FROM v_documents) AS outlets,
       (SELECT count(*) FROM removed_spans JOIN v_documents USING (doc_id, capture_id))
           AS removed_spans,
       (SELECT coalesce(sum(chars_normalized - chars_clean), 0) FROM v_documents)
           AS chars_removed,
       (SELECT coalesce(sum(chars_normalized), 0) FROM v_documents) AS chars_normalized,
       (SELECT count(*) FROM v_citations) AS footnotes,
       (SELECT count(*) FROM rejects) AS rejects
