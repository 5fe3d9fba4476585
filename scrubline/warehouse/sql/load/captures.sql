-- Captures not stored yet are inserted (the staged batch holds each capture once). A capture
-- seen again keeps its first fetch: captures_seen.sql, run first, moves its last_seen_at.
INSERT INTO captures (capture_id, source_uri, source_id, fetched_at, content_type,
                      byte_size, http_status, http_headers, warc_record_id, raw_path,
                      first_run_id, last_seen_at, language_hint, outlet_hint)
SELECT s.capture_id, s.source_uri, s.source_id, s.fetched_at, s.content_type, s.byte_size,
       s.http_status, s.http_headers, s.warc_record_id, s.raw_path, s.first_run_id, s.fetched_at,
       s.language_hint, s.outlet_hint
FROM read_parquet(?) AS s
ANTI JOIN captures AS c ON c.capture_id = s.capture_id
