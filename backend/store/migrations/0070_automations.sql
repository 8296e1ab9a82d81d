-- Automations (F13): rules that send a template from records, at an hour of the day in the
-- user's time zone, and their ledger: one row per (automation, record, trigger value), so
-- that a mail goes out once per record and per value of the triggering date (a moved due
-- date arms it again), written in the same transaction as the outbox row it queues.
CREATE TABLE automations (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    type_id         INTEGER NOT NULL REFERENCES record_types(id) ON DELETE CASCADE,
    trigger         TEXT    NOT NULL CHECK (trigger IN ('date', 'created', 'changed')),
    field_key       TEXT    NOT NULL DEFAULT '',  -- date: the date field; changed: the field watched
    offset_days     INTEGER NOT NULL DEFAULT 0,   -- date: days after (> 0) or before (< 0) the date
    value           TEXT    NOT NULL DEFAULT '',  -- changed: the value (JSON) the field changes to
    conditions      TEXT    NOT NULL DEFAULT '[]', -- JSON: the records' list filters, all must hold
    template_id     INTEGER REFERENCES templates(id) ON DELETE SET NULL, -- NULL: deleted since; runs stop
    recipient_mode  TEXT    NOT NULL CHECK (recipient_mode IN ('field', 'link')),
    recipient_field TEXT    NOT NULL,             -- an email field, or a link field
    recipient_role  TEXT    NOT NULL DEFAULT '',  -- link to a company: its contact whose job title holds this
    account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL, -- NULL: the office sender
    hour            INTEGER NOT NULL DEFAULT 9 CHECK (hour BETWEEN 0 AND 23),
    timezone        TEXT    NOT NULL DEFAULT 'UTC',
    threshold       INTEGER NOT NULL DEFAULT 20,  -- more due at once than this: ask first
    enabled         INTEGER NOT NULL DEFAULT 1,
    armed_at        INTEGER NOT NULL,             -- Unix ms: created / changed triggers count from here
    last_run_day    TEXT    NOT NULL DEFAULT '',  -- the local day of the last scheduled run (YYYY-MM-DD)
    last_run_at     INTEGER,
    created_at      INTEGER NOT NULL,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX automations_name ON automations(name COLLATE NOCASE);
CREATE INDEX automations_by_type ON automations(type_id);

-- The ledger. state: 'queued' (in the outbox: outbox_id), 'pending' (over the threshold,
-- waiting for approval), 'skipped' (the user declined it: never sent for this value),
-- 'blocked' (could not be sent: reason; tried again at each run).
CREATE TABLE automation_ledger (
    automation_id INTEGER NOT NULL REFERENCES automations(id) ON DELETE CASCADE,
    record_id     INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    trigger_value TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('queued', 'pending', 'skipped', 'blocked')),
    outbox_id     INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
    recipient     TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    reason_params TEXT    NOT NULL DEFAULT '',
    filed         INTEGER NOT NULL DEFAULT 0,   -- the sent copy is filed to the record
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    decided_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (automation_id, record_id, trigger_value)
) WITHOUT ROWID;
CREATE INDEX automation_ledger_log ON automation_ledger(automation_id, updated_at);
CREATE INDEX automation_ledger_by_record ON automation_ledger(record_id);
CREATE INDEX automation_ledger_unfiled ON automation_ledger(outbox_id) WHERE state = 'queued' AND filed = 0;
