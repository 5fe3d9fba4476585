-- The batch's ledger row: its manifest and what loading it counted.
INSERT INTO batches (batch_id, run_id, staging_path, manifest, load_counts, loaded_at)
VALUES (?, ?, ?, ?, ?, now())
ON CONFLICT (batch_id) DO UPDATE SET run_id = excluded.run_id,
    staging_path = excluded.staging_path, manifest = excluded.manifest,
    load_counts = excluded.load_counts, loaded_at = excluded.loaded_at
