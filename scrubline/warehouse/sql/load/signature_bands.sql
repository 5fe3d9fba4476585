-- Parameter: staged band hashes file (see doc_signatures.sql for which versions get them).
INSERT INTO signature_bands (signature_version, doc_id, capture_id, band, bucket)
SELECT s.signature_version, s.doc_id, s.capture_id, s.band, s.bucket
FROM read_parquet(?) s
ANTI JOIN (SELECT doc_id, capture_id FROM replaced_versions WHERE NOT text_changed) k
    ON k.doc_id = s.doc_id AND k.capture_id = s.capture_id
