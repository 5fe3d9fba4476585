-- scrubline warehouse schema v1.
-- Source of truth for the warehouse: applied in order by scrubline.warehouse.migrate().
-- Offsets are code points, half-open [start, end).

CREATE TABLE IF NOT EXISTS runs (
    run_id            VARCHAR PRIMARY KEY,   -- Prefect flow run id, or a uuid for local runs
    flow_name         VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,      -- running | completed | failed
    scrubline_version VARCHAR NOT NULL,
    git_commit        VARCHAR,
    ruleset_version   VARCHAR NOT NULL,
    pipeline_version  VARCHAR NOT NULL,
    parameters        JSON,
    counts            JSON                   -- inputs, documents, rejects, spans, footnotes ...
);

CREATE TABLE IF NOT EXISTS captures (
    capture_id     VARCHAR PRIMARY KEY,      -- sha256 of the raw bytes
    source_uri     VARCHAR NOT NULL,
    source_id      VARCHAR,
    fetched_at     TIMESTAMPTZ NOT NULL,
    content_type   VARCHAR,
    byte_size      BIGINT NOT NULL,
    http_status    INTEGER,
    http_headers   JSON,
    warc_record_id VARCHAR,
    raw_path       VARCHAR,                  -- where the bytes live in the raw store
    first_run_id   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS outlets (
    outlet_id     VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    abbreviations VARCHAR[],
    domains       VARCHAR[],
    country       VARCHAR,
    kind          VARCHAR,
    language      VARCHAR,
    provisional   BOOLEAN NOT NULL DEFAULT FALSE,
    notes         VARCHAR
);

CREATE TABLE IF NOT EXISTS documents (
    doc_id             VARCHAR NOT NULL,     -- stable per source
    capture_id         VARCHAR NOT NULL,     -- the version: sha256 of the raw bytes
    run_id             VARCHAR NOT NULL,
    source_uri         VARCHAR NOT NULL,
    title              VARCHAR,
    authors            VARCHAR[],
    published_at       VARCHAR,
    dateline           VARCHAR,
    language           VARCHAR,
    outlet_id          VARCHAR,
    outlet_confidence  DOUBLE,
    outlet_evidence    JSON,
    metadata           JSON,
    metadata_evidence  JSON,
    decode             JSON,                 -- charset decision and its evidence
    normalize_plan     VARCHAR[],            -- ftfy steps that changed the text
    text_normalized    VARCHAR NOT NULL,
    text               VARCHAR NOT NULL,
    chars_normalized   INTEGER NOT NULL,
    chars_clean        INTEGER NOT NULL,
    removed_share      DOUBLE NOT NULL,
    ruleset_version    VARCHAR NOT NULL,
    pipeline_version   VARCHAR NOT NULL,
    loaded_at          TIMESTAMPTZ NOT NULL,
    quarantined        BOOLEAN NOT NULL DEFAULT FALSE,
    quarantine_reason  VARCHAR,
    PRIMARY KEY (doc_id, capture_id)
);

CREATE TABLE IF NOT EXISTS removed_spans (
    doc_id        VARCHAR NOT NULL,
    capture_id    VARCHAR NOT NULL,
    span_no       INTEGER NOT NULL,
    start_offset  INTEGER NOT NULL,
    end_offset    INTEGER NOT NULL,
    rule_id       VARCHAR NOT NULL,
    rule_version  INTEGER NOT NULL,
    category      VARCHAR NOT NULL,
    removed_text  VARCHAR NOT NULL,
    evidence      VARCHAR,
    PRIMARY KEY (doc_id, capture_id, span_no)
);

CREATE TABLE IF NOT EXISTS footnotes (
    doc_id          VARCHAR NOT NULL,
    capture_id      VARCHAR NOT NULL,
    ordinal         INTEGER NOT NULL,
    marker          VARCHAR NOT NULL,
    ref_offsets     INTEGER[],               -- marker starts in the clean text
    note_text       VARCHAR,
    url             VARCHAR,
    url_canonical   VARCHAR,
    domain          VARCHAR,
    cited_outlet_id VARCHAR,
    issues          VARCHAR[],
    PRIMARY KEY (doc_id, capture_id, ordinal)
);

CREATE TABLE IF NOT EXISTS links (
    doc_id        VARCHAR NOT NULL,
    capture_id    VARCHAR NOT NULL,
    position      INTEGER NOT NULL,
    url           VARCHAR NOT NULL,
    anchor        VARCHAR,
    url_canonical VARCHAR,
    domain        VARCHAR,
    PRIMARY KEY (doc_id, capture_id, position)
);

CREATE TABLE IF NOT EXISTS rejects (
    run_id      VARCHAR NOT NULL,
    source_uri  VARCHAR NOT NULL,
    capture_id  VARCHAR,
    stage       VARCHAR NOT NULL,
    error_class VARCHAR NOT NULL,
    message     VARCHAR NOT NULL,
    rejected_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS dq_results (
    run_id          VARCHAR NOT NULL,
    suite           VARCHAR NOT NULL,
    expectation     VARCHAR NOT NULL,       -- expectation type
    column_name     VARCHAR,
    severity        VARCHAR NOT NULL,       -- critical | warning
    rationale       VARCHAR,
    success         BOOLEAN NOT NULL,
    observed_value  JSON,
    failing_sample  JSON,                   -- a few failing rows / values
    evaluated_at    TIMESTAMPTZ NOT NULL
);
