-- Keys of document versions without a signature of the given version yet, one page at a time:
-- those after the key ($after_doc, $after_capture), in key order (texts are read for a page's
-- keys only: corpus/texts_of_keys).
SELECT d.doc_id, d.capture_id
FROM documents d ANTI JOIN doc_signatures s
  ON s.doc_id = d.doc_id AND s.capture_id = d.capture_id AND s.signature_version = $version
WHERE (d.doc_id, d.capture_id) > ($after_doc, $after_capture)
ORDER BY d.doc_id, d.capture_id
LIMIT $page
