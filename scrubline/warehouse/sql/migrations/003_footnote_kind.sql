-- scrubline warehouse schema v3: citations beyond endnotes.
-- Footnote.kind: endnote (numbered notes list) | source_line ("Source: TASS") | inline_url
-- (a bare URL in the text). Rows loaded before v3 were all endnotes.
ALTER TABLE footnotes ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'endnote';
UPDATE footnotes SET kind = 'endnote' WHERE kind IS NULL;
