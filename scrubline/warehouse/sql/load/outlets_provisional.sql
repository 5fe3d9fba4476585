-- Provisional outlets are only created, never overwriting an existing one.
INSERT INTO outlets (outlet_id, name, abbreviations, domains, country, kind, language,
                     provisional, notes)
SELECT outlet_id, name, abbreviations, domains, country, kind, language, provisional, notes
FROM read_parquet(?) WHERE provisional
ON CONFLICT (outlet_id) DO NOTHING
