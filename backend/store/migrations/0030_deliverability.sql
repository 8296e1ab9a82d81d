-- The deliverability check (F16): the last result per account, kept with its time so the
-- account page shows it at once and a bulk or automated send can say whether it is stale.
-- The findings are a JSON array of {check, code, severity, params, fix}; the selectors are
-- the DKIM selectors the user gave (Postmark's dated one), reused when the check is run again.
CREATE TABLE deliverability_checks (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    domain     TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    selectors  TEXT    NOT NULL DEFAULT '[]',
    findings   TEXT    NOT NULL,
    checked_at INTEGER NOT NULL -- Unix milliseconds
);
