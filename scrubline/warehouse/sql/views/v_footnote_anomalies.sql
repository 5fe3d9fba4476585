-- v_footnote_anomalies: footnote issues in current documents, one row per issue.
-- Issues come from footnotes.py: local_file_path, no_url, malformed_url, unreferenced,
-- missing_note. Local paths are kept in footnotes on purpose; this is where they surface.
with

citations as (
    select * from v_citations
    where len(coalesce(issues, [])) > 0
),

issues as (
    select
        doc_id,
        capture_id,
        citing_outlet_id as outlet_id,
        citing_outlet_name as outlet_name,
        ordinal,
        marker,
        unnest(issues) as issue,
        url,
        note_text
    from citations
)

select * from issues
order by issue, doc_id, ordinal
