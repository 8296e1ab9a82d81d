-- Synced mail (F8, F9). The sync engine (backend/syncer) writes these tables; the inbox
-- reads them. Raw messages are not kept: text and HTML bodies are stored for reading and
-- search, attachments are re-fetched from the server by part path when saved.

-- One row per synced folder of an account, with its sync state.
CREATE TABLE folders (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,              -- the server's mailbox name
    role           TEXT    NOT NULL DEFAULT '' CHECK (role IN ('', 'inbox', 'sent', 'drafts', 'trash', 'junk', 'archive')),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)), -- synced (INBOX and Sent by default)
    uidvalidity    INTEGER NOT NULL DEFAULT 0,
    uidnext        INTEGER NOT NULL DEFAULT 0,    -- the server's UIDNEXT when headers were last complete
    highestmodseq  INTEGER NOT NULL DEFAULT 0,    -- CONDSTORE state when flags were last complete
    message_count  INTEGER NOT NULL DEFAULT 0,    -- messages on the server at the last sync
    last_sync_at   INTEGER,
    UNIQUE (account_id, name)
);

-- The sync feature extends the accounts migration's messages table with the headers.
ALTER TABLE messages ADD COLUMN folder_id      INTEGER REFERENCES folders(id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN uid            INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN message_id     TEXT    NOT NULL DEFAULT '';  -- the Message-ID header
ALTER TABLE messages ADD COLUMN in_reply_to    TEXT    NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN subject        TEXT    NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN from_name      TEXT    NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN from_email     TEXT    NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN date           INTEGER NOT NULL DEFAULT 0;   -- unix seconds: Date header, else INTERNALDATE
ALTER TABLE messages ADD COLUMN size           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN seen           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN flagged        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN answered       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN draft          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN keywords       TEXT    NOT NULL DEFAULT '';  -- other flags, space-separated
ALTER TABLE messages ADD COLUMN has_attachments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN snippet        TEXT    NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN body_state     TEXT    NOT NULL DEFAULT 'none'; -- none | done | failed
ALTER TABLE messages ADD COLUMN problems       TEXT    NOT NULL DEFAULT '';  -- parse problem codes, space-separated

CREATE UNIQUE INDEX messages_folder_uid ON messages(folder_id, uid);
CREATE INDEX messages_date ON messages(date DESC, id DESC);
CREATE INDEX messages_folder_date ON messages(folder_id, date DESC, id DESC);
CREATE INDEX messages_body_pending ON messages(folder_id, uid DESC) WHERE body_state = 'none';
CREATE INDEX messages_message_id ON messages(message_id) WHERE message_id <> '';

-- Every address of a message, for display, filing into records and search.
CREATE TABLE message_addresses (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('from', 'sender', 'reply_to', 'to', 'cc', 'bcc')),
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL DEFAULT '',
    email      TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (message_id, kind, position)
);
CREATE INDEX message_addresses_email ON message_addresses(email);

-- Bodies, stored once fetched: the text for reading and search, the HTML as received
-- (sanitised at display time, so an improved sanitiser applies to old mail too).
CREATE TABLE message_bodies (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    text       TEXT NOT NULL DEFAULT '',
    html       TEXT NOT NULL DEFAULT ''
);

-- Attachments' metadata; the content is fetched from the server (by part path) on demand.
CREATE TABLE attachments (
    message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    part_path    TEXT    NOT NULL,
    filename     TEXT    NOT NULL DEFAULT '',
    content_type TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    content_id   TEXT    NOT NULL DEFAULT '',
    inline       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, part_path)
);

-- Full-text search over subject, addresses and body text; rowid = messages.id. Written by
-- the sync engine in the same transaction as the message (no triggers: the body arrives
-- after the headers and both update one row).
CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, addresses, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Senders whose remote images the user always allows (F9).
CREATE TABLE remote_content_senders (
    email      TEXT    PRIMARY KEY COLLATE NOCASE,
    allowed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    allowed_at INTEGER NOT NULL
);
