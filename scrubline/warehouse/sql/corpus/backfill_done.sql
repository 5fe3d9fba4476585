-- Whether the backfill ``$step`` of ``$version`` is complete.
SELECT count(*) > 0 FROM corpus_backfills WHERE step = $step AND version = $version
