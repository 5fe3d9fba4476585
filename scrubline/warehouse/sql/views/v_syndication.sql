-- v_syndication: near-duplicate clusters spanning two outlets or more, one row per member,
-- origin first (the earliest published, else fetched, version). Who copied whom.
with clusters as (
    select * from main.syndication_clusters where n_outlets >= 2
),
members as (
    select cluster_id, doc_id, capture_id, member_rank, similarity_to_origin, is_exact_duplicate
    from main.cluster_members
),
docs as (
    select doc_id, capture_id, outlet_id, title, published_at, source_uri from main.documents
)
select
    c.cluster_id, c.n_members, c.n_outlets, c.origin_at, c.origin_basis,
    o.outlet_id as origin_outlet_id, o.title as origin_title,
    m.member_rank, m.doc_id, d.outlet_id, d.title, d.published_at, d.source_uri,
    m.similarity_to_origin, m.is_exact_duplicate, m.doc_id = c.origin_doc_id as is_origin
from clusters c
join members m using (cluster_id)
join docs d on d.doc_id = m.doc_id and d.capture_id = m.capture_id
join docs o on o.doc_id = c.origin_doc_id and o.capture_id = c.origin_capture_id
order by c.n_outlets desc, c.cluster_id, m.member_rank
