SELECT ordinal, kind, marker, ref_offsets, note_text, url, url_canonical, domain,
       cited_outlet_id, issues
FROM footnotes WHERE doc_id = ? AND capture_id = ? ORDER BY ordinal
