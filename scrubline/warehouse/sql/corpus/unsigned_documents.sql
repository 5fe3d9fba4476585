-- Document versions without a signature of the given version yet.
SELECT d.doc_id, d.capture_id, d.text
FROM documents d ANTI JOIN doc_signatures s
  ON s.doc_id = d.doc_id AND s.capture_id = d.capture_id AND s.signature_version = ?
ORDER BY d.doc_id, d.capture_id
