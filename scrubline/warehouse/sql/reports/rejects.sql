SELECT run_started_at, stage, error_class, message, source_uri, n_same_error
FROM v_rejects LIMIT ?
