INSERT INTO quarantine_log
SELECT DISTINCT ?, doc_id, capture_id, ?, now() FROM quarantine_keys
