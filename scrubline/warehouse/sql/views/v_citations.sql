-- v_citations: footnotes of current documents, with the citing and the cited outlet.
-- Grain: one row per (doc_id, ordinal) of the current version. kind: endnote | source_line
-- ("Source: TASS") | inline_url (bare URL). Local-path URLs (file://, C:\...) are kept on
-- purpose and flagged by is_local_path.
with

docs as (
    select doc_id, capture_id, outlet_id, outlet_name, published_at, title
    from v_documents
),

footnotes as (
    select * from main.footnotes
),

outlets as (
    select outlet_id, name, kind from main.outlets
)

select
    f.doc_id,
    f.capture_id,
    d.title,
    d.published_at,
    d.outlet_id as citing_outlet_id,
    d.outlet_name as citing_outlet_name,
    f.ordinal,
    f.kind,
    f.marker,
    len(coalesce(f.ref_offsets, [])) as n_refs,
    f.note_text,
    f.url,
    f.url_canonical,
    f.domain,
    f.cited_outlet_id,
    o.name as cited_outlet_name,
    o.kind as cited_outlet_kind,
    f.issues,
    list_contains(coalesce(f.issues, []), 'local_file_path') as is_local_path
from footnotes as f
join docs as d using (doc_id, capture_id)
left join outlets as o on o.outlet_id = f.cited_outlet_id
