-- Records (F10): a value is kept as it was written. record_values.value and .sort were
-- declared ANY, which outside a STRICT table means numeric affinity: a text that looks like a
-- number was stored as one ("0612345678" became 612345678, a postal code "01000" 1000). The
-- table is rebuilt with BLOB affinity (no conversion), and the texts already converted are
-- turned back into text (the leading zeros they lost cannot be told back).
CREATE TABLE record_values_new (
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    field_id  INTEGER NOT NULL REFERENCES record_fields(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL DEFAULT 0,
    value     BLOB    NOT NULL,
    sort      BLOB    NOT NULL,
    PRIMARY KEY (record_id, field_id, seq)
) WITHOUT ROWID;

INSERT INTO record_values_new(record_id, field_id, seq, value, sort)
SELECT v.record_id, v.field_id, v.seq,
       CASE WHEN f.kind IN ('text', 'long_text', 'email', 'phone', 'url', 'domain', 'date', 'date_time')
                 AND typeof(v.value) IN ('integer', 'real') THEN CAST(v.value AS TEXT) ELSE v.value END,
       CASE WHEN f.kind IN ('text', 'long_text', 'email', 'phone', 'url', 'domain', 'date', 'date_time',
                            'single_choice', 'multiple_choice')
                 AND typeof(v.sort) IN ('integer', 'real') THEN CAST(v.sort AS TEXT) ELSE v.sort END
FROM record_values v JOIN record_fields f ON f.id = v.field_id;

DROP TABLE record_values;
ALTER TABLE record_values_new RENAME TO record_values;
CREATE INDEX record_values_sorted ON record_values(field_id, seq, sort, record_id);

-- Records' search: the full-text index keeps up to 16 MB of new terms in memory within a
-- transaction (1 MB by default) before writing them as a segment. An import of tens of
-- thousands of records then writes a few large segments instead of dozens of small ones that
-- must be merged, and every search reads fewer segments.
INSERT INTO records_fts(records_fts, rank) VALUES ('hashsize', 16777216);
