-- Issue 14: syndication and template mining are updated incrementally. A run signs its new document versions, finds
-- their LSH candidates by joining their band hashes against the stored ones, and re-clusters
-- only the clusters they touch, instead of re-clustering the whole corpus.
-- signature_bands: one row per (signature, band); ``bucket`` is the band's uint64 hash
-- (scrubline.syndication.band_hashes). Rows of an older signature version are never read.
CREATE TABLE IF NOT EXISTS signature_bands (
    signature_version VARCHAR NOT NULL,
    doc_id            VARCHAR NOT NULL,
    capture_id        VARCHAR NOT NULL,
    band              UTINYINT NOT NULL,
    bucket            UBIGINT NOT NULL
);
-- syndication_state: the document versions the stored clusters were computed over (current,
-- not quarantined, not empty, at the time). A run's work is the difference between this set
-- and the current documents: new and changed versions, and versions that left the set.
CREATE TABLE IF NOT EXISTS syndication_state (
    doc_id            VARCHAR NOT NULL,
    capture_id        VARCHAR NOT NULL,
    signature_version VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL
);
-- Template mining is updated incrementally too: per outlet and line (whitespace-normalised,
-- only lines that could be a template: scrubline.boilerplate.templates.document_lines), the
-- documents it occurs in, by zone of its first occurrence, and the first 20 doc ids.
CREATE TABLE IF NOT EXISTS template_line_counts (
    outlet_id  VARCHAR NOT NULL,
    text       VARCHAR NOT NULL,
    documents  INTEGER NOT NULL,
    head       INTEGER NOT NULL,
    tail       INTEGER NOT NULL,
    body       INTEGER NOT NULL,
    doc_ids    VARCHAR[] NOT NULL
);
-- The document versions counted in template_line_counts.
CREATE TABLE IF NOT EXISTS template_state (
    outlet_id  VARCHAR NOT NULL,
    doc_id     VARCHAR NOT NULL,
    capture_id VARCHAR NOT NULL,
    run_id     VARCHAR NOT NULL
);
-- The lines of each document version's normalized text that could be an outlet template
-- (staged with the batch; a row with the empty line marks a version staged without any).
CREATE TABLE IF NOT EXISTS template_lines (
    doc_id     VARCHAR NOT NULL,
    capture_id VARCHAR NOT NULL,
    text       VARCHAR NOT NULL,
    zone       VARCHAR NOT NULL
);
