-- v_document_history: every loaded version of every document, oldest first.
-- Grain: one row per (doc_id, capture_id). A version is one capture (raw bytes) of a source.
-- Versions are ordered by when their bytes were last seen (captures.last_seen_at, else
-- fetched_at), then by load time; is_latest marks the newest version whatever its DQ status,
-- is_current the version v_documents shows (newest non-quarantined).
with

documents as (
    select * from main.documents
),

captures as (
    select capture_id, fetched_at, coalesce(last_seen_at, fetched_at) as seen_at
    from main.captures
),

versions as (
    select
        d.doc_id,
        d.capture_id,
        d.run_id,
        d.source_uri,
        d.outlet_id,
        d.title,
        d.published_at,
        c.fetched_at,
        c.seen_at,
        d.loaded_at,
        d.chars_normalized,
        d.chars_clean,
        d.removed_share,
        d.ruleset_version,
        d.pipeline_version,
        d.quarantined,
        d.quarantine_reason
    from documents as d
    left join captures as c using (capture_id)
),

ranked as (
    select
        *,
        row_number() over newest_first as recency,
        row_number() over (
            partition by doc_id, quarantined
            order by seen_at desc nulls last, loaded_at desc, capture_id desc
        ) as recency_in_status,
        count(*) over (partition by doc_id) as n_versions
    from versions
    window newest_first as (
        partition by doc_id order by seen_at desc nulls last, loaded_at desc, capture_id desc
    )
)

select
    doc_id,
    capture_id,
    n_versions - recency + 1 as version_no,
    n_versions,
    recency = 1 as is_latest,
    (not quarantined and recency_in_status = 1) as is_current,
    run_id,
    source_uri,
    outlet_id,
    title,
    published_at,
    fetched_at,
    seen_at,
    loaded_at,
    chars_normalized,
    chars_clean,
    removed_share,
    ruleset_version,
    pipeline_version,
    quarantined,
    quarantine_reason
from ranked
order by doc_id, version_no
