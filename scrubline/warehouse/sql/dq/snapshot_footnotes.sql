SELECT f.doc_id, f.capture_id, f.ordinal, f.kind, f.marker, f.url, f.url_canonical,
       f.domain, f.cited_outlet_id
FROM footnotes f JOIN documents d USING (doc_id, capture_id)
WHERE d.run_id = $run_id
