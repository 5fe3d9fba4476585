-- Runs still marked running, other than the current one (call under the write lock).
UPDATE runs SET status = 'abandoned' WHERE status = 'running' AND run_id <> ?
RETURNING run_id
