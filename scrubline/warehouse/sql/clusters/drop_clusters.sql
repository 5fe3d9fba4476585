-- The clusters in ``gone`` and every cluster of another signature version (members first:
-- drop_members).
DELETE FROM syndication_clusters
WHERE cluster_id IN (SELECT cluster_id FROM gone) OR signature_version <> $version
