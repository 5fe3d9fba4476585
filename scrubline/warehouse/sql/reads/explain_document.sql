-- The document a reference names: the given version ($capture_id), else the latest version
-- whose doc_id is $ref, starts with it, or whose source URI contains it.
SELECT d.doc_id, d.capture_id, d.source_uri, d.title, d.authors, d.published_at, d.dateline,
       d.language, d.outlet_id, d.outlet_confidence, d.outlet_evidence, d.metadata_evidence,
       d.decode, d.normalize_plan, d.text_normalized, d.text, d.ruleset_version,
       d.pipeline_version, d.run_id, d.quarantined, d.quarantine_reason, d.stats, d.loaded_at
FROM documents d JOIN captures c USING (capture_id)
WHERE CASE WHEN $capture_id IS NULL
           THEN d.doc_id = $ref OR d.doc_id LIKE $ref || '%' OR d.source_uri LIKE '%' || $ref || '%'
           ELSE d.doc_id = $ref AND d.capture_id = $capture_id END
ORDER BY coalesce(c.last_seen_at, c.fetched_at) DESC
LIMIT 1
