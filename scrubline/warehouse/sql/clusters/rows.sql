-- What clustering needs for the current version of the documents in ``wanted``.
SELECT c.doc_id, c.capture_id, s.signature, s.content_hash, d.published_at, k.fetched_at,
       d.outlet_id
FROM syn_current c
JOIN doc_signatures s ON s.doc_id = c.doc_id AND s.capture_id = c.capture_id
     AND s.signature_version = $version
JOIN documents d ON d.doc_id = c.doc_id AND d.capture_id = c.capture_id
JOIN captures k ON k.capture_id = c.capture_id
WHERE c.doc_id IN (SELECT doc_id FROM wanted)
ORDER BY c.doc_id
