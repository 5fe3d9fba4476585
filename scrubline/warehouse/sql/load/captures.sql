-- New captures are inserted; a capture seen again keeps its first fetch and moves last_seen_at.
INSERT INTO captures (capture_id, source_uri, source_id, fetched_at, content_type,
                      byte_size, http_status, http_headers, warc_record_id, raw_path,
                      first_run_id, last_seen_at, language_hint, outlet_hint)
SELECT capture_id, source_uri, source_id, fetched_at, content_type, byte_size,
       http_status, http_headers, warc_record_id, raw_path, first_run_id, fetched_at,
       language_hint, outlet_hint
FROM read_parquet(?)
ON CONFLICT (capture_id) DO UPDATE SET
    last_seen_at = greatest(coalesce(captures.last_seen_at, captures.fetched_at),
                            excluded.fetched_at),
    raw_path = coalesce(captures.raw_path, excluded.raw_path)
