SELECT a.issue, a.doc_id, coalesce(a.outlet_name, a.outlet_id) AS outlet, d.title,
       a.marker, a.url, a.note_text
FROM v_footnote_anomalies a LEFT JOIN v_documents d USING (doc_id, capture_id)
ORDER BY a.issue, a.doc_id, a.ordinal LIMIT ?
