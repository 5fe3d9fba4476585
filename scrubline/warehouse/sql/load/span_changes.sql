INSERT INTO span_changes
WITH staged AS (SELECT doc_id, capture_id FROM read_parquet($docs)),
known AS (SELECT doc_id, capture_id FROM documents JOIN staged USING (doc_id, capture_id)),
old AS (
    SELECT doc_id, capture_id, rule_id, rule_version, count(*) AS n,
           sum(end_offset - start_offset) AS chars,
           list([start_offset, end_offset] ORDER BY start_offset) AS offsets
    FROM removed_spans JOIN known USING (doc_id, capture_id) GROUP BY ALL
),
new AS (
    SELECT doc_id, capture_id, rule_id, rule_version, count(*) AS n,
           sum(end_offset - start_offset) AS chars,
           list([start_offset, end_offset] ORDER BY start_offset) AS offsets
    FROM read_parquet($spans) JOIN known USING (doc_id, capture_id) GROUP BY ALL
)
SELECT $run_id, coalesce(o.doc_id, n.doc_id), coalesce(o.capture_id, n.capture_id),
       coalesce(o.rule_id, n.rule_id), coalesce(o.rule_version, n.rule_version),
       coalesce(o.n, 0), coalesce(n.n, 0), coalesce(o.chars, 0), coalesce(n.chars, 0), now()
FROM old o FULL OUTER JOIN new n
  ON o.doc_id = n.doc_id AND o.capture_id = n.capture_id AND o.rule_id = n.rule_id
     AND o.rule_version = n.rule_version
WHERE o.offsets IS DISTINCT FROM n.offsets
