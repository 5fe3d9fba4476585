UPDATE runs SET status = ?, counts = ?, finished_at = now() WHERE run_id = ?
RETURNING run_id
