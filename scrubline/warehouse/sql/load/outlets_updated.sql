-- Registry (non-provisional) outlets of the batch that the warehouse already holds.
SELECT count(*) FROM read_parquet(?) s JOIN outlets o USING (outlet_id)
WHERE NOT s.provisional
