-- doc_ids a reference names: the doc_id, a doc_id prefix, or part of the source URI.
SELECT DISTINCT doc_id FROM documents
WHERE doc_id = ? OR doc_id LIKE ? || '%' OR source_uri LIKE '%' || ? || '%'
