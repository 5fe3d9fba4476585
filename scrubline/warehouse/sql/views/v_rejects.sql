-- v_rejects: inputs the pipeline could not process, with their run.
-- Grain: one row per (run_id, source_uri, stage); n_same_error counts rows of the run
-- sharing the stage and error class, to spot systematic failures.
with

rejects as (
    select * from main.rejects
),

runs as (
    select run_id, flow_name, started_at, status from main.runs
)

select
    j.run_id,
    r.flow_name,
    r.started_at as run_started_at,
    r.status as run_status,
    j.stage,
    j.error_class,
    j.message,
    j.source_uri,
    j.capture_id,
    j.rejected_at,
    count(*) over (partition by j.run_id, j.stage, j.error_class) as n_same_error
from rejects as j
left join runs as r using (run_id)
order by j.rejected_at desc, j.source_uri
