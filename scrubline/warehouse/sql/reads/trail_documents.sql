SELECT d.doc_id, d.capture_id, d.source_uri, d.title, d.outlet_id, d.outlet_confidence,
       d.ruleset_version, d.pipeline_version, d.chars_normalized, d.chars_clean, d.loaded_at,
       c.fetched_at, c.byte_size, c.content_type, c.http_status, c.raw_path,
       (SELECT count(*) FROM removed_spans s WHERE s.doc_id = d.doc_id
        AND s.capture_id = d.capture_id) AS removed_spans
FROM documents d JOIN captures c USING (capture_id) WHERE d.run_id = ?
ORDER BY d.source_uri, d.doc_id
