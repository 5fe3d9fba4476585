SELECT doc_id, capture_id, rule_id, rule_version, spans_before, spans_after, chars_before,
       chars_after
FROM span_changes WHERE run_id = ?
ORDER BY doc_id, rule_id, rule_version
