-- Flag changes made in the app that the server does not have yet (F9). The sync engine
-- writes the message row and the intent in one transaction, pushes intents to the server
-- (UID STORE) whenever its connection is up, and deletes each one once applied. They
-- survive reconnects and restarts, and a re-sync never overwrites a flag that has one.
CREATE TABLE pending_flags (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    flag       TEXT    NOT NULL CHECK (flag IN ('seen', 'flagged')),
    value      INTEGER NOT NULL CHECK (value IN (0, 1)),
    queued_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, flag)
);

-- messages_fts has no foreign key: a message deleted by any path (expunge, UIDVALIDITY
-- purge, a folder or account deleted by cascade) takes its index row with it, so a reused
-- rowid never inherits another message's words.
CREATE TRIGGER messages_fts_cleanup AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;

-- The inbox's "unread" and "flagged" filters (and unread counts) without scanning every
-- message of a folder: few messages are unread or flagged, and these indexes hold only them.
CREATE INDEX messages_unread ON messages(folder_id, date DESC, id DESC) WHERE seen = 0;
CREATE INDEX messages_flagged ON messages(folder_id, date DESC, id DESC) WHERE flagged = 1;
