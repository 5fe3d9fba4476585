SELECT d.doc_id, d.capture_id, d.source_uri, c.source_uri AS capture_source_uri, c.source_id,
       c.fetched_at, c.content_type, c.http_status, c.http_headers, c.warc_record_id,
       c.raw_path, c.language_hint, c.outlet_hint
FROM documents d JOIN captures c USING (capture_id)
WHERE $ids IS NULL OR list_contains($ids, d.doc_id)
ORDER BY d.source_uri, d.doc_id, c.fetched_at, d.capture_id
