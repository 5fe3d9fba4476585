-- Signatures stored before their band hashes were (warehouses made before migration 009).
SELECT s.doc_id, s.capture_id, s.signature
FROM doc_signatures s
ANTI JOIN (SELECT DISTINCT doc_id, capture_id FROM signature_bands WHERE signature_version = $version) b
  ON b.doc_id = s.doc_id AND b.capture_id = s.capture_id
WHERE s.signature_version = $version AND NOT s.is_empty
ORDER BY s.doc_id, s.capture_id
LIMIT $page
