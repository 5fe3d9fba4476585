-- Keys of document versions without staged template lines (loaded before migration 009),
-- one page at a time after the key ($after_doc, $after_capture).
SELECT d.doc_id, d.capture_id
FROM documents d ANTI JOIN (SELECT DISTINCT doc_id, capture_id FROM template_lines) l
  ON l.doc_id = d.doc_id AND l.capture_id = d.capture_id
WHERE (d.doc_id, d.capture_id) > ($after_doc, $after_capture)
ORDER BY d.doc_id, d.capture_id
LIMIT $page
