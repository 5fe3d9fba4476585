-- v_dq_history: data-quality outcome per run and suite, newest run first.
-- Grain: one row per (run_id, suite). failed_* list the expectation names that failed.
with

results as (
    select *, coalesce(expectation_name, expectation) as name from main.dq_results
),

runs as (
    select run_id, flow_name, started_at, status from main.runs
),

by_suite as (
    select
        run_id,
        suite,
        count(*) as n_expectations,
        count(*) filter (where not success) as n_failed,
        count(*) filter (where not success and severity = 'critical') as n_failed_critical,
        count(*) filter (where not success and severity = 'warning') as n_failed_warning,
        count(*) filter (where error is not null) as n_errors,
        list(name order by name) filter (where not success and severity = 'critical')
            as failed_critical,
        list(name order by name) filter (where not success and severity = 'warning')
            as failed_warning,
        max(evaluated_at) as evaluated_at
    from results
    group by run_id, suite
)

select
    s.run_id,
    r.flow_name,
    r.started_at,
    r.status as run_status,
    s.suite,
    s.n_expectations,
    s.n_failed,
    s.n_failed_critical,
    s.n_failed_warning,
    s.n_errors,
    s.failed_critical,
    s.failed_warning,
    s.evaluated_at
from by_suite as s
left join runs as r using (run_id)
order by s.evaluated_at desc, s.suite
