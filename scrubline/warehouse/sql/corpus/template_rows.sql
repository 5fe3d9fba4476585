SELECT outlet_id, text, support, doc_ids, category, zone, words, documents, min_support
FROM boilerplate_templates ORDER BY outlet_id, text
