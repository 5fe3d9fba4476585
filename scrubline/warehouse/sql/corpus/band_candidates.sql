-- LSH candidates of the documents in ``wanted``: current documents sharing a band bucket with
-- one of them. A bucket contributes at most $cap members (by doc_id): mass duplicates share
-- every bucket, and a few of them connect a new copy to their cluster as well as all would.
WITH cur AS (
    SELECT doc_id, capture_id FROM v_current_versions
),
q AS (
    SELECT b.doc_id, b.band, b.bucket
    FROM signature_bands b
    JOIN cur USING (doc_id, capture_id)
    WHERE b.signature_version = $version AND b.doc_id IN (SELECT doc_id FROM wanted)
),
hits AS (
    SELECT b.doc_id, b.band, b.bucket,
           row_number() OVER (PARTITION BY b.band, b.bucket ORDER BY b.doc_id) AS rn
    FROM signature_bands b
    JOIN cur USING (doc_id, capture_id)
    SEMI JOIN q ON q.band = b.band AND q.bucket = b.bucket
    WHERE b.signature_version = $version
)
SELECT DISTINCT h.doc_id
FROM q JOIN hits h ON h.band = q.band AND h.bucket = q.bucket
WHERE h.rn <= $cap AND h.doc_id <> q.doc_id
ORDER BY 1
