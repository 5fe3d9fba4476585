WITH tables(table_name) AS (
    VALUES ('documents'), ('removed_spans'), ('footnotes'), ('links')
),
staged AS (
    SELECT t.table_name, count(*) AS batches,
           sum(coalesce(try_cast(json_extract_string(b.manifest, '$.counts.' || t.table_name)
                                 AS BIGINT), 0))::BIGINT AS staged
    FROM batches b, tables t WHERE b.run_id = $run_id GROUP BY t.table_name
),
run_docs AS (SELECT doc_id, capture_id FROM documents WHERE run_id = $run_id),
loaded(table_name, loaded) AS (
    SELECT 'documents', count(*) FROM run_docs
    UNION ALL SELECT 'removed_spans', count(*) FROM removed_spans JOIN run_docs USING (doc_id, capture_id)
    UNION ALL SELECT 'footnotes', count(*) FROM footnotes JOIN run_docs USING (doc_id, capture_id)
    UNION ALL SELECT 'links', count(*) FROM links JOIN run_docs USING (doc_id, capture_id)
)
SELECT t.table_name, coalesce(s.batches, 0) AS batches, coalesce(s.staged, 0) AS staged,
       l.loaded, l.loaded - coalesce(s.staged, 0) AS count_gap
FROM tables t LEFT JOIN staged s USING (table_name) LEFT JOIN loaded l USING (table_name)
ORDER BY t.table_name
