-- Corpus size after each run: documents whose first capture a run up to then brought in.
WITH first_seen AS (
    SELECT d.doc_id, min(r.started_at) AS first_seen
    FROM documents d
    JOIN captures c USING (capture_id)
    JOIN runs r ON r.run_id = c.first_run_id
    GROUP BY d.doc_id
)
SELECT r.run_id, r.started_at, r.status, count(f.doc_id) AS corpus_size
FROM runs r LEFT JOIN first_seen f ON f.first_seen <= r.started_at
GROUP BY r.run_id, r.started_at, r.status
ORDER BY r.started_at
