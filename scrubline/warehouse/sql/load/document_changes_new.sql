-- document_changes for a batch none of whose versions is loaded yet (the usual case): each is
-- new (unknown doc_id) or changed (a new version of a known one); no clean text needs
-- comparing, so the documents' texts are not read (document_changes.sql reads them).
INSERT INTO document_changes
WITH staged AS (SELECT doc_id, capture_id FROM read_parquet($docs)),
latest AS (
    SELECT d.doc_id, d.capture_id
    FROM documents d JOIN captures c USING (capture_id)
    WHERE d.doc_id IN (SELECT doc_id FROM staged)
    QUALIFY row_number() OVER (
        PARTITION BY d.doc_id
        ORDER BY coalesce(c.last_seen_at, c.fetched_at) DESC, d.loaded_at DESC, d.capture_id DESC
    ) = 1
)
SELECT $run_id, $batch_id, s.doc_id, s.capture_id,
       CASE WHEN l.doc_id IS NULL THEN 'new' ELSE 'changed' END,
       l.capture_id, NULL, now()
FROM staged s
LEFT JOIN latest l ON l.doc_id = s.doc_id
