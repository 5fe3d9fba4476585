-- v_outlet_citation_edges: the outlet -> cited outlet graph, as an edge list.
-- Grain: one row per (citing_outlet_id, cited_outlet_id); only footnotes whose domain resolved
-- to a known outlet make an edge; citing_outlet_id NULL = unattributed documents.
with

citations as (
    select * from v_citations
    where cited_outlet_id is not null
),

edges as (
    select
        citing_outlet_id,
        any_value(citing_outlet_name) as citing_outlet_name,
        cited_outlet_id,
        any_value(cited_outlet_name) as cited_outlet_name,
        count(*) as n_citations,
        count(distinct doc_id) as n_documents,
        list(distinct domain order by domain) as domains
    from citations
    group by citing_outlet_id, cited_outlet_id
)

select * from edges
order by n_citations desc, citing_outlet_id nulls last, cited_outlet_id
