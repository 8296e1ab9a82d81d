-- Bulk sends (F12 item 3): a template sent to every record of a filtered list, through the
-- outbox, paced to the account's daily limit. A job and each of its recipients are rows, so
-- a crash mid-way resumes where it stopped: a recipient is handed to the outbox under a
-- Message-ID fixed before it is queued (bulk.<token>.<record>.<generation>@domain), and
-- a recipient still "pending" after a crash whose Message-ID is already in the outbox is
-- not queued again. Times are Unix milliseconds.
CREATE TABLE bulk_jobs (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    template_id INTEGER REFERENCES templates(id) ON DELETE SET NULL,
    type_id     INTEGER NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',      -- the template's name when started
    state       TEXT    NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'done')),
    token       TEXT    NOT NULL,                 -- random: the Message-IDs' part of this job
    sender      TEXT    NOT NULL DEFAULT '{}',    -- templates.Sender as JSON
    per_day     INTEGER NOT NULL,                 -- the pace it was planned with
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One row per record of the list: to send (pending → queued, with its outbox row) or set
-- aside with the reason (skipped).
CREATE TABLE bulk_recipients (
    job_id      INTEGER NOT NULL REFERENCES bulk_jobs(id) ON DELETE CASCADE,
    record_id   INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'queued', 'skipped', 'cancelled')),
    reason      TEXT    NOT NULL DEFAULT '',      -- skipped: no_address, do_not_email, missing_value
    missing     TEXT    NOT NULL DEFAULT '',      -- the placeholders without a value, one a line
    generation  INTEGER NOT NULL DEFAULT 0,       -- +1 each time a pause takes it back from the outbox
    not_before  INTEGER NOT NULL,                 -- its slot in the pace
    outbox_id   INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
    filed       INTEGER NOT NULL DEFAULT 0,       -- linked to its record once its Sent copy is synced
    PRIMARY KEY (job_id, record_id)
) WITHOUT ROWID;
CREATE INDEX bulk_recipients_todo ON bulk_recipients(job_id, state, position);
CREATE INDEX bulk_recipients_outbox ON bulk_recipients(outbox_id) WHERE outbox_id IS NOT NULL;

-- An account's daily limit when the user changed it (else the provider's published one).
CREATE TABLE bulk_limits (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    per_day    INTEGER NOT NULL CHECK (per_day > 0)
);

-- The deliverability warning shown before an account's first bulk or automated send,
-- remembered once acknowledged.
CREATE TABLE bulk_deliverability_acks (
    account_id      INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    acknowledged_at INTEGER NOT NULL,
    acknowledged_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
