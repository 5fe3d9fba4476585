-- scrubline warehouse schema v4: provenance you can audit, incremental runs you can read.
-- Additive only (new tables, nullable columns).

-- The hints a manifest gave a capture (language, outlet): re-cleaning a stored capture
-- (``scrubline reprocess``) needs them to clean it the way it was cleaned.
ALTER TABLE captures ADD COLUMN IF NOT EXISTS language_hint VARCHAR;
ALTER TABLE captures ADD COLUMN IF NOT EXISTS outlet_hint VARCHAR;

-- Versions of the libraries that shape output (extractor, ftfy, duckdb, prefect, ...) per run.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS environment JSON;

-- What each load changed, per document. change: new (unknown doc_id) | changed (a new
-- capture of a known doc_id: a new version) | recleaned (same capture, different output,
-- e.g. after a rule change). Unchanged documents get no row, so a repeated run adds nothing.
CREATE TABLE IF NOT EXISTS document_changes (
    run_id              VARCHAR NOT NULL,
    batch_id            VARCHAR NOT NULL,
    doc_id              VARCHAR NOT NULL,
    capture_id          VARCHAR NOT NULL,
    change              VARCHAR NOT NULL,
    previous_capture_id VARCHAR,             -- changed: the version that was the latest
    text_changed        BOOLEAN,             -- recleaned: the clean text differs
    recorded_at         TIMESTAMPTZ NOT NULL
);

-- For recleaned documents: removed spans before and after, per rule id and version.
CREATE TABLE IF NOT EXISTS span_changes (
    run_id        VARCHAR NOT NULL,
    doc_id        VARCHAR NOT NULL,
    capture_id    VARCHAR NOT NULL,
    rule_id       VARCHAR NOT NULL,
    rule_version  INTEGER NOT NULL,
    spans_before  INTEGER NOT NULL,
    spans_after   INTEGER NOT NULL,
    chars_before  INTEGER NOT NULL,
    chars_after   INTEGER NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL
);
