-- v_current_versions: which version of each document is current (the one v_documents shows:
-- the newest non-quarantined, in v_document_history's order), with its outlet; keys only, so
-- corpus-wide joins (syndication, template counts) read no text and sort nothing else.
-- Grain: one row per doc_id.
select doc_id, capture_id, outlet_id
from (
    select
        d.doc_id,
        d.capture_id,
        d.outlet_id,
        row_number() over (
            partition by d.doc_id
            order by coalesce(c.last_seen_at, c.fetched_at) desc nulls last, d.loaded_at desc,
                     d.capture_id desc
        ) as recency
    from main.documents as d
    left join main.captures as c using (capture_id)
    where not d.quarantined
)
where recency = 1
