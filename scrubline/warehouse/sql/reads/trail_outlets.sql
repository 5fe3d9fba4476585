SELECT outlet_id, name, country, kind, provisional FROM outlets
WHERE outlet_id IN (SELECT outlet_id FROM documents WHERE run_id = ?)
ORDER BY outlet_id
