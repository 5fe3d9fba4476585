-- Before a batch replaces loaded document versions (a reprocess): derived data computed from
-- their old text is forgotten; the batch brings it again for the new text. A new clean text
-- drops the version's signature, band hashes and clustering state; a new normalized text its
-- template lines, and makes its outlet's template counts be counted again from scratch.
DELETE FROM doc_signatures WHERE (doc_id, capture_id) IN
    (SELECT doc_id, capture_id FROM replaced_versions WHERE text_changed);
DELETE FROM signature_bands WHERE (doc_id, capture_id) IN
    (SELECT doc_id, capture_id FROM replaced_versions WHERE text_changed);
DELETE FROM syndication_state WHERE (doc_id, capture_id) IN
    (SELECT doc_id, capture_id FROM replaced_versions WHERE text_changed);
DELETE FROM template_lines WHERE (doc_id, capture_id) IN
    (SELECT doc_id, capture_id FROM replaced_versions WHERE normalized_changed);
DELETE FROM template_line_counts WHERE outlet_id IN
    (SELECT outlet_id FROM replaced_versions WHERE normalized_changed);
DELETE FROM template_state WHERE outlet_id IN
    (SELECT outlet_id FROM replaced_versions WHERE normalized_changed);
