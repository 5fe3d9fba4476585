-- The stage's current documents, computed once per syndication stage (a window over every
-- document: ~1.6 s at 300,000, measured 2026-12-03, when every chunk's queries recomputed it):
-- the current, non-quarantined version of each document with a non-empty signature, and a
-- row id (``rid``) by which candidate pairs are handed over as integers rather than text
-- keys. Keys only: what clustering reads besides the signature (dates, outlet) is joined for
-- the documents a chunk clusters (``rows``); carried here for all, it cost ~80 MB more at
-- 300,000 documents.
CREATE OR REPLACE TEMP TABLE syn_current AS
SELECT row_number() OVER (ORDER BY v.doc_id) AS rid, v.doc_id, v.capture_id
FROM v_current_versions v
JOIN doc_signatures s ON s.doc_id = v.doc_id AND s.capture_id = v.capture_id
     AND s.signature_version = $version AND NOT s.is_empty
