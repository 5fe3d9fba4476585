-- The documents the fts index covers: the latest non-quarantined versions.
CREATE OR REPLACE TABLE search_documents AS
SELECT doc_id, capture_id, outlet_id, title, text FROM v_documents
