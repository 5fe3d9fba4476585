-- v_outlet_coverage: per outlet, how much of it the warehouse holds and how it is cited.
-- Grain: one row per registry/provisional outlet, plus one row (outlet_id NULL) for
-- unattributed documents when there are any.
with

outlets as (
    select outlet_id, name, kind, country, provisional from main.outlets
),

current_docs as (
    select
        outlet_id,
        count(*) as n_documents,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        min(fetched_at) as first_fetched_at,
        max(fetched_at) as last_fetched_at,
        avg(removed_share) as avg_removed_share
    from v_documents
    group by outlet_id
),

all_versions as (
    select
        outlet_id,
        count(*) as n_versions,
        count(*) filter (where quarantined) as n_quarantined_versions
    from v_document_history
    group by outlet_id
),

cites_made as (
    select citing_outlet_id as outlet_id, count(*) as n_citations_made
    from v_citations
    group by citing_outlet_id
),

cited as (
    select cited_outlet_id as outlet_id, count(*) as n_times_cited,
           count(distinct doc_id) as n_citing_documents
    from v_citations
    where cited_outlet_id is not null
    group by cited_outlet_id
),

keys as (
    select outlet_id from outlets
    union
    select outlet_id from all_versions
)

select
    k.outlet_id,
    o.name as outlet_name,
    o.kind,
    o.country,
    o.provisional,
    coalesce(d.n_documents, 0) as n_documents,
    coalesce(v.n_versions, 0) as n_versions,
    coalesce(v.n_quarantined_versions, 0) as n_quarantined_versions,
    d.first_published_at,
    d.last_published_at,
    d.first_fetched_at,
    d.last_fetched_at,
    d.avg_removed_share,
    coalesce(m.n_citations_made, 0) as n_citations_made,
    coalesce(c.n_times_cited, 0) as n_times_cited,
    coalesce(c.n_citing_documents, 0) as n_citing_documents
from keys as k
left join outlets as o on o.outlet_id = k.outlet_id
left join current_docs as d on d.outlet_id is not distinct from k.outlet_id
left join all_versions as v on v.outlet_id is not distinct from k.outlet_id
left join cites_made as m on m.outlet_id is not distinct from k.outlet_id
left join cited as c on c.outlet_id = k.outlet_id
order by n_documents desc, k.outlet_id nulls last
