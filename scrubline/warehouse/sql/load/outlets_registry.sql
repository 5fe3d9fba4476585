-- Registry outlets are upserted.
INSERT INTO outlets (outlet_id, name, abbreviations, domains, country, kind, language,
                     provisional, notes)
SELECT outlet_id, name, abbreviations, domains, country, kind, language, provisional, notes
FROM read_parquet(?) WHERE NOT provisional
ON CONFLICT (outlet_id) DO UPDATE SET
    name = excluded.name, abbreviations = excluded.abbreviations,
    domains = excluded.domains, country = excluded.country, kind = excluded.kind,
    language = excluded.language, provisional = FALSE, notes = excluded.notes
