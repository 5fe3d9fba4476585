-- Document versions to add to (+1) or take out of (-1) the template line counts: current
-- documents of an outlet not counted yet, and counted versions no longer current (superseded,
-- quarantined, or of another outlet now), one page at a time after the key $after, with the
-- text to split into lines.
WITH cur AS (
    SELECT outlet_id, doc_id, capture_id FROM v_documents WHERE outlet_id IS NOT NULL
),
st AS (
    SELECT outlet_id, doc_id, capture_id FROM template_state
),
delta AS (
    SELECT 1 AS sign, * FROM (SELECT * FROM cur EXCEPT SELECT * FROM st)
    UNION ALL
    SELECT -1 AS sign, * FROM (SELECT * FROM st EXCEPT SELECT * FROM cur)
)
SELECT x.sign, x.outlet_id, x.doc_id, x.capture_id, d.text_normalized
FROM delta x JOIN documents d USING (doc_id, capture_id)
WHERE (x.outlet_id, x.doc_id, x.capture_id, x.sign) > ($after_outlet, $after_doc, $after_capture, $after_sign)
ORDER BY x.outlet_id, x.doc_id, x.capture_id, x.sign
LIMIT $page
