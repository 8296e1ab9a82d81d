package oauth

import "mailroom/backend/fault"

// The ways a sign-in with Google or Microsoft fails, for the UI to word
// (reasons/oauth.json). The provider's own words (its error and error_description) go in
// the error's Detail; a token never does.
var (
	// ErrClientRefused: the provider does not accept the configured client ID (invalid_client).
	ErrClientRefused = fault.Define("oauth_client_refused", fault.ProviderRejected,
		"{provider} does not accept Mailroom's client ID")
	// ErrProviderUnavailable: the provider answered 5xx or 429.
	ErrProviderUnavailable = fault.Define("oauth_provider_unavailable", fault.Network,
		"{provider} is not answering properly right now ({status})").Temporary()
	// ErrProviderRefused: the provider refused the request for another reason (Detail).
	ErrProviderRefused = fault.Define("oauth_refused", fault.ProviderRejected,
		"{provider} refused the request")
	// ErrUnreachable: the provider could not be reached.
	ErrUnreachable = fault.Define("oauth_unreachable", fault.Network,
		"Mailroom could not reach {provider}").Temporary()
	// ErrUnreadable: the provider's answer could not be read.
	ErrUnreadable = fault.Define("oauth_unreadable_answer", fault.ProviderRejected,
		"{provider} gave an answer Mailroom could not read")
	// ErrSettingsURL: an endpoint address in the provider's settings is not valid.
	ErrSettingsURL = fault.Define("oauth_settings_url_invalid", fault.InvalidInput,
		"an address in the {provider} sign-in settings is not valid")

	// ErrLocalPort: the loopback port for the browser's answer could not be opened.
	ErrLocalPort = fault.Define("oauth_local_port", fault.Network,
		"Mailroom could not listen on {address} for the browser's answer")
	// ErrBrowser: the system browser could not be opened.
	ErrBrowser = fault.Define("oauth_browser_failed", fault.Internal,
		"Mailroom could not open the web browser for the sign-in")
	// ErrFlowTimeout: the browser never came back.
	ErrFlowTimeout = fault.Define("oauth_timeout", fault.AuthFailed,
		"the sign-in with {provider} was not completed within {minutes} minutes")
	// ErrFlowStopped: the sign-in was stopped before an answer came.
	ErrFlowStopped = fault.Define("oauth_stopped", fault.AuthFailed, "the sign-in was stopped")
	// ErrStateMismatch: the browser's answer was not this sign-in's (state).
	ErrStateMismatch = fault.Define("oauth_state_mismatch", fault.AuthFailed,
		"the answer that came back was not the answer to this sign-in")
	// ErrFlowCancelled: the user declined in the browser (access_denied).
	ErrFlowCancelled = fault.Define("oauth_cancelled", fault.AuthFailed,
		"the sign-in was cancelled in the browser: {provider} did not give access")
	// ErrNoCode: the answer carried no authorisation code.
	ErrNoCode = fault.Define("oauth_no_code", fault.ProviderRejected,
		"{provider} came back without an authorisation code")
	// ErrCodeRefused: the token endpoint refused the authorisation code (invalid_grant).
	ErrCodeRefused = fault.Define("oauth_code_refused", fault.AuthFailed,
		"{provider} refused the sign-in code")
	// ErrOtherAddress: the address that signed in is not the one being connected.
	ErrOtherAddress = fault.Define("oauth_other_address", fault.AuthFailed,
		"signed in to {provider} as {signedIn}, but the account being connected is {address}")
	// ErrNoRefreshToken: the provider gave no lasting access.
	ErrNoRefreshToken = fault.Define("oauth_no_refresh_token", fault.ProviderRejected,
		"{provider} did not give lasting access (no refresh token)")

	// ErrAddressUnknown: the provider did not say which address signed in.
	ErrAddressUnknown = fault.Define("oauth_address_unknown", fault.ProviderRejected,
		"{provider} did not say which address signed in")
	// ErrIdentityInvalid: the ID token or userinfo answer could not be verified or read.
	ErrIdentityInvalid = fault.Define("oauth_identity_invalid", fault.ProviderRejected,
		"the identity {provider} sent back could not be verified")
	// ErrIdentityIssuer: the ID token came from another issuer.
	ErrIdentityIssuer = fault.Define("oauth_identity_issuer", fault.ProviderRejected,
		"the identity came from {issuer}, which is not {provider}")
	// ErrIdentityNonce: the ID token belongs to another sign-in (nonce).
	ErrIdentityNonce = fault.Define("oauth_identity_nonce", fault.AuthFailed,
		"the identity {provider} sent back belongs to another sign-in")
	// ErrAddressUnverified: the provider says the address is not verified.
	ErrAddressUnverified = fault.Define("oauth_address_unverified", fault.AuthFailed,
		"{provider} says the address {address} is not verified")

	// ErrAccessRevoked: the user disconnected the account (Mailroom revoked its grant).
	ErrAccessRevoked = fault.Define("oauth_access_revoked", fault.AuthFailed,
		"Mailroom's access to {address} was revoked; sign in with {provider} again")
	// ErrRevokeUnconfirmed: the provider did not confirm the revocation.
	ErrRevokeUnconfirmed = fault.Define("oauth_revoke_unconfirmed", fault.ProviderRejected,
		"{provider} did not confirm that Mailroom's access was revoked ({status})")
	// ErrNoSavedSignIn: the account has no saved grant.
	ErrNoSavedSignIn = fault.Define("oauth_no_saved_sign_in", fault.AuthFailed,
		"this account has no saved sign-in")
	// ErrSavedSignInUnreadable: the saved grant cannot be read.
	ErrSavedSignInUnreadable = fault.Define("oauth_saved_sign_in_unreadable", fault.AuthFailed,
		"this account's saved sign-in is unreadable")
	// ErrGrantRefused: the provider no longer accepts the grant (revoked, expired, password
	// changed).
	ErrGrantRefused = fault.Define("oauth_grant_refused", fault.AuthFailed,
		"{provider} no longer accepts Mailroom's access to {address}")
	// ErrSignInSpent: a wizard's sign-in whose access token the server refused.
	ErrSignInSpent = fault.Define("oauth_sign_in_refused", fault.AuthFailed,
		"the server refused this sign-in")
)
