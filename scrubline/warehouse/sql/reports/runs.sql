SELECT run_id, flow_name, status, started_at, finished_at, scrubline_version,
       git_commit, ruleset_version, pipeline_version, counts
FROM runs ORDER BY started_at
