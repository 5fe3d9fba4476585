SELECT outlet_id, any_value(outlet_name) AS outlet_name,
       any_value(outlet_kind) AS outlet_kind,
       bool_or(coalesce(outlet_provisional, FALSE)) AS provisional,
       count(*) AS documents
FROM v_documents
GROUP BY outlet_id ORDER BY documents DESC, outlet_id NULLS LAST
