-- v_documents: the current version of each document, for analysts.
-- Grain: one row per doc_id. Current = newest non-quarantined version (see
-- v_document_history.is_current): a quarantined newer capture falls back to the previous good
-- one instead of hiding the document. Carries the outlet name and the capture's fetch time.
with

current_versions as (
    select doc_id, capture_id, version_no, n_versions, fetched_at
    from v_document_history
    where is_current
),

documents as (
    select * from main.documents
),

outlets as (
    select outlet_id, name as outlet_name, kind as outlet_kind, country as outlet_country,
           provisional as outlet_provisional
    from main.outlets
)

select
    d.doc_id,
    d.capture_id,
    v.version_no,
    v.n_versions,
    d.run_id,
    d.source_uri,
    d.outlet_id,
    o.outlet_name,
    o.outlet_kind,
    o.outlet_country,
    o.outlet_provisional,
    d.outlet_confidence,
    d.title,
    d.authors,
    d.published_at,
    d.dateline,
    d.language,
    d.language_region,
    d.text,
    d.chars_normalized,
    d.chars_clean,
    d.removed_share,
    v.fetched_at,
    d.loaded_at,
    d.ruleset_version,
    d.pipeline_version
from current_versions as v
join documents as d using (doc_id, capture_id)
left join outlets as o using (outlet_id)
