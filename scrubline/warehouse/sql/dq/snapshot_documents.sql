SELECT doc_id, capture_id, run_id, source_uri, outlet_id, language, title, published_at,
       chars_normalized, chars_clean, removed_share, ruleset_version, pipeline_version
FROM documents WHERE run_id = $run_id
