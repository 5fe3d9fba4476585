-- v_citations_by_domain: how often each cited domain appears across current documents.
-- Grain: one row per (domain, cited outlet). Footnotes without a domain are left out.
with

citations as (
    select * from v_citations
    where domain is not null
),

by_domain as (
    select
        domain,
        cited_outlet_id,
        any_value(cited_outlet_name) as cited_outlet_name,
        count(*) as n_citations,
        count(distinct doc_id) as n_documents,
        count(distinct citing_outlet_id) as n_citing_outlets,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from citations
    group by domain, cited_outlet_id
)

select * from by_domain
order by n_citations desc, domain
