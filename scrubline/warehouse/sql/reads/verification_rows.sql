SELECT d.doc_id, d.capture_id, d.source_uri, c.source_uri AS capture_source_uri, c.content_type,
       c.raw_path, d.decode, d.normalize_plan, d.text_normalized, d.text, d.stats,
       d.pipeline_version,
       coalesce((SELECT list({'start': s.start_offset, 'end': s.end_offset,
                              'rule_id': s.rule_id, 'rule_version': s.rule_version,
                              'category': s.category, 'text': s.removed_text}
                             ORDER BY s.start_offset)
                 FROM removed_spans s
                 WHERE s.doc_id = d.doc_id AND s.capture_id = d.capture_id), []) AS spans
FROM documents d JOIN captures c USING (capture_id)
WHERE $ids IS NULL OR list_contains($ids, d.doc_id)
ORDER BY d.source_uri, d.doc_id, d.capture_id
