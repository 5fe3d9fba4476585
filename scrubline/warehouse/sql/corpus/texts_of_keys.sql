-- The clean and the normalized text of the document versions in ``keys`` (doc_id, capture_id).
SELECT d.doc_id, d.capture_id, d.text, d.text_normalized
FROM documents d SEMI JOIN keys k ON k.doc_id = d.doc_id AND k.capture_id = d.capture_id
ORDER BY d.doc_id, d.capture_id
