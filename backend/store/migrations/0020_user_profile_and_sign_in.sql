-- Signing in on a shared workstation (F21) and the profile (issue 15). Numbered 0020 so the
-- records migrations (0011 onwards), written at the same time, keep their own numbers.
--
-- title and phone are the user's profile (signatures' merge tags read them).
-- password_hash is an Argon2id PHC string ('' = no password): a verifier, not a secret the
-- keychain keeps (see docs/ARCHITECTURE.md, "Who is at the keyboard").
-- sign_in_failures and sign_in_next_at slow wrong passwords down: failures in a row and the
-- Unix time (ms) before which no new attempt is checked; they survive a restart.
ALTER TABLE users ADD COLUMN title            TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone            TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN password_hash    TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sign_in_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN sign_in_next_at  INTEGER NOT NULL DEFAULT 0;

-- Who is signed in is no longer remembered across starts: each start asks, once a second
-- user exists.
DELETE FROM settings WHERE key = 'session.user_id';
