-- The durable outbox (F15). Every message to send is a row, with the complete rendered
-- message in outbox_raw, committed before the UI says "queued"; backend/outbox's worker
-- sends it and records what happened. Times are unix milliseconds.
--
-- States: queued → sending → sent | failed | possibly_sent (and back to queued for a retry);
-- cancelled by the user. A row is left in 'sending' only by a crash: at the next start it
-- becomes 'possibly_sent' when data_at is set (the final dot may have reached the server),
-- else 'queued' (the server cannot have accepted a message whose end it never received).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'possibly_sent', 'cancelled')),
    message_id      TEXT    NOT NULL CHECK (length(message_id) > 0), -- the Message-ID header, without <>
    env_from        TEXT    NOT NULL,               -- envelope sender (MAIL FROM)
    env_to          TEXT    NOT NULL,               -- envelope recipients (RCPT TO), a JSON array
    subject         TEXT    NOT NULL DEFAULT '',    -- decoded, for the outbox list
    size            INTEGER NOT NULL,               -- of the message in outbox_raw
    attempts        INTEGER NOT NULL DEFAULT 0,     -- attempts since enqueue or the last user retry
    next_attempt_at INTEGER NOT NULL,               -- not before this time
    first_failure_at INTEGER,                       -- first transient failure of this round: the give-up clock
    data_at         INTEGER,                        -- the durable marker: set, and committed, just
                                                    -- before the final dot of the current attempt
    error_code      TEXT    NOT NULL DEFAULT '',    -- fault code of the last failure ('' when none)
    error_reason    TEXT    NOT NULL DEFAULT '',    -- finer reason, e.g. 'smtp_auth_disabled', 'gave_up'
    error_message   TEXT    NOT NULL DEFAULT '',    -- for people
    error_reply     TEXT    NOT NULL DEFAULT '',    -- the server's own words (with its code)
    reply           TEXT    NOT NULL DEFAULT '',    -- the server's final reply when sent, e.g. '250 2.0.0 Ok: queued as …'
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    -- The copy in the account's IMAP Sent folder: 'none' (not wanted: the provider files it,
    -- or the account has no IMAP), 'pending', 'done', 'failed'.
    copy_state      TEXT    NOT NULL DEFAULT 'none' CHECK (copy_state IN ('none', 'pending', 'done', 'failed')),
    copy_attempts   INTEGER NOT NULL DEFAULT 0,
    copy_error      TEXT    NOT NULL DEFAULT '',
    UNIQUE (account_id, message_id)
);

-- The complete RFC 5322 message of each outbox row (CRLF line endings, its Message-ID in
-- it): exactly what is sent and filed in Sent. A table of its own because SQLite rewrites a
-- whole row when an update changes its size, as every state change does: with the message
-- in the row, each of the three commits of an attempt would write it again (25 MB three
-- times for a large attachment); here it is written once.
CREATE TABLE outbox_raw (
    id  INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    raw BLOB    NOT NULL
);

-- The worker's query: the account's next due message.
CREATE INDEX outbox_due ON outbox(account_id, next_attempt_at, id) WHERE state = 'queued';
-- The outbox screen: counts per state, lists by state, newest first (keyset on id); the
-- recovery at start (rows a crash left in 'sending', account by account). Every index on
-- state costs each of a message's state changes: there is no other one for it.
CREATE INDEX outbox_account_state ON outbox(account_id, state, id);
-- The sent log, newest first (keyset on sent_at, id).
CREATE INDEX outbox_sent_log ON outbox(account_id, sent_at, id) WHERE state = 'sent';
-- The Sent-copy worker's query.
CREATE INDEX outbox_copy_pending ON outbox(account_id, id) WHERE copy_state = 'pending';
