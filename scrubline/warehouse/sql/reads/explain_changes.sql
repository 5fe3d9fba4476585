SELECT c.run_id, c.change, c.previous_capture_id, c.text_changed, c.recorded_at,
       (SELECT list({'rule_id': s.rule_id, 'rule_version': s.rule_version,
                     'spans_before': s.spans_before, 'spans_after': s.spans_after,
                     'chars_before': s.chars_before, 'chars_after': s.chars_after}
                    ORDER BY s.rule_id, s.rule_version)
        FROM span_changes s WHERE s.run_id = c.run_id
          AND s.doc_id = c.doc_id AND s.capture_id = c.capture_id) AS span_changes
FROM document_changes c WHERE c.doc_id = ? AND c.capture_id = ? ORDER BY c.recorded_at
