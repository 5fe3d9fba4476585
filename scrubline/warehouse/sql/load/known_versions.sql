-- How many of a staged batch's versions are loaded already (keys only: no text is read).
SELECT count(*) FROM documents d SEMI JOIN read_parquet(?) s
    ON s.doc_id = d.doc_id AND s.capture_id = d.capture_id
