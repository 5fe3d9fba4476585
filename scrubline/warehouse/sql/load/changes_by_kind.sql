SELECT change, count(*) FROM document_changes WHERE run_id = ? AND batch_id = ?
GROUP BY 1
