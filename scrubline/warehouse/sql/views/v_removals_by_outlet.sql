-- v_removals_by_outlet: removed text per outlet and category, over current documents.
-- Grain: one row per (outlet_id, category); outlet_id NULL = unattributed documents.
with

docs as (
    select doc_id, capture_id, outlet_id, outlet_name, removed_share from v_documents
),

spans as (
    select d.outlet_id, d.outlet_name, s.category, s.doc_id,
           s.end_offset - s.start_offset as span_chars
    from main.removed_spans as s
    join docs as d using (doc_id, capture_id)
),

outlet_docs as (
    select outlet_id, count(*) as n_outlet_documents, avg(removed_share) as avg_removed_share
    from docs
    group by outlet_id
),

by_category as (
    select
        outlet_id,
        any_value(outlet_name) as outlet_name,
        category,
        count(*) as n_spans,
        count(distinct doc_id) as n_documents,
        sum(span_chars) as chars_removed
    from spans
    group by outlet_id, category
)

select
    c.outlet_id,
    c.outlet_name,
    c.category,
    c.n_spans,
    c.n_documents,
    c.chars_removed,
    o.n_outlet_documents,
    o.avg_removed_share
from by_category as c
left join outlet_docs as o on o.outlet_id is not distinct from c.outlet_id
order by c.outlet_id nulls last, c.chars_removed desc
