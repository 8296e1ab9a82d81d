-- Shared mailboxes across workstations (F11): a message's "filed" and "handled" states
-- travel as IMAP keywords ($MailroomFiled, $MailroomHandled; docs/ARCHITECTURE.md says
-- why these), so a colleague's Mailroom syncing the same mailbox sees them, with no server
-- of ours.

-- pending_flags is the durable queue of every flag change the server does not have yet:
-- seen and flagged (the user's), handled (the user's) and filed (the filing engine's). The
-- CHECK grows, so the table is rebuilt (SQLite cannot alter a CHECK).
CREATE TABLE pending_flags_new (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    flag       TEXT    NOT NULL CHECK (flag IN ('seen', 'flagged', 'handled', 'filed')),
    value      INTEGER NOT NULL CHECK (value IN (0, 1)),
    queued_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, flag)
);
INSERT INTO pending_flags_new(message_id, flag, value, queued_at)
    SELECT message_id, flag, value, queued_at FROM pending_flags;
DROP TABLE pending_flags;
ALTER TABLE pending_flags_new RENAME TO pending_flags;

-- handled: marked handled, here or on another workstation ($MailroomHandled on the
-- server; kept here alone where the folder refuses new keywords).
ALTER TABLE messages ADD COLUMN handled      INTEGER NOT NULL DEFAULT 0;
-- shared_filed: the server says the message is filed ($MailroomFiled), by this workstation
-- or another: it never waits in "To file" here, although no record of ours holds it.
ALTER TABLE messages ADD COLUMN shared_filed INTEGER NOT NULL DEFAULT 0;

-- Whether the folder takes new keywords (PERMANENTFLAGS holds \* or both of ours): NULL
-- not yet known (never selected), 1 yes, 0 no: the states stay on this workstation only.
ALTER TABLE folders ADD COLUMN keywords_ok INTEGER CHECK (keywords_ok IN (0, 1));

-- Keywords already synced before this migration (another workstation set them).
UPDATE messages SET handled = 1 WHERE (' ' || lower(keywords) || ' ') LIKE '% $mailroomhandled %';
UPDATE messages SET shared_filed = 1 WHERE (' ' || lower(keywords) || ' ') LIKE '% $mailroomfiled %';
