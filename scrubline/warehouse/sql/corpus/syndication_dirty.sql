-- Documents whose stored clustering is out of date: the current, non-quarantined, non-empty
-- signed version differs from the one the clusters were computed over (new and changed
-- versions), or a version in syndication_state is no longer current (superseded, quarantined).
WITH cur AS (
    SELECT v.doc_id, v.capture_id
    FROM v_current_versions v
    JOIN doc_signatures s ON s.doc_id = v.doc_id AND s.capture_id = v.capture_id
         AND s.signature_version = $version AND NOT s.is_empty
),
st AS (
    SELECT doc_id, capture_id FROM syndication_state WHERE signature_version = $version
)
SELECT doc_id FROM (SELECT * FROM cur EXCEPT SELECT * FROM st)
UNION
SELECT doc_id FROM (SELECT * FROM st EXCEPT SELECT * FROM cur)
ORDER BY doc_id
