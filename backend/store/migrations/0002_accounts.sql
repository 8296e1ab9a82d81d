-- Email accounts (F2, F6). Secrets (passwords, tokens, API keys) are never stored here: they
-- live in the OS keychain under keys derived from the account id.
CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    email            TEXT    NOT NULL COLLATE NOCASE,
    secret_id        TEXT    NOT NULL UNIQUE,              -- random: names this account's keychain items
    from_name        TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL DEFAULT 'imap' CHECK (kind IN ('imap')),
    provider         TEXT    NOT NULL DEFAULT '',          -- catalogue id, '' for other servers
    settings_source  TEXT    NOT NULL DEFAULT '',          -- where the server settings came from
    imap_host        TEXT    NOT NULL,
    imap_port        INTEGER NOT NULL CHECK (imap_port BETWEEN 1 AND 65535),
    imap_security    TEXT    NOT NULL CHECK (imap_security IN ('tls', 'starttls')),
    imap_username    TEXT    NOT NULL,
    smtp_host        TEXT    NOT NULL,
    smtp_port        INTEGER NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_security    TEXT    NOT NULL CHECK (smtp_security IN ('tls', 'starttls')),
    smtp_username    TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'unchecked'
                             CHECK (status IN ('unchecked', 'ok', 'error', 'needs_password')),
    status_code      TEXT    NOT NULL DEFAULT '',          -- the error code of the last failed check
    last_check_at    INTEGER,
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (email, kind)
);

-- Who may use an account (F18). Deleting an account requires this to be empty.
CREATE TABLE account_access (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_access_user ON account_access(user_id);

-- Messages of an account. The sync feature extends this table; accounts only needs to know
-- whether any message of an account was processed (filed or sent), which forbids deletion.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    processed_at INTEGER
);
CREATE INDEX messages_account_processed ON messages(account_id) WHERE processed_at IS NOT NULL;

-- Domain presets (F5): per email domain, either IMAP+SMTP settings or an Exchange URL.
CREATE TABLE domain_presets (
    domain        TEXT    PRIMARY KEY COLLATE NOCASE,
    imap_host     TEXT,
    imap_port     INTEGER CHECK (imap_port BETWEEN 1 AND 65535),
    imap_security TEXT    CHECK (imap_security IN ('tls', 'starttls')),
    smtp_host     TEXT,
    smtp_port     INTEGER CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_security TEXT    CHECK (smtp_security IN ('tls', 'starttls')),
    username_form TEXT    NOT NULL DEFAULT 'email' CHECK (username_form IN ('email', 'local')),
    exchange_url  TEXT,
    updated_at    INTEGER NOT NULL,
    -- never both, never neither
    CHECK ((exchange_url IS NULL) <> (imap_host IS NULL AND smtp_host IS NULL)),
    CHECK ((imap_host IS NULL) = (smtp_host IS NULL))
);

-- Certificates the user chose to trust for exactly one host and port (F4).
CREATE TABLE trusted_certs (
    host       TEXT    NOT NULL COLLATE NOCASE,
    port       INTEGER NOT NULL,
    sha256     TEXT    NOT NULL,   -- hex of the leaf certificate's DER
    subject    TEXT    NOT NULL,
    issuer     TEXT    NOT NULL,
    not_after  INTEGER NOT NULL,
    trusted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    trusted_at INTEGER NOT NULL,
    PRIMARY KEY (host, port)
);
