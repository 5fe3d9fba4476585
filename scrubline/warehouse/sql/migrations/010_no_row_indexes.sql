-- Issue 14: the tables that grow with the corpus lose their PRIMARY KEY constraints. DuckDB backs
-- each with an ART index that must stay in memory and is rewritten at every checkpoint: at
-- 30,000 documents the indexes made loading a batch 3x slower than without them, and the cost
-- grew with the warehouse (measured 2026-12-03). Keys stay unique by construction: a batch is
-- loaded delete-then-insert by (doc_id, capture_id) in one transaction, a loader refuses a
-- staged batch that repeats a key, and captures are inserted only when not yet stored
-- (sql/load/captures*.sql). Key columns stay NOT NULL. Small tables keep their keys.
CREATE TABLE captures__010 (
    capture_id     VARCHAR NOT NULL,
    source_uri     VARCHAR NOT NULL,
    source_id      VARCHAR,
    fetched_at     TIMESTAMPTZ NOT NULL,
    content_type   VARCHAR,
    byte_size      BIGINT NOT NULL,
    http_status    INTEGER,
    http_headers   JSON,
    warc_record_id VARCHAR,
    raw_path       VARCHAR,
    first_run_id   VARCHAR NOT NULL,
    last_seen_at   TIMESTAMPTZ,
    language_hint  VARCHAR,
    outlet_hint    VARCHAR
);
INSERT INTO captures__010 SELECT * FROM captures;
DROP TABLE captures;
ALTER TABLE captures__010 RENAME TO captures;

CREATE TABLE documents__010 (
    doc_id             VARCHAR NOT NULL,
    capture_id         VARCHAR NOT NULL,
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
    decode             JSON,
    normalize_plan     VARCHAR[],
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
    batch_id           VARCHAR,
    stats              JSON,
    language_region    VARCHAR
);
INSERT INTO documents__010 SELECT * FROM documents;
DROP TABLE documents;
ALTER TABLE documents__010 RENAME TO documents;

CREATE TABLE removed_spans__010 (
    doc_id       VARCHAR NOT NULL,
    capture_id   VARCHAR NOT NULL,
    span_no      INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    rule_id      VARCHAR NOT NULL,
    rule_version INTEGER NOT NULL,
    category     VARCHAR NOT NULL,
    removed_text VARCHAR NOT NULL,
    evidence     VARCHAR
);
INSERT INTO removed_spans__010 SELECT * FROM removed_spans;
DROP TABLE removed_spans;
ALTER TABLE removed_spans__010 RENAME TO removed_spans;

CREATE TABLE footnotes__010 (
    doc_id          VARCHAR NOT NULL,
    capture_id      VARCHAR NOT NULL,
    ordinal         INTEGER NOT NULL,
    marker          VARCHAR NOT NULL,
    ref_offsets     INTEGER[],
    note_text       VARCHAR,
    url             VARCHAR,
    url_canonical   VARCHAR,
    domain          VARCHAR,
    cited_outlet_id VARCHAR,
    issues          VARCHAR[],
    kind            VARCHAR DEFAULT 'endnote'
);
INSERT INTO footnotes__010 SELECT * FROM footnotes;
DROP TABLE footnotes;
ALTER TABLE footnotes__010 RENAME TO footnotes;

CREATE TABLE links__010 (
    doc_id        VARCHAR NOT NULL,
    capture_id    VARCHAR NOT NULL,
    position      INTEGER NOT NULL,
    url           VARCHAR NOT NULL,
    anchor        VARCHAR,
    url_canonical VARCHAR,
    domain        VARCHAR
);
INSERT INTO links__010 SELECT * FROM links;
DROP TABLE links;
ALTER TABLE links__010 RENAME TO links;

CREATE TABLE doc_signatures__010 (
    doc_id            VARCHAR NOT NULL,
    capture_id        VARCHAR NOT NULL,
    signature_version VARCHAR NOT NULL,
    content_hash      VARCHAR NOT NULL,
    signature         BLOB NOT NULL,
    is_empty          BOOLEAN NOT NULL,
    run_id            VARCHAR NOT NULL,
    computed_at       TIMESTAMPTZ NOT NULL
);
INSERT INTO doc_signatures__010 SELECT * FROM doc_signatures;
DROP TABLE doc_signatures;
ALTER TABLE doc_signatures__010 RENAME TO doc_signatures;
