SELECT capture_id, version_no, is_latest, is_current, run_id, fetched_at, loaded_at,
       ruleset_version, quarantined
FROM v_document_history WHERE doc_id = ? ORDER BY version_no
