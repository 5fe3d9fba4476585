-- Parameter: staged template lines file. A replaced version whose normalized text did not
-- change keeps the lines it has.
INSERT INTO template_lines (doc_id, capture_id, text, zone)
SELECT s.doc_id, s.capture_id, s.text, s.zone
FROM read_parquet(?) s
ANTI JOIN (SELECT doc_id, capture_id FROM replaced_versions WHERE NOT normalized_changed) k
    ON k.doc_id = s.doc_id AND k.capture_id = s.capture_id
