-- Per-footnote metrics of one run ($run_id) for GE's metrics path.
WITH notes AS (
    SELECT f.doc_id, f.capture_id, f.ordinal, f.url, f.url_canonical,
           coalesce(f.issues, []::VARCHAR[]) AS issues,
           -- $local_path: scrubline.urls.LOCAL_PATH, the cleaner's own rule
           regexp_matches(f.url, $local_path)
               OR list_contains(f.issues, 'local_file_path') AS is_local_path
    FROM footnotes f JOIN documents d USING (doc_id, capture_id)
    WHERE d.run_id = $run_id
)
SELECT doc_id, capture_id, ordinal, url, is_local_path,
       list_contains(issues, 'missing_note') AS missing_note,
       list_contains(issues, 'malformed_url')
           OR (url_canonical IS NOT NULL AND NOT coalesce(is_local_path, FALSE)
               AND NOT regexp_matches(url_canonical, $url_shape)) AS malformed_url
FROM notes
ORDER BY doc_id, capture_id, ordinal
