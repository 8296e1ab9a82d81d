-- How an account sends (F3, issue 5): through its own SMTP server, or through an API
-- sender, Postmark or Mailgun. One account model: a mailbox that receives over IMAP may send
-- through an API sender ("receive here, send there"), and an API sender may be an account of
-- its own, with no IMAP server (a send-only account, never synced).
--
-- The API token or key is never stored here: it lives in the OS keychain, next to the
-- account's password, under account/<secret_id>/sender.
--
-- An account without an IMAP server, or one whose API sender needs no SMTP server, has ''
-- as that server's host. Its port and security columns then hold a placeholder (993/465 and
-- 'tls') that nothing reads: 0002's CHECKs require a port and a security mode, and lifting
-- them means rebuilding the accounts table, which SQLite can only do with foreign keys off
-- (outside a migration's transaction) or by cascading a DROP to every account's mail.
ALTER TABLE accounts ADD COLUMN sender TEXT NOT NULL DEFAULT 'smtp'
    CHECK (sender IN ('smtp', 'postmark', 'mailgun'));
-- Mailgun: the sending domain (e.g. mg.example.com) and its region, whose API alone knows it.
ALTER TABLE accounts ADD COLUMN sender_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sender_region TEXT NOT NULL DEFAULT ''
    CHECK (sender_region IN ('', 'us', 'eu'));
-- Postmark: the message stream ('' = the server's default transactional stream, outbound).
ALTER TABLE accounts ADD COLUMN sender_stream TEXT NOT NULL DEFAULT '';
