-- LSH candidate pairs (row id of a document of ``wanted``, row id of a current document
-- sharing a band bucket with it), unverified, as ``syn_current`` row ids. A bucket
-- contributes at most $cap members (by doc_id): mass duplicates share every bucket, and a
-- few of them connect a new copy to their cluster as well as all would. The band rows in the
-- wanted documents' buckets are found by an integer semi join before any join on the text
-- keys: the band table has 32 rows per signature.
WITH q AS (
    SELECT c.rid, b.band, b.bucket
    FROM signature_bands b
    JOIN syn_current c ON c.doc_id = b.doc_id AND c.capture_id = b.capture_id
    WHERE b.signature_version = $version AND b.doc_id IN (SELECT doc_id FROM wanted)
),
shared AS MATERIALIZED (
    SELECT b.doc_id, b.capture_id, b.band, b.bucket
    FROM signature_bands b
    SEMI JOIN q ON q.band = b.band AND q.bucket = b.bucket
    WHERE b.signature_version = $version
),
hits AS (
    SELECT c.rid, s.band, s.bucket,
           row_number() OVER (PARTITION BY s.band, s.bucket ORDER BY s.doc_id) AS rn
    FROM shared s
    JOIN syn_current c ON c.doc_id = s.doc_id AND c.capture_id = s.capture_id
)
SELECT DISTINCT q.rid AS a, h.rid AS b
FROM q JOIN hits h ON h.band = q.band AND h.bucket = q.bucket
WHERE h.rn <= $cap AND h.rid <> q.rid
ORDER BY 1, 2
