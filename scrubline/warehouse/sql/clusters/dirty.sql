-- Documents whose stored clustering is out of date: the current signed version (syn_current)
-- differs from the one the clusters were computed over (new and changed versions), or a
-- version in syndication_state is no longer current (superseded, quarantined).
WITH st AS (
    SELECT doc_id, capture_id FROM syndication_state WHERE signature_version = $version
),
cur AS (
    SELECT doc_id, capture_id FROM syn_current
)
SELECT doc_id FROM (SELECT * FROM cur EXCEPT SELECT * FROM st)
UNION
SELECT doc_id FROM (SELECT * FROM st EXCEPT SELECT * FROM cur)
ORDER BY doc_id
