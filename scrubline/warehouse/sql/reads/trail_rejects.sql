SELECT source_uri, stage, error_class, message FROM rejects
WHERE run_id = ? ORDER BY source_uri
