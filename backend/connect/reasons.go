package connect

import "mailroom/backend/fault"

// The ways a connection to a mail server fails, for the UI to word (reasons/connect.json).
// A server's own answer (an IMAP NO, an SMTP reply) goes in the error's Detail, verbatim.
var (
	// ErrSecurityChoice: a server's security is neither TLS nor STARTTLS (a form field).
	ErrSecurityChoice = define("security_choice_invalid", fault.InvalidInput, "choose TLS or STARTTLS")
	// ErrFingerprintInvalid: a certificate fingerprint to trust is not a SHA-256 in hex.
	ErrFingerprintInvalid = define("certificate_fingerprint_invalid", fault.InvalidInput, "this certificate fingerprint is not valid")

	// ErrServerNotFound: the server name does not resolve.
	ErrServerNotFound = define("server_not_found", fault.Network, "the server name {host} was not found")
	// ErrServerTimeout: nothing answered on the port in time.
	ErrServerTimeout = define("server_timeout", fault.Network, "{host} did not answer on port {port}").Temporary()
	// ErrConnectionRefused: the host refused the connection on the port.
	ErrConnectionRefused = define("server_connection_refused", fault.Network, "{host} refused the connection on port {port}")
	// ErrConnectFailed: any other failure to open the connection.
	ErrConnectFailed = define("server_connect_failed", fault.Network, "could not connect to {host} on port {port}").Temporary()

	// ErrTLSUntrusted: the server's certificate failed verification; reason is one of the
	// Untrusted* values (unknown_authority, expired, wrong_host, changed, invalid).
	ErrTLSUntrusted = define("tls_untrusted", fault.TLSUntrusted, "the certificate of {host} on port {port} is not trusted ({reason})")
	// ErrTLSNotOffered: the port did not speak TLS (it may expect STARTTLS).
	ErrTLSNotOffered = define("tls_not_offered", fault.TLSRequired, "{host} did not answer with TLS on port {port}")
	// ErrTLSTimeout: the handshake did not finish in time.
	ErrTLSTimeout = define("tls_timeout", fault.Network, "{host} did not complete the secure connection on port {port} in time").Temporary()
	// ErrTLSFailed: the handshake failed otherwise.
	ErrTLSFailed = define("tls_failed", fault.Network, "the secure connection to {host} on port {port} failed").Temporary()

	// ErrIMAPStartTLSMissing: the IMAP server does not offer STARTTLS; Mailroom never sends a
	// password unencrypted.
	ErrIMAPStartTLSMissing = define("imap_starttls_unavailable", fault.TLSRequired, "{host} does not offer STARTTLS on port {port}")
	// ErrIMAPNoGreeting: what answered is not an IMAP server.
	ErrIMAPNoGreeting = define("imap_no_greeting", fault.Network, "{host} did not greet as an IMAP server on port {port}")
	// ErrIMAPLoginDisabled: the server refuses LOGIN on this connection (LOGINDISABLED).
	ErrIMAPLoginDisabled = define("imap_login_disabled", fault.TLSRequired, "{host} refuses to log in on this connection (LOGINDISABLED)")
	// ErrIMAPEncryptionRequired: the server answered PRIVACYREQUIRED.
	ErrIMAPEncryptionRequired = define("imap_encryption_required", fault.TLSRequired, "{host} requires an encrypted connection to log in")
	// ErrIMAPNoXOAuth2: the server does not offer AUTH=XOAUTH2 for an OAuth account.
	ErrIMAPNoXOAuth2 = define("imap_xoauth2_unavailable", fault.ProviderRejected, "{host} does not offer sign-in with an access token (AUTH=XOAUTH2)")
	// ErrIMAPAuthFailed: the server refused the username or password.
	ErrIMAPAuthFailed = define("imap_auth_failed", fault.AuthFailed, "{host} refused the username or password")
	// ErrIMAPTokenRefused: the server refused the (renewed) access token.
	ErrIMAPTokenRefused = define("imap_token_refused", fault.AuthFailed, "{host} refused the access token for {username}")
	// ErrIMAPSessionRefused: the sign-in passed, then the session was refused (Outlook's
	// "authenticated but not connected").
	ErrIMAPSessionRefused = define("imap_session_refused", fault.AuthFailed, "{host} accepted the sign-in, then refused the session")
	// ErrIMAPUnavailable: the server said it is unavailable (UNAVAILABLE, SERVERBUG).
	ErrIMAPUnavailable = define("imap_unavailable", fault.ProviderRejected, "{host} is temporarily unavailable").Temporary()
	// ErrIMAPConnectionLost: the connection dropped while signing in.
	ErrIMAPConnectionLost = define("imap_connection_lost", fault.Network, "the connection to {host} was lost while signing in").Temporary()

	// ErrSMTPStartTLSMissing: the SMTP server does not offer STARTTLS.
	ErrSMTPStartTLSMissing = define("smtp_starttls_unavailable", fault.TLSRequired, "{host} does not offer STARTTLS on port {port}")
	// ErrSMTPAuthFailed: the server refused the username or password (535, 534).
	ErrSMTPAuthFailed = define("smtp_auth_failed", fault.AuthFailed, "{host} refused the username or password")
	// ErrSMTPAuthDisabledReason: Microsoft 365 has SMTP AUTH turned off (535 5.7.139); the
	// error's chain also holds ErrSMTPAuthDisabled.
	ErrSMTPAuthDisabledReason = define("smtp_auth_disabled", fault.ProviderRejected, "{host} refused: sending with a password (SMTP AUTH) is turned off for this organisation")
	// ErrSMTPEncryptionRequired: 530 or 538 before login.
	ErrSMTPEncryptionRequired = define("smtp_encryption_required", fault.TLSRequired, "{host} requires encryption before login")
	// ErrSMTPSessionRefused: AUTH passed, then MAIL FROM (or NOOP) was refused.
	ErrSMTPSessionRefused = define("smtp_session_refused", fault.AuthFailed, "{host} accepted the sign-in, then refused the session")
	// ErrSMTPTemporary: a 4xx refusal.
	ErrSMTPTemporary = define("smtp_refused_temporarily", fault.ProviderRejected, "{host} is temporarily refusing ({code})").Temporary()
	// ErrSMTPRefused: a 5xx refusal.
	ErrSMTPRefused = define("smtp_refused", fault.ProviderRejected, "{host} refused ({code})")
	// ErrSMTPTimeout: the server did not answer in time.
	ErrSMTPTimeout = define("smtp_timeout", fault.Network, "{host} did not answer in time on port {port}").Temporary()
	// ErrSMTPFailed: the SMTP conversation failed otherwise.
	ErrSMTPFailed = define("smtp_failed", fault.Network, "the SMTP conversation with {host} on port {port} failed").Temporary()
)

// define is fault.Define; the short name keeps the table above readable.
func define(name string, code fault.Code, english string) *fault.Reason {
	return fault.Define(name, code, english)
}
