package setup

import "mailroom/backend/fault"

// The wizard's failures (worded in frontend/src/lib/i18n/reasons/setup.json).
var (
	// ErrRunIDMissing: a connection test or sign-in was started without a run id (a
	// programming slip of the UI, shown rather than hidden).
	ErrRunIDMissing = fault.Define("setup_run_id_missing", fault.InvalidInput,
		"a connection test or a sign-in needs a run id")
	// ErrPasswordMissing: a test of password settings without a password.
	ErrPasswordMissing = fault.Define("setup_password_missing", fault.InvalidInput,
		"enter the password")
	// ErrPostmarkTokenMissing: a Postmark sender tested without its server token.
	ErrPostmarkTokenMissing = fault.Define("setup_postmark_token_missing", fault.InvalidInput,
		"enter the Postmark server's API token")
	// ErrMailgunKeyMissing: a Mailgun sender tested without its API key.
	ErrMailgunKeyMissing = fault.Define("setup_mailgun_key_missing", fault.InvalidInput,
		"enter the Mailgun API key")
	// ErrCertificateNotShown: TrustCertificate of a certificate no test has just shown.
	ErrCertificateNotShown = fault.Define("setup_certificate_not_shown", fault.NotFound,
		"Mailroom only trusts a certificate of {host} it has just shown: test the connection again")
	// ErrTestEmailTooLong: the test email's subject or body is over its limit.
	ErrTestEmailTooLong = fault.Define("setup_test_email_too_long", fault.InvalidInput,
		"the test email is too long")
	// ErrTestEmailNoRecipient: the test email has no recipient.
	ErrTestEmailNoRecipient = fault.Define("setup_test_email_no_recipient", fault.InvalidInput,
		"enter the test email's recipient")
	// ErrTestEmailRefused: the server refused the test email (its words in the detail). The
	// error carries the outbox's code (auth_failed, provider_rejected…).
	ErrTestEmailRefused = fault.Define("setup_test_email_refused", fault.ProviderRejected,
		"the server refused the test email")

	// ErrSignInUnavailable: this build cannot sign in with Google or Microsoft.
	ErrSignInUnavailable = fault.Define("setup_signin_unavailable", fault.Internal,
		"signing in with Google or Microsoft is not available in this build")
	// ErrSignInProvider: a sign-in with a provider other than Google or Microsoft.
	ErrSignInProvider = fault.Define("setup_signin_provider_unknown", fault.InvalidInput,
		"choose Google or Microsoft to sign in with")
	// ErrSignInOver: Reopen of a sign-in that no longer waits.
	ErrSignInOver = fault.Define("setup_signin_over", fault.NotFound,
		"this sign-in is over: start it again")
	// ErrSignInExpired: Test or Create with a sign-in that is missing or too old.
	ErrSignInExpired = fault.Define("setup_signin_expired", fault.InvalidInput,
		"the sign-in is missing or too old: sign in again")
	// ErrSignInFirst: a test of an unsaved account that signs in, before signing in.
	ErrSignInFirst = fault.Define("setup_signin_first", fault.InvalidInput,
		"sign in first")
	// ErrSignInOtherAddress: the address that signed in is not the account's.
	ErrSignInOtherAddress = fault.Define("setup_signin_other_address", fault.InvalidInput,
		"signed in as {signedIn}, but this account is {address}: sign in again with {address}")
	// ErrSignsInWithPassword: SignInAgain of an account that uses a password.
	ErrSignsInWithPassword = fault.Define("setup_signin_account_uses_password", fault.InvalidInput,
		"{address} signs in with a password: edit the account to change it")
)
