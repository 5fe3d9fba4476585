INSERT INTO removed_spans (doc_id, capture_id, span_no, start_offset, end_offset, rule_id,
                           rule_version, category, removed_text, evidence)
SELECT doc_id, capture_id, span_no, start_offset, end_offset, rule_id,
       rule_version, category, removed_text, evidence
FROM read_parquet(?)
