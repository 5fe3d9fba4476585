-- The current signature of each document in ``wanted``.
SELECT c.doc_id, s.signature
FROM syn_current c
JOIN doc_signatures s ON s.doc_id = c.doc_id AND s.capture_id = c.capture_id
     AND s.signature_version = $version
WHERE c.doc_id IN (SELECT doc_id FROM wanted)
