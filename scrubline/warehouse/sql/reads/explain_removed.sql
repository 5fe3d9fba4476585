SELECT start_offset, end_offset, rule_id, rule_version, category, removed_text, evidence
FROM removed_spans WHERE doc_id = ? AND capture_id = ? ORDER BY start_offset
