SELECT s.doc_id, s.capture_id, s.span_no, s.start_offset, s.end_offset, s.rule_id,
       s.rule_version, s.category
FROM removed_spans s JOIN documents d USING (doc_id, capture_id)
WHERE d.run_id = $run_id
