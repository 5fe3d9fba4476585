-- Flag the keys of quarantine_keys; the statement's result is the update count (RETURNING
-- would materialize whole rows, texts included: seconds on a 100k-document run).
UPDATE documents SET quarantined = TRUE, quarantine_reason = ?
FROM (SELECT DISTINCT doc_id, capture_id FROM quarantine_keys) k
WHERE documents.doc_id = k.doc_id AND documents.capture_id = k.capture_id
