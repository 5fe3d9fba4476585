-- Issue 14: each document version records the clean settings it was cleaned under (a hash of
-- its engine version, profile, line limit, outlet registry, extractor and pipeline versions:
-- scrubline.clean.settings_key). A run does not clean again an input whose exact version is
-- loaded under the same settings: its output would be the same. Rows loaded before have NULL
-- and are cleaned once more the next time they are seen.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS cleaned_with VARCHAR;
