INSERT INTO document_changes
WITH staged AS (SELECT doc_id, capture_id, text FROM read_parquet($docs)),
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
       CASE WHEN l.doc_id IS NULL THEN 'new' WHEN o.doc_id IS NULL THEN 'changed'
            ELSE 'recleaned' END,
       CASE WHEN o.doc_id IS NULL THEN l.capture_id END,
       CASE WHEN o.doc_id IS NOT NULL THEN o.text IS DISTINCT FROM s.text END,
       now()
FROM staged s
LEFT JOIN latest l ON l.doc_id = s.doc_id
LEFT JOIN documents o ON o.doc_id = s.doc_id AND o.capture_id = s.capture_id
WHERE o.doc_id IS NULL OR o.text IS DISTINCT FROM s.text
   OR EXISTS (SELECT 1 FROM span_changes c WHERE c.run_id = $run_id
              AND c.doc_id = s.doc_id AND c.capture_id = s.capture_id)
