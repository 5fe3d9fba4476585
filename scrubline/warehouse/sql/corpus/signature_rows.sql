-- What clustering needs for the current, non-quarantined version of the documents in
-- ``wanted``.
SELECT v.doc_id, v.capture_id, s.signature, s.content_hash, d.published_at, c.fetched_at,
       v.outlet_id
FROM v_current_versions v
JOIN documents d ON d.doc_id = v.doc_id AND d.capture_id = v.capture_id
JOIN doc_signatures s ON s.doc_id = v.doc_id AND s.capture_id = v.capture_id
     AND s.signature_version = ? AND NOT s.is_empty
JOIN captures c ON c.capture_id = v.capture_id
WHERE v.doc_id IN (SELECT doc_id FROM wanted)
ORDER BY v.doc_id
