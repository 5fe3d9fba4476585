SELECT run_id, flow_name, started_at, finished_at, status, scrubline_version, git_commit,
       ruleset_version, pipeline_version, parameters, counts, environment
FROM runs WHERE run_id = ?
