-- Template line counts, step 1 of 3 (the caller's transaction): the document versions to
-- count (+1: current versions of an outlet not counted yet) or to take out (-1: counted
-- versions no longer current), as the temp table template_dirty (sign, outlet_id, doc_id,
-- capture_id). Step 2 (template_counts_part) applies their lines, one share of the line texts
-- at a time; step 3 (template_counts_finish) moves template_state along.
CREATE OR REPLACE TEMP TABLE template_dirty AS
WITH cur AS (
    SELECT outlet_id, doc_id, capture_id FROM v_current_versions WHERE outlet_id IS NOT NULL
),
st AS (
    SELECT outlet_id, doc_id, capture_id FROM template_state
)
SELECT 1 AS sign, * FROM (SELECT * FROM cur EXCEPT SELECT * FROM st)
UNION ALL
SELECT -1 AS sign, * FROM (SELECT * FROM st EXCEPT SELECT * FROM cur);
