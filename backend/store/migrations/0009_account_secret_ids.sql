-- No keychain call inside a write transaction (issue 11): a keychain waiting for its unlock
-- prompt must not hold the store's only writer. A secret is therefore written first, under
-- a new id, and the row committed after, pointing at it; the old secret is removed after the
-- commit. Each secret of an account gets its own id, so replacing one (a new password) never
-- moves the others (an OAuth grant a sync is using). The keys stay account/<id>/password,
-- account/<id>/sender and account/<id>/oauth; '' means no such secret is stored.
ALTER TABLE accounts ADD COLUMN password_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sender_secret   TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN oauth_secret    TEXT NOT NULL DEFAULT '';
-- Until now every secret of an account lived under its secret_id.
UPDATE accounts SET password_secret = secret_id, sender_secret = secret_id, oauth_secret = secret_id;
CREATE INDEX accounts_oauth_secret ON accounts(oauth_secret) WHERE oauth_secret <> '';

-- Secrets the keychain may hold that no account may name: recorded (and committed) before a
-- secret is written, and removed in the transaction that makes a row point at it; recorded
-- in the transaction that makes a row stop pointing at one, and removed once the keychain
-- deleted it. The keychain cannot list its items, so this table is how a secret left by a
-- crash or a failed delete is found and removed at the next start. run is the id of the
-- process that recorded it: the start only cleans what earlier runs left.
CREATE TABLE pending_secrets (
    secret_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('password', 'sender', 'oauth')),
    run        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (secret_id, kind)
);
