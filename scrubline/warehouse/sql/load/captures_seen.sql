-- A stored capture seen again: its last_seen_at moves on, a missing raw store path is filled in.
UPDATE captures AS c
SET last_seen_at = greatest(coalesce(c.last_seen_at, c.fetched_at), s.fetched_at),
    raw_path = coalesce(c.raw_path, s.raw_path)
FROM read_parquet(?) AS s
WHERE c.capture_id = s.capture_id
