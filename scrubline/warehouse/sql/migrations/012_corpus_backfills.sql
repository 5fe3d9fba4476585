-- Issue 14: which one-off backfills of derived rows are complete, per version of what they
-- derive ("signatures" per signature version: signatures and their band hashes; "template_lines"),
-- so a run does not scan the whole corpus for rows that every load since stages anyway
-- (at 300,000 documents the two scans took ~6 s and ~4 s of every run). A version that changes
-- (a new signature scheme) has no row yet: its backfill runs once, then is recorded here.
CREATE TABLE IF NOT EXISTS corpus_backfills (
    step         VARCHAR NOT NULL,
    version      VARCHAR NOT NULL,
    completed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (step, version)
);
