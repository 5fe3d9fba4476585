SELECT c.change, c.doc_id, c.capture_id, c.previous_capture_id, c.text_changed, d.source_uri
FROM document_changes c LEFT JOIN documents d USING (doc_id, capture_id)
WHERE c.run_id = ?
ORDER BY c.change, d.source_uri, c.doc_id
