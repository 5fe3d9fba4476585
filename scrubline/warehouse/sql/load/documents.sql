-- Parameters: batch id, staged documents file.
INSERT INTO documents (doc_id, capture_id, run_id, source_uri, title, authors, published_at,
                       dateline, language, outlet_id, outlet_confidence, outlet_evidence,
                       metadata, metadata_evidence, decode, normalize_plan, text_normalized,
                       text, chars_normalized, chars_clean, removed_share, ruleset_version,
                       pipeline_version, stats, language_region, cleaned_with, loaded_at, quarantined,
                       batch_id)
SELECT doc_id, capture_id, run_id, source_uri, title, authors, published_at,
       dateline, language, outlet_id, outlet_confidence, outlet_evidence,
       metadata, metadata_evidence, decode, normalize_plan, text_normalized,
       text, chars_normalized, chars_clean, removed_share, ruleset_version,
       pipeline_version, stats, language_region, cleaned_with, now(), FALSE, ?
FROM read_parquet(?)
