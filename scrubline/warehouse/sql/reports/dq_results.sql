SELECT q.run_id, r.started_at, q.suite,
       coalesce(q.expectation_name, q.expectation) AS name, q.expectation,
       q.column_name, q.severity, q.success, q.error, q.unexpected_count,
       q.element_count, q.observed_value
FROM dq_results q LEFT JOIN runs r USING (run_id)
ORDER BY r.started_at NULLS LAST, q.run_id, q.suite, name
