-- Sign in with Google or Microsoft (F1, issue 6): an account authenticates to its servers
-- with a password or with OAuth access tokens (XOAUTH2). The refresh token lives only in the
-- OS keychain, under account/<secret_id>/oauth; the access token only in memory.
--
-- A refused grant (revoked, expired, invalid_grant) is recorded as the status
-- 'needs_password' that 0002 allows, which for an OAuth account reads "needs sign-in": the
-- status CHECK cannot gain a value without rebuilding the table (see 0007).
ALTER TABLE accounts ADD COLUMN auth TEXT NOT NULL DEFAULT 'password'
    CHECK (auth IN ('password', 'oauth'));
ALTER TABLE accounts ADD COLUMN oauth_provider TEXT NOT NULL DEFAULT ''
    CHECK (oauth_provider IN ('', 'google', 'microsoft'));
