SELECT source_uri, source_id, fetched_at, last_seen_at, content_type, byte_size,
       http_status, http_headers, warc_record_id, raw_path, first_run_id, language_hint,
       outlet_hint
FROM captures WHERE capture_id = ?
