-- BM25 over search_documents; parameters: query, limit.
SELECT doc_id, capture_id, outlet_id, title, score
FROM (SELECT *, fts_main_search_documents.match_bm25(doc_id, ?) AS score
      FROM search_documents)
WHERE score IS NOT NULL
ORDER BY score DESC, doc_id
LIMIT ?
