-- The doc_id of each ``syn_current`` row of ``wanted_rows``.
SELECT doc_id FROM syn_current WHERE rid IN (SELECT rid FROM wanted_rows) ORDER BY doc_id
