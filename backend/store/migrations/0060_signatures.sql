-- Signatures (F14) and each user's defaults on an account (F18), issue 15.
--
-- An account has at most three signatures (the registry refuses a fourth in the same write
-- transaction). html is kept sanitised by message.Sanitize (bluemonday, the mail policy);
-- merge tags ({{user.name}}…) stay as typed and are replaced when a message is written.
CREATE TABLE signatures (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    html       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX signatures_account ON signatures(account_id, id);

-- For each user with access: whether the account is their default one (at most one per
-- user), and their default signature on it (NULL: none; deleting the signature clears it).
ALTER TABLE account_access ADD COLUMN is_default   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account_access ADD COLUMN signature_id INTEGER REFERENCES signatures(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX account_access_one_default ON account_access(user_id) WHERE is_default = 1;
