-- The members of the clusters in ``gone`` and of every cluster of another signature version.
DELETE FROM cluster_members
WHERE cluster_id IN (SELECT cluster_id FROM gone)
   OR cluster_id IN (SELECT cluster_id FROM syndication_clusters WHERE signature_version <> $version)
