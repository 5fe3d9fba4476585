WITH this_run AS (SELECT started_at FROM runs WHERE run_id = $run_id),
run_outlets AS (
    SELECT DISTINCT outlet_id FROM documents WHERE run_id = $run_id AND outlet_id IS NOT NULL
),
candidates AS (  -- this run's documents, and non-quarantined ones of earlier runs
    SELECT d.doc_id, d.capture_id, d.outlet_id, d.removed_share, d.run_id = $run_id AS in_run,
           r.started_at
    FROM documents d JOIN run_outlets USING (outlet_id) LEFT JOIN runs r USING (run_id)
    WHERE d.run_id = $run_id
       OR (NOT d.quarantined AND r.started_at < (SELECT started_at FROM this_run))
),
kept AS (
    SELECT * FROM candidates
    QUALIFY in_run OR row_number() OVER (
        PARTITION BY outlet_id, in_run ORDER BY started_at DESC, doc_id, capture_id
    ) <= $history_window
),
cites AS (  -- citations: footnote rows except markers without a note
    SELECT f.doc_id, f.capture_id, count(*) AS n
    FROM footnotes f JOIN kept USING (doc_id, capture_id)
    WHERE NOT list_contains(coalesce(f.issues, []::VARCHAR[]), 'missing_note')
    GROUP BY ALL
),
per_outlet AS (
    SELECT k.outlet_id,
           count(*) FILTER (WHERE in_run) AS run_docs,
           count(*) FILTER (WHERE NOT in_run) AS history_docs,
           avg(removed_share) FILTER (WHERE in_run) AS run_share_mean,
           median(removed_share) FILTER (WHERE in_run) AS run_share_median,
           median(removed_share) FILTER (WHERE NOT in_run) AS history_share_median,
           1.4826 * mad(removed_share) FILTER (WHERE NOT in_run) AS history_share_sd,
           avg(coalesce(c.n, 0)) FILTER (WHERE in_run) AS run_citations_mean,
           avg(coalesce(c.n, 0)) FILTER (WHERE NOT in_run) AS history_citations_mean
    FROM kept k LEFT JOIN cites c USING (doc_id, capture_id)
    GROUP BY k.outlet_id
),
judged AS (
    SELECT *,
           history_docs >= $min_history_docs AND run_docs >= $min_run_docs AS eligible,
           run_share_median - history_share_median AS share_shift,
           greatest($robust_sds * coalesce(history_share_sd, 0), $share_floor)
               AS share_threshold
    FROM per_outlet
),
flagged AS (
    SELECT *,
           eligible AND abs(share_shift) > share_threshold AS share_drifted,
           eligible AND history_citations_mean >= $min_history_citations
               AND run_citations_mean = 0 AS citations_drifted
    FROM judged
)
SELECT outlet_id, run_docs, history_docs, eligible,
       run_share_mean, run_share_median, history_share_median, history_share_sd,
       share_shift, share_threshold, share_shift / nullif(history_share_sd, 0) AS share_z,
       run_citations_mean, history_citations_mean,
       share_drifted, citations_drifted, share_drifted OR citations_drifted AS drifted,
       concat_ws('; ',
           CASE WHEN share_drifted THEN printf(
               'share removed: median %.2f in %d docs vs %.2f over %d earlier (threshold %.2f)',
               run_share_median, run_docs, history_share_median, history_docs,
               share_threshold) END,
           CASE WHEN citations_drifted THEN printf(
               'citations/doc: 0 in %d docs vs %.1f over %d earlier',
               run_docs, history_citations_mean, history_docs) END) AS reason
FROM flagged
ORDER BY outlet_id
