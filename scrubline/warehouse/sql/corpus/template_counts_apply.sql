-- Apply one page of template line count changes (registered as ``delta``: outlet_id, text,
-- documents, head, tail, body, added and removed doc ids).
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
SELECT d.outlet_id, d.text, d.documents, d.head, d.tail, d.body, list_slice(list_sort(d.added), 1, 20)
FROM delta d ANTI JOIN template_line_counts t ON t.outlet_id = d.outlet_id AND t.text = d.text
WHERE d.documents > 0;
DELETE FROM template_line_counts WHERE documents <= 0;
