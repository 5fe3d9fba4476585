SELECT CAST(timezone('UTC', c.fetched_at) AS DATE) AS day,
       count(DISTINCT d.doc_id) AS documents, count(*) AS versions
FROM documents d JOIN captures c USING (capture_id)
GROUP BY day ORDER BY day
