-- Template line counts, step 2 of 3: the staged lines of template_dirty whose text hashes to
-- part getvariable('scrubline_part') of getvariable('scrubline_parts'), aggregated per outlet and
-- line and applied to template_line_counts. In parts because the aggregate (a sample of 20
-- doc ids per line) cannot spill to disk: in one part, the stage of a first run over 300,000
-- documents peaked at 1.25 GB, and failed under a 384 MB cap (2026-12-03).
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
  AND hash(l.text) % getvariable('scrubline_parts') = getvariable('scrubline_part')
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

DROP TABLE delta;
