-- Bring the template line counts up to date in one pass (the caller's transaction): the
-- document versions to count (+1: current versions of an outlet not counted yet) or to take
-- out (-1: counted versions no longer current), their staged lines aggregated per outlet and
-- line, applied to template_line_counts, and template_state moved along. Leaves the temp
-- table template_dirty (sign, outlet_id, doc_id, capture_id) for the caller.
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

CREATE OR REPLACE TEMP TABLE delta AS
SELECT x.outlet_id, l.text,
       sum(x.sign)::INTEGER AS documents,
       sum(CASE WHEN l.zone = 'head' THEN x.sign ELSE 0 END)::INTEGER AS head,
       sum(CASE WHEN l.zone = 'tail' THEN x.sign ELSE 0 END)::INTEGER AS tail,
       sum(CASE WHEN l.zone = 'body' THEN x.sign ELSE 0 END)::INTEGER AS body,
       coalesce(min(l.doc_id, 20) FILTER (WHERE x.sign > 0), []) AS added,
       coalesce(list(l.doc_id) FILTER (WHERE x.sign < 0), []) AS removed
FROM template_dirty x
JOIN template_lines l ON l.doc_id = x.doc_id AND l.capture_id = x.capture_id
WHERE l.text <> ''
GROUP BY 1, 2;

UPDATE template_line_counts t
SET documents = t.documents + d.documents,
    head = t.head + d.head,
    tail = t.tail + d.tail,
    body = t.body + d.body,
    doc_ids = list_slice(list_sort(list_distinct(list_concat(
        list_filter(t.doc_ids, x -> NOT list_contains(d.removed, x)), d.added))), 1, 20)
FROM delta d
WHERE t.outlet_id = d.outlet_id AND t.text = d.text;

INSERT INTO template_line_counts
SELECT d.outlet_id, d.text, d.documents, d.head, d.tail, d.body, list_sort(d.added)
FROM delta d ANTI JOIN template_line_counts t ON t.outlet_id = d.outlet_id AND t.text = d.text
WHERE d.documents > 0;

DELETE FROM template_line_counts WHERE documents <= 0;

DELETE FROM template_state WHERE (outlet_id, doc_id, capture_id) IN
    (SELECT outlet_id, doc_id, capture_id FROM template_dirty WHERE sign < 0);

INSERT INTO template_state
SELECT outlet_id, doc_id, capture_id, getvariable('scrubline_run_id') FROM template_dirty WHERE sign > 0;

DROP TABLE delta;
