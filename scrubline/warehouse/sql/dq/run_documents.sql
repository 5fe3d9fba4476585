-- Document versions a run loaded (the denominator of its quarantined share).
SELECT count(*) FROM documents WHERE run_id = ?
