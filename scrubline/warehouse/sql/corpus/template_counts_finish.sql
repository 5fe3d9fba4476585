-- Template line counts, step 3 of 3: lines no document holds any more go, and template_state
-- records which versions the counts now hold.
DELETE FROM template_line_counts WHERE documents <= 0;

DELETE FROM template_state WHERE (outlet_id, doc_id, capture_id) IN
    (SELECT outlet_id, doc_id, capture_id FROM template_dirty WHERE sign < 0);

INSERT INTO template_state
SELECT outlet_id, doc_id, capture_id, getvariable('scrubline_run_id') FROM template_dirty WHERE sign > 0;

