-- The stored clusters that hold a document of ``wanted`` (any version), and all their members.
WITH touched AS (
    SELECT DISTINCT cluster_id FROM cluster_members WHERE doc_id IN (SELECT doc_id FROM wanted)
)
SELECT m.cluster_id, m.doc_id FROM cluster_members m SEMI JOIN touched USING (cluster_id)
ORDER BY 1, 2
