-- Record a run as running; a restarted run id is reset to running.
INSERT INTO runs (run_id, flow_name, started_at, status, scrubline_version,
                  git_commit, ruleset_version, pipeline_version, parameters)
VALUES (?, ?, now(), 'running', ?, ?, ?, ?, ?)
ON CONFLICT (run_id) DO UPDATE SET
    status = 'running', finished_at = NULL, flow_name = excluded.flow_name,
    scrubline_version = excluded.scrubline_version,
    git_commit = excluded.git_commit, ruleset_version = excluded.ruleset_version,
    pipeline_version = excluded.pipeline_version, parameters = excluded.parameters
