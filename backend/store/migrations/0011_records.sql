-- Records (F10, F20): contacts, companies and the record types admins define, in one model.
-- A type has fields; a record's values live in record_values, one row per value, so a sort or
-- a filter on any field walks the index (field_id, seq, sort, record_id) instead of reading
-- every record. Links live in record_links, indexed both ways. Contacts' addresses and
-- companies' domains are also kept normalised in tables of their own, for the lookups the
-- filing of every synced message makes. Times are Unix milliseconds.

CREATE TABLE record_types (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL UNIQUE,   -- stable: {{facture.echeance}}; never changes
    builtin        TEXT    NOT NULL DEFAULT '' CHECK (builtin IN ('', 'contact', 'company')),
    singular       TEXT    NOT NULL CHECK (length(trim(singular)) > 0),
    plural         TEXT    NOT NULL CHECK (length(trim(plural)) > 0),
    title_field_id INTEGER,                   -- custom types: the field whose value titles a record
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    created_by     INTEGER REFERENCES users(id) ON DELETE SET NULL
);

CREATE TABLE record_fields (
    id             INTEGER PRIMARY KEY,
    type_id        INTEGER NOT NULL REFERENCES record_types(id) ON DELETE CASCADE,
    key            TEXT    NOT NULL,          -- stable, unique within the type
    label          TEXT    NOT NULL CHECK (length(trim(label)) > 0),
    kind           TEXT    NOT NULL CHECK (kind IN ('text', 'long_text', 'number', 'money', 'date',
                       'date_time', 'checkbox', 'single_choice', 'multiple_choice', 'email', 'phone',
                       'url', 'domain', 'link')),
    builtin        INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    multiple       INTEGER NOT NULL DEFAULT 0 CHECK (multiple IN (0, 1)), -- several values (emails, links…)
    currency       TEXT    NOT NULL DEFAULT '',                            -- money: ISO 4217
    target_type_id INTEGER REFERENCES record_types(id),                    -- link: the linked type
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    UNIQUE (type_id, key)
);
CREATE INDEX record_fields_target ON record_fields(target_type_id) WHERE target_type_id IS NOT NULL;

-- Choices are kept by id: renaming one relabels every record that holds it.
CREATE TABLE record_choices (
    id       INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL REFERENCES record_fields(id) ON DELETE CASCADE,
    label    TEXT    NOT NULL CHECK (length(trim(label)) > 0),
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (field_id, label)
);

CREATE TABLE records (
    id         INTEGER PRIMARY KEY,
    type_id    INTEGER NOT NULL REFERENCES record_types(id) ON DELETE CASCADE,
    title      TEXT    NOT NULL DEFAULT '',
    title_sort TEXT    NOT NULL DEFAULT '',  -- title folded (lower case, no accents) for sorting
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deleted_at INTEGER,                      -- in the trash since (restorable for 30 days)
    deleted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    import_id  INTEGER                       -- the import that created it (undo removes it)
);
CREATE INDEX records_by_title   ON records(type_id, title_sort, id) WHERE deleted_at IS NULL;
CREATE INDEX records_by_created ON records(type_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX records_by_updated ON records(type_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX records_trash      ON records(deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX records_by_import  ON records(import_id) WHERE import_id IS NOT NULL;

-- One row per value (seq orders the values of a field holding several: the first email is
-- the primary one). value is what the record holds (text, a number, minor units of money,
-- YYYY-MM-DD, a UTC RFC 3339 time, 1 for a checked box, a choice's id); sort is its sortable
-- form (folded text, the choice's folded label, the same number).
CREATE TABLE record_values (
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    field_id  INTEGER NOT NULL REFERENCES record_fields(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL DEFAULT 0,
    value     ANY     NOT NULL,
    sort      ANY     NOT NULL,
    PRIMARY KEY (record_id, field_id, seq)
) WITHOUT ROWID;
CREATE INDEX record_values_sorted ON record_values(field_id, seq, sort, record_id);

-- Links, both ways: a contact's company, an invoice's client.
CREATE TABLE record_links (
    field_id  INTEGER NOT NULL REFERENCES record_fields(id) ON DELETE CASCADE,
    from_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    to_id     INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (from_id, field_id, to_id)
) WITHOUT ROWID;
CREATE INDEX record_links_to ON record_links(to_id, field_id, from_id);

-- Contacts' addresses, normalised (lower case, IDNA ASCII domain), for filing.
CREATE TABLE record_emails (
    email     TEXT    NOT NULL,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    PRIMARY KEY (email, record_id)
) WITHOUT ROWID;
CREATE INDEX record_emails_by_record ON record_emails(record_id);

-- Companies' domains, normalised (lower case, IDNA ASCII), for filing.
CREATE TABLE record_domains (
    domain    TEXT    NOT NULL,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    PRIMARY KEY (domain, record_id)
) WITHOUT ROWID;
CREATE INDEX record_domains_by_record ON record_domains(record_id);

-- Full-text search over every text of a record (title first, weighted more), accents and
-- case folded ("elise" finds "Élise"), with a 2-letter prefix index like the mail's.
CREATE VIRTUAL TABLE records_fts USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2'
);

-- Saved views, per user: columns, sort, filters and search of a list, as JSON.
CREATE TABLE record_views (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type_id    INTEGER NOT NULL REFERENCES record_types(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    spec       TEXT    NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, type_id, name)
);

-- The two built-in types and their fields (keys fixed: templates use them).
INSERT INTO record_types(id, key, builtin, singular, plural, position, created_at) VALUES
    (1, 'contact', 'contact', 'Contact', 'Contacts', 0, 0),
    (2, 'company', 'company', 'Company', 'Companies', 1, 0);

INSERT INTO record_fields(type_id, key, label, kind, builtin, multiple, target_type_id, position, created_at) VALUES
    (1, 'first_name',   'First name',   'text',          1, 0, NULL, 0, 0),
    (1, 'last_name',    'Last name',    'text',          1, 0, NULL, 1, 0),
    (1, 'emails',       'Emails',       'email',         1, 1, NULL, 2, 0),
    (1, 'phones',       'Phones',       'phone',         1, 1, NULL, 3, 0),
    (1, 'job_title',    'Job title',    'text',          1, 0, NULL, 4, 0),
    (1, 'company',      'Company',      'link',          1, 0, 2,    5, 0),
    (1, 'language',     'Language',     'single_choice', 1, 0, NULL, 6, 0),
    (1, 'notes',        'Notes',        'long_text',     1, 0, NULL, 7, 0),
    (1, 'do_not_email', 'Do not email', 'checkbox',      1, 0, NULL, 8, 0),
    (2, 'name',         'Name',         'text',          1, 0, NULL, 0, 0),
    (2, 'domains',      'Domains',      'domain',        1, 1, NULL, 1, 0),
    (2, 'address',      'Address',      'long_text',     1, 0, NULL, 2, 0),
    (2, 'phone',        'Phone',        'phone',         1, 0, NULL, 3, 0),
    (2, 'notes',        'Notes',        'long_text',     1, 0, NULL, 4, 0);

INSERT INTO record_choices(field_id, label, position)
SELECT id, 'fr', 0 FROM record_fields WHERE type_id = 1 AND key = 'language'
UNION ALL
SELECT id, 'en', 1 FROM record_fields WHERE type_id = 1 AND key = 'language';

UPDATE record_types SET title_field_id = (SELECT id FROM record_fields WHERE type_id = 2 AND key = 'name') WHERE id = 2;
