SELECT rule_id, count(*)
FROM removed_spans s JOIN documents d USING (doc_id, capture_id)
WHERE d.run_id = ?
GROUP BY 1 ORDER BY 2 DESC, 1
