-- What clustering needs for the current version of the documents in ``wanted``.
SELECT c.doc_id, c.capture_id, s.signature, s.content_hash, c.published_at, c.fetched_at,
       c.outlet_id
FROM syn_current c
JOIN doc_signatures s ON s.doc_id = c.doc_id AND s.capture_id = c.capture_id
     AND s.signature_version = $version
WHERE c.doc_id IN (SELECT doc_id FROM wanted)
ORDER BY c.doc_id
