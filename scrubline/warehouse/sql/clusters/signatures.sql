-- The current signature of each ``syn_current`` row of ``wanted_rows``, by row id.
SELECT c.rid, s.signature
FROM syn_current c
JOIN doc_signatures s ON s.doc_id = c.doc_id AND s.capture_id = c.capture_id
     AND s.signature_version = $version
WHERE c.rid IN (SELECT rid FROM wanted_rows)
ORDER BY c.rid
