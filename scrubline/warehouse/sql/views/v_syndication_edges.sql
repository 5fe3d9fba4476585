-- v_syndication_edges: outlet -> outlet copy edges (origin outlet to copier outlet), with the
-- number of copies, clusters, mean similarity and median lag in hours where dates are known.
with copies as (
    select c.cluster_id, c.origin_at, o.outlet_id as origin_outlet_id, d.outlet_id as copier_outlet_id,
           m.similarity_to_origin, try_cast(d.published_at as timestamptz) as copied_at
    from main.syndication_clusters c
    join main.cluster_members m on m.cluster_id = c.cluster_id and m.member_rank > 0
    join main.documents d on d.doc_id = m.doc_id and d.capture_id = m.capture_id
    join main.documents o on o.doc_id = c.origin_doc_id and o.capture_id = c.origin_capture_id
    where d.outlet_id is distinct from o.outlet_id
)
select
    origin_outlet_id, copier_outlet_id,
    count(*) as n_copies,
    count(distinct cluster_id) as n_clusters,
    avg(similarity_to_origin) as mean_similarity,
    median(epoch(copied_at - origin_at) / 3600.0) as median_lag_hours
from copies
group by all
order by n_copies desc
