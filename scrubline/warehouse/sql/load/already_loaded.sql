-- Parameters: doc ids, capture ids, clean settings keys (lists of one length, one entry per
-- input). The inputs whose exact version is loaded already under the same settings.
WITH asked AS (
    SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::VARCHAR[]) AS capture_id,
           unnest(?::VARCHAR[]) AS cleaned_with
)
SELECT a.doc_id, a.capture_id FROM asked a
SEMI JOIN documents d
    ON d.doc_id = a.doc_id AND d.capture_id = a.capture_id AND d.cleaned_with = a.cleaned_with
