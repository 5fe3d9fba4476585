INSERT INTO footnotes (doc_id, capture_id, ordinal, marker, ref_offsets, note_text, url,
                       url_canonical, domain, cited_outlet_id, issues, kind)
SELECT doc_id, capture_id, ordinal, marker, ref_offsets, note_text, url,
       url_canonical, domain, cited_outlet_id, issues, kind
FROM read_parquet(?)
