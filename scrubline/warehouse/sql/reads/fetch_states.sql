-- The latest capture of every http(s) source, with its validators for conditional GETs.
SELECT source_uri, capture_id, http_headers->>'etag', http_headers->>'last-modified'
FROM captures WHERE source_uri LIKE 'http://%' OR source_uri LIKE 'https://%'
QUALIFY row_number() OVER (PARTITION BY source_uri
                           ORDER BY coalesce(last_seen_at, fetched_at) DESC) = 1
