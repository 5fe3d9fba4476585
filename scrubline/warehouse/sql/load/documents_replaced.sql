SELECT count(*) FROM documents d JOIN read_parquet(?) s USING (doc_id, capture_id)
