SELECT issue, count(*) AS n FROM v_footnote_anomalies GROUP BY issue ORDER BY n DESC
