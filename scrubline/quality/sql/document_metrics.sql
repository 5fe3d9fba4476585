WITH texts AS (  -- one streaming pass over the texts; only small columns leave it
    SELECT doc_id, capture_id, published_at, length(text) AS chars_clean,
           length(text_normalized) AS chars_normalized,
           CASE WHEN contains(text, chr(65533))
                THEN length(text) - length(replace(text, chr(65533), '')) ELSE 0 END
               AS fffd_count,
           -- every residue pattern at once: one RE2 alternation (compiled once)
           regexp_extract_all(text, $any_residue) AS residue,
           try_cast(json_extract_string(stats, '$.mojibake') AS BOOLEAN) AS mojibake
    FROM documents WHERE run_id = $run_id
),
matched AS (
    SELECT doc_id, capture_id, unnest(residue) AS m FROM texts WHERE len(residue) > 0
),
named AS (  -- which patterns the (few, distinct) matched strings are
    SELECT m, p, i
    FROM (SELECT DISTINCT m FROM matched),
         (SELECT unnest($patterns::VARCHAR[]) AS p,
                 generate_subscripts($patterns::VARCHAR[], 1) AS i)
    WHERE regexp_matches(m, p, 'i')
),
hits AS (
    SELECT doc_id, capture_id, list(p ORDER BY i) AS hits
    FROM (SELECT DISTINCT doc_id, capture_id, p, i FROM matched JOIN named USING (m))
    GROUP BY doc_id, capture_id
),
spans AS (
    SELECT s.doc_id, s.capture_id, sum(s.end_offset - s.start_offset) AS span_chars
    FROM removed_spans s SEMI JOIN texts USING (doc_id, capture_id)
    GROUP BY s.doc_id, s.capture_id
)
SELECT t.doc_id, t.capture_id, t.chars_clean, t.fffd_count,
       len(t.residue) AS residue_count,
       coalesce(array_to_string(h.hits, ' | '), '') AS residue_hits,
       t.chars_normalized - t.chars_clean - coalesce(s.span_chars, 0) AS length_gap,
       t.mojibake,
       try_cast(t.published_at AS TIMESTAMPTZ) > c.fetched_at AS published_after_fetch
FROM texts t LEFT JOIN hits h USING (doc_id, capture_id)
     LEFT JOIN spans s USING (doc_id, capture_id) LEFT JOIN captures c USING (capture_id)
ORDER BY t.doc_id, t.capture_id
