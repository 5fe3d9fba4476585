-- The lines of outlet $outlet that recur in at least $needed of its counted documents.
SELECT text, documents, head, tail, body, doc_ids
FROM template_line_counts
WHERE outlet_id = $outlet AND documents >= $needed
ORDER BY text
