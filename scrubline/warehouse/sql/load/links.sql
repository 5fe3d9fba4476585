INSERT INTO links (doc_id, capture_id, position, url, anchor, url_canonical, domain)
SELECT doc_id, capture_id, position, url, anchor, url_canonical, domain
FROM read_parquet(?)
