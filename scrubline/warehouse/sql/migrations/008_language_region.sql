-- Issue 17: documents.language holds a BCP-47 primary subtag ("de"), the region subtag of a
-- declared tag ("de-CH" -> "CH", "es-419" -> "419") its own column. Rows loaded before keep
-- the code as it was stored and a NULL region.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS language_region VARCHAR;
