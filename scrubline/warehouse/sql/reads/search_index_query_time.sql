-- A query-time copy of search_documents (see search_index.sql) from the attached copy `pub`,
-- into this in-memory database, for a published file that carries no fts index.
CREATE TABLE memory.search_documents AS
SELECT doc_id, capture_id, outlet_id, title, text FROM pub.v_documents
