SELECT rule_id, rule_version, count(DISTINCT doc_id) AS documents,
       sum(spans_after) - sum(spans_before) AS spans_delta,
       sum(chars_after) - sum(chars_before) AS chars_delta
FROM span_changes WHERE run_id = ?
GROUP BY ALL ORDER BY documents DESC, rule_id, rule_version
