-- Record the backfill ``$step`` of ``$version`` as complete (again: a no-op).
INSERT INTO corpus_backfills VALUES ($step, $version, now()) ON CONFLICT DO NOTHING
