-- v_removals_by_rule: what each boilerplate rule version removed from current documents.
-- Grain: one row per (rule_id, rule_version, category).
with

docs as (
    select doc_id, capture_id from v_documents
),

spans as (
    select s.*, s.end_offset - s.start_offset as span_chars
    from main.removed_spans as s
    join docs using (doc_id, capture_id)
),

by_rule as (
    select
        rule_id,
        rule_version,
        category,
        count(*) as n_spans,
        count(distinct doc_id) as n_documents,
        sum(span_chars) as chars_removed,
        avg(span_chars) as avg_span_chars
    from spans
    group by rule_id, rule_version, category
)

select
    *,
    chars_removed / sum(chars_removed) over () as share_of_removed_chars
from by_rule
order by chars_removed desc, rule_id, rule_version
