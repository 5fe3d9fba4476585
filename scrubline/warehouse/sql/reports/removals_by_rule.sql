SELECT s.rule_id, s.rule_version, count(*) AS spans,
       count(DISTINCT s.doc_id) AS documents,
       sum(s.end_offset - s.start_offset) AS chars_removed
FROM removed_spans s JOIN v_documents d USING (doc_id, capture_id)
GROUP BY s.rule_id, s.rule_version
ORDER BY chars_removed DESC, s.rule_id, s.rule_version
