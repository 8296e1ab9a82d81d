-- Send by button (F13): buttons an admin adds to a record type, each sending a template
-- from a sender to the record's recipients, and the sends log of each record.

CREATE TABLE record_buttons (
    id          INTEGER PRIMARY KEY,
    type_id     INTEGER NOT NULL REFERENCES record_types(id) ON DELETE CASCADE,
    label       TEXT    NOT NULL,                          -- "Envoyer la relance"
    sent_label  TEXT    NOT NULL DEFAULT '',               -- "Relance envoyée"; '' : the label
    template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE SET NULL, -- NULL: the office sender
    recipients  TEXT    NOT NULL,                          -- field:<key>, contacts, company_contacts
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,                          -- Unix milliseconds
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX record_buttons_by_type ON record_buttons(type_id, position);

-- What was sent from a record by a button: what, when, by whom, its outbox item (whose
-- state the record's page shows) and its Message-ID, by which the sent copy, once synced,
-- is filed to the record (filed_message: the messages row it was filed as; 0: not yet).
CREATE TABLE record_sends (
    id            INTEGER PRIMARY KEY,
    record_id     INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    button_id     INTEGER REFERENCES record_buttons(id) ON DELETE SET NULL,
    label         TEXT    NOT NULL,                        -- the sent label when sent
    outbox_id     INTEGER NOT NULL,
    message_id    TEXT    NOT NULL,                        -- without <>
    subject       TEXT    NOT NULL,
    recipients    TEXT    NOT NULL,                        -- comma-separated addresses
    sent_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    sent_by_name  TEXT    NOT NULL,
    sent_at       INTEGER NOT NULL,                        -- Unix milliseconds
    filed_message INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX record_sends_by_record ON record_sends(record_id, sent_at);
CREATE INDEX record_sends_unfiled ON record_sends(message_id) WHERE filed_message = 0;
