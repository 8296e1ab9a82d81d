-- Imports of records (F10): one row per import that was carried out. The records an import
-- created carry its id (records.import_id); the records it updated are listed in
-- import_updates with the values it replaced, so "undo this import" removes the first and
-- restores the second. An import runs in one transaction with its row here: a cancelled or
-- interrupted import leaves neither records nor a row.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    type_id     INTEGER NOT NULL REFERENCES record_types(id) ON DELETE CASCADE,
    file_name   TEXT    NOT NULL DEFAULT '',
    created     INTEGER NOT NULL DEFAULT 0,  -- records created (linked ones included)
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,  -- duplicates left as they were
    failed      INTEGER NOT NULL DEFAULT 0,  -- rows left out for a reason
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    undone_at   INTEGER,
    undone_by   INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX imports_by_type ON imports(type_id, created_at);

-- The records an import updated, with the values of the fields it changed as they were
-- before (JSON: field key → value, null for a field that was empty).
CREATE TABLE import_updates (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    previous  TEXT    NOT NULL,
    PRIMARY KEY (import_id, record_id)
) WITHOUT ROWID;
