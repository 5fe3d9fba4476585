-- Parameters: run id, staged signatures file. A replaced version whose clean text did not
-- change keeps the signature it has.
INSERT INTO doc_signatures (doc_id, capture_id, signature_version, content_hash, signature,
                            is_empty, run_id, computed_at)
SELECT s.doc_id, s.capture_id, s.signature_version, s.content_hash, s.signature, s.is_empty, ?, now()
FROM read_parquet(?) s
ANTI JOIN (SELECT doc_id, capture_id FROM replaced_versions WHERE NOT text_changed) k
    ON k.doc_id = s.doc_id AND k.capture_id = s.capture_id
