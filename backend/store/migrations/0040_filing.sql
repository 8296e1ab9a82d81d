-- Filing (F10): which records each synced message belongs to. The filing engine
-- (backend/filing) writes these tables beside the sync; links are automatic (recomputed
-- whenever the message or the records change) or manual (the user's, never touched by a
-- re-file), and a link the user removed is remembered so that no re-file recreates it.

-- Bulk mail (List-Id, List-Unsubscribe, Precedence bulk/list/junk, Auto-Submitted other
-- than no), known once the body is parsed: it is filed to known records but never waits in
-- "To file".
ALTER TABLE messages ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;

-- Message ↔ record links.
CREATE TABLE message_records (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    origin     TEXT    NOT NULL CHECK (origin IN ('auto', 'manual')),
    created_at INTEGER NOT NULL,                               -- Unix milliseconds
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL, -- manual links
    PRIMARY KEY (message_id, record_id)
) WITHOUT ROWID;
CREATE INDEX message_records_by_record ON message_records(record_id, message_id);

-- Links the user removed: never recreated by a re-file (filing to the record by hand
-- again forgets the removal).
CREATE TABLE message_records_removed (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    removed_at INTEGER NOT NULL,
    removed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (message_id, record_id)
) WITHOUT ROWID;

-- Records of types of your own that a message may belong to when several are open:
-- confirmed (a manual link) in one click. score ranks them, best first.
CREATE TABLE message_suggestions (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    score      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, record_id)
) WITHOUT ROWID;
CREATE INDEX message_suggestions_by_record ON message_suggestions(record_id);

-- What the last filing of a message found: its external parties (normalised: lower case,
-- IDNA domain), so that a new contact or domain finds its past mail through an index, and
-- its state: 'filed' (linked to a record), 'to_file' (an external correspondent, no
-- record, not bulk), 'skipped' (internal only, bulk or no-reply with no record, or no
-- party). correspondent is the address "To file" groups by (the first external sender,
-- else the first external recipient).
CREATE TABLE message_filing (
    message_id     INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    state          TEXT    NOT NULL CHECK (state IN ('filed', 'to_file', 'skipped')),
    correspondent  TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL DEFAULT '',   -- the correspondent's display name
    domain         TEXT    NOT NULL DEFAULT '',   -- the correspondent's domain
    with_body      INTEGER NOT NULL DEFAULT 0     -- filed with the body known (bulk, evidence)
);
CREATE INDEX message_filing_to_file ON message_filing(correspondent) WHERE state = 'to_file';

CREATE TABLE message_parties (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL,
    domain     TEXT    NOT NULL,
    PRIMARY KEY (message_id, email)
) WITHOUT ROWID;
CREATE INDEX message_parties_email ON message_parties(email);
CREATE INDEX message_parties_domain ON message_parties(domain);

-- Addresses and domains the users set aside in "To file" (undoable: delete the row).
CREATE TABLE filing_ignored (
    value      TEXT    PRIMARY KEY,                             -- an address or a domain, normalised
    kind       TEXT    NOT NULL CHECK (kind IN ('address', 'domain')),
    ignored_at INTEGER NOT NULL,
    ignored_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);

-- The admins' exceptions to the shipped free-mail list, both ways: free = 1 treats a
-- domain as free-mail (never files to a company), free = 0 files to the company holding it
-- although the list names it.
CREATE TABLE filing_domains (
    domain TEXT    PRIMARY KEY,
    free   INTEGER NOT NULL CHECK (free IN (0, 1))
);

-- Types of your own whose records are filed through their linked contacts and companies,
-- with the "open" condition (a field and an operator: paid unchecked, status = a choice…)
-- and the key field looked for in the subject and body (an invoice number; the title too).
CREATE TABLE filing_types (
    type_id       INTEGER PRIMARY KEY REFERENCES record_types(id) ON DELETE CASCADE,
    open_field_id INTEGER REFERENCES record_fields(id) ON DELETE SET NULL,
    open_op       TEXT    NOT NULL DEFAULT '' CHECK (open_op IN ('', 'checked', 'unchecked', 'equals', 'not_equals', 'empty', 'not_empty')),
    open_value    TEXT    NOT NULL DEFAULT '',
    key_field_id  INTEGER REFERENCES record_fields(id) ON DELETE SET NULL
);
