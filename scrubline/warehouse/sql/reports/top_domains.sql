SELECT domain, count(*) AS citations, count(DISTINCT doc_id) AS documents,
       any_value(cited_outlet_name) AS cited_outlet
FROM v_citations WHERE domain IS NOT NULL
GROUP BY domain ORDER BY citations DESC, domain LIMIT ?
