-- What the stored clusters covered for the documents in ``wanted``, and any other version's.
DELETE FROM syndication_state
WHERE doc_id IN (SELECT doc_id FROM wanted) OR signature_version <> $version
