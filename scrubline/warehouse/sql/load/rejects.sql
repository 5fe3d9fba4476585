-- Append rejects, skipping ones already recorded for the same run, source and stage.
INSERT INTO rejects (run_id, source_uri, capture_id, stage, error_class, message,
                     rejected_at)
SELECT s.run_id, s.source_uri, s.capture_id, s.stage, s.error_class, s.message,
       s.rejected_at
FROM read_parquet(?) s
WHERE NOT EXISTS (SELECT 1 FROM rejects r WHERE r.run_id = s.run_id
                  AND r.source_uri = s.source_uri AND r.stage = s.stage)
