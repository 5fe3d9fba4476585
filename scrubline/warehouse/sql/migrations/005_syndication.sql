-- scrubline warehouse schema v5: near-duplicate (syndication) clusters.
-- Signatures are stored per document version, so clusters can be recomputed from the warehouse
-- alone; clusters are derived data, replaced whole after each run.

CREATE TABLE IF NOT EXISTS doc_signatures (
    doc_id            VARCHAR NOT NULL,
    capture_id        VARCHAR NOT NULL,
    signature_version VARCHAR NOT NULL,      -- scrubline.syndication.SIGNATURE_VERSION
    content_hash      VARCHAR NOT NULL,      -- exact duplicates share it (and the signature)
    signature         BLOB NOT NULL,         -- 128 x uint32, little-endian
    is_empty          BOOLEAN NOT NULL,      -- no words: never clustered
    run_id            VARCHAR NOT NULL,
    computed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (doc_id, capture_id, signature_version)
);

CREATE TABLE IF NOT EXISTS syndication_clusters (
    cluster_id        VARCHAR PRIMARY KEY,
    origin_doc_id     VARCHAR NOT NULL,
    origin_capture_id VARCHAR NOT NULL,
    origin_at         TIMESTAMPTZ,
    origin_basis      VARCHAR,               -- published_at | fetched_at | NULL
    n_members         INTEGER NOT NULL,
    n_outlets         INTEGER NOT NULL,
    threshold         DOUBLE NOT NULL,
    signature_version VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    computed_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS cluster_members (
    cluster_id           VARCHAR NOT NULL,
    doc_id               VARCHAR NOT NULL,
    capture_id           VARCHAR NOT NULL,
    member_rank          INTEGER NOT NULL,   -- 0 = origin, then by time
    similarity_to_origin DOUBLE NOT NULL,
    is_exact_duplicate   BOOLEAN NOT NULL,   -- same normalized text as the origin
    PRIMARY KEY (cluster_id, doc_id)
);
