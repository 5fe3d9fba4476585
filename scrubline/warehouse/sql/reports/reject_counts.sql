SELECT stage, error_class, count(*) AS inputs, count(DISTINCT run_id) AS runs,
       any_value(message) AS example
FROM v_rejects GROUP BY stage, error_class ORDER BY inputs DESC, stage, error_class
