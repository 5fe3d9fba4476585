-- The current documents of every outlet with at least ? of them: template mining's input.
SELECT d.outlet_id, d.doc_id, d.text_normalized
FROM v_documents v JOIN documents d USING (doc_id, capture_id)
WHERE v.outlet_id IN (SELECT outlet_id FROM v_documents WHERE outlet_id IS NOT NULL
                      GROUP BY 1 HAVING count(*) >= ?)
ORDER BY d.outlet_id, d.doc_id
