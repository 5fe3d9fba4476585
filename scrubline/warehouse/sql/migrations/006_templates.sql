-- scrubline warehouse schema v6: boilerplate templates learned per outlet.
-- Lines that recur across an outlet's documents, mined after each run and applied by the
-- outlet's engine on later runs; replaced whole per outlet at each mining.

CREATE TABLE IF NOT EXISTS boilerplate_templates (
    outlet_id    VARCHAR NOT NULL,
    text         VARCHAR NOT NULL,   -- whitespace-normalised line
    support      INTEGER NOT NULL,   -- documents it occurs in
    doc_ids      VARCHAR[],          -- up to 20 of them
    category     VARCHAR NOT NULL,   -- lexicon category of the line, else 'template'
    zone         VARCHAR NOT NULL,   -- head | tail | body
    words        INTEGER NOT NULL,
    documents    INTEGER NOT NULL,   -- documents of the outlet mined
    min_support  INTEGER NOT NULL,
    fingerprint  VARCHAR NOT NULL,   -- of the outlet's whole template set
    run_id       VARCHAR NOT NULL,
    mined_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (outlet_id, text)
);
