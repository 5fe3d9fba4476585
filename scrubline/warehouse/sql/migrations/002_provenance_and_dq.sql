-- scrubline warehouse schema v2: batch provenance, version ordering, richer DQ results.
-- Additive only (new tables, nullable columns) so code written against v1 keeps working.

-- When a capture (same raw bytes) was last seen: orders document versions so that content
-- going A -> B -> A makes A the latest again. fetched_at stays the first fetch.
ALTER TABLE captures ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMPTZ;

-- Which staged batch wrote the document row, and the per-document stats of the cleaner.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS batch_id VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS stats JSON;

-- One row per staged batch loaded: re-loading the same batch updates this row only.
CREATE TABLE IF NOT EXISTS batches (
    batch_id     VARCHAR PRIMARY KEY,        -- sha256 over the staged Parquet files
    run_id       VARCHAR NOT NULL,
    staging_path VARCHAR NOT NULL,
    manifest     JSON NOT NULL,              -- counts written by staging.write_batch
    load_counts  JSON,                       -- what load_batch did (new / replaced ...)
    loaded_at    TIMESTAMPTZ NOT NULL
);

-- Every quarantine decision, kept even after the document row is replaced by a reload.
CREATE TABLE IF NOT EXISTS quarantine_log (
    run_id         VARCHAR NOT NULL,
    doc_id         VARCHAR NOT NULL,
    capture_id     VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL
);

-- dq_results: a stable name per expectation (several of one type per column), the GE
-- data path it ran on (sql | metrics), counts, and the error when GE could not evaluate it.
ALTER TABLE dq_results ADD COLUMN IF NOT EXISTS expectation_name VARCHAR;
ALTER TABLE dq_results ADD COLUMN IF NOT EXISTS data_path VARCHAR;
ALTER TABLE dq_results ADD COLUMN IF NOT EXISTS element_count BIGINT;
ALTER TABLE dq_results ADD COLUMN IF NOT EXISTS unexpected_count BIGINT;
ALTER TABLE dq_results ADD COLUMN IF NOT EXISTS error VARCHAR;
