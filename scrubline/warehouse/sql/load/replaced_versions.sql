-- The loaded versions a staged batch replaces, and which of their texts it changes. The
-- second parameter is how many there are (load/known_versions): with none, the texts are not
-- read (the join would read every document's text to find nothing).
CREATE OR REPLACE TEMP TABLE replaced_versions AS
SELECT o.doc_id, o.capture_id, o.outlet_id,
       o.text IS DISTINCT FROM s.text AS text_changed,
       o.text_normalized IS DISTINCT FROM s.text_normalized AS normalized_changed
FROM documents o JOIN read_parquet(?) s USING (doc_id, capture_id)
LIMIT ?
