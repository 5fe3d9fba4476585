-- Captures a pending run wrote or saw again: first fetched by it, behind a document version
-- it loaded, or behind one of its rejects.
SELECT capture_id FROM {src}.main.captures WHERE first_run_id IN (SELECT run_id FROM pending_runs)
UNION
SELECT capture_id FROM pending_docs
UNION
SELECT capture_id FROM {src}.main.rejects
WHERE run_id IN (SELECT run_id FROM pending_runs) AND capture_id IS NOT NULL
