SELECT capture_id, source_uri, source_id, fetched_at, content_type, byte_size,
       http_status, first_run_id
FROM captures
WHERE first_run_id = $run_id
   OR capture_id IN (SELECT capture_id FROM documents WHERE run_id = $run_id)
