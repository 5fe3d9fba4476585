-- Runs of the working database ({src}) the lake ({lake}) has not published yet.
SELECT run_id FROM {src}.main.runs
WHERE run_id NOT IN (SELECT run_id FROM {lake}.main.scrubline_published)
