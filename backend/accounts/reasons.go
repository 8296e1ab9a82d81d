package accounts

import "mailroom/backend/fault"

// The reasons of the account registry's failures (the UI words them in
// frontend/src/lib/i18n/reasons/accounts.json). {server} is "imap" or "smtp".
var (
	// ErrAccountEmailInvalid: the account's address is not an email address.
	ErrAccountEmailInvalid = fault.Define("account_email_invalid", fault.InvalidInput,
		"enter an email address such as name@example.com")
	// ErrAccountNameTooLong: the account's name or From name is too long.
	ErrAccountNameTooLong = fault.Define("account_name_too_long", fault.InvalidInput,
		"the name is too long (at most {max} characters)")
	// ErrServerHostInvalid: a server's name is missing or is not a host name.
	ErrServerHostInvalid = fault.Define("server_host_invalid", fault.InvalidInput,
		"enter the {server} server's name, such as imap.example.com")
	// ErrServerPortInvalid: a server's port is out of range.
	ErrServerPortInvalid = fault.Define("server_port_invalid", fault.InvalidInput,
		"enter a {server} port between 1 and 65535")
	// ErrServerSecurityInvalid: a server's protection is neither TLS nor STARTTLS.
	ErrServerSecurityInvalid = fault.Define("server_security_invalid", fault.InvalidInput,
		"choose TLS or STARTTLS for the {server} server")
	// ErrServerUsernameMissing: a server's username is empty.
	ErrServerUsernameMissing = fault.Define("server_username_missing", fault.InvalidInput,
		"enter the {server} username (often the email address)")
	// ErrAccountAuthInvalid: the way to sign in is unknown.
	ErrAccountAuthInvalid = fault.Define("account_auth_invalid", fault.InvalidInput,
		"choose how the account signs in: a password, or Google or Microsoft")
	// ErrAccountOAuthProviderInvalid: an OAuth account names no known provider.
	ErrAccountOAuthProviderInvalid = fault.Define("account_oauth_provider_invalid", fault.InvalidInput,
		"choose Google or Microsoft to sign in with")
	// ErrAccountSendOnlyOAuth: a send-only account (an API sender) has nothing to sign in to.
	ErrAccountSendOnlyOAuth = fault.Define("account_send_only_oauth", fault.InvalidInput,
		"an account that only sends through Postmark or Mailgun has nothing to sign in to")
	// ErrAccountOAuthUnavailable: this build cannot sign in with Google or Microsoft.
	ErrAccountOAuthUnavailable = fault.Define("account_oauth_unavailable", fault.Internal,
		"signing in with Google or Microsoft is not available in this build")
	// ErrAccountSignInFirst: an OAuth account comes without a completed sign-in.
	ErrAccountSignInFirst = fault.Define("account_sign_in_first", fault.InvalidInput,
		"sign in with {provider} first")
	// ErrAccountSignInOtherProvider: the sign-in was made with another provider.
	ErrAccountSignInOtherProvider = fault.Define("account_sign_in_other_provider", fault.InvalidInput,
		"this sign-in was made with another provider: sign in with {provider} again")
	// ErrAccountSignInOtherAddress: the user signed in with another address than the account's.
	ErrAccountSignInOtherAddress = fault.Define("account_sign_in_other_address", fault.InvalidInput,
		"you signed in as {signedIn}, but this account is {address}: sign in again with {address}")
	// ErrAccountOAuthAddressChange: an OAuth account's address changes without a new sign-in.
	ErrAccountOAuthAddressChange = fault.Define("account_oauth_address_change", fault.InvalidInput,
		"this account signed in as {address}: to use another address, sign in again with it")
	// ErrAccountPostmarkStreamInvalid: the Postmark message stream's id is malformed.
	ErrAccountPostmarkStreamInvalid = fault.Define("account_postmark_stream_invalid", fault.InvalidInput,
		"enter the message stream's ID as Postmark shows it (for example outbound), or leave it empty")
	// ErrAccountMailgunDomainInvalid: the Mailgun sending domain is not a domain.
	ErrAccountMailgunDomainInvalid = fault.Define("account_mailgun_domain_invalid", fault.InvalidInput,
		"enter the sending domain as Mailgun shows it (for example mg.example.com)")
	// ErrAccountMailgunRegionInvalid: the Mailgun region is neither US nor EU.
	ErrAccountMailgunRegionInvalid = fault.Define("account_mailgun_region_invalid", fault.InvalidInput,
		"choose the region of the Mailgun domain: US or EU")
	// ErrAccountSenderInvalid: the way to send is unknown.
	ErrAccountSenderInvalid = fault.Define("account_sender_invalid", fault.InvalidInput,
		"choose how this account sends: its SMTP server, Postmark or Mailgun")
	// ErrAccountPasswordMissing: an account that logs in with a password comes without one.
	ErrAccountPasswordMissing = fault.Define("account_password_missing", fault.InvalidInput,
		"enter the password")
	// ErrAccountPostmarkTokenMissing: a Postmark sender comes without its server token.
	ErrAccountPostmarkTokenMissing = fault.Define("account_postmark_token_missing", fault.InvalidInput,
		"enter the Postmark server's API token")
	// ErrAccountMailgunKeyMissing: a Mailgun sender comes without its API key.
	ErrAccountMailgunKeyMissing = fault.Define("account_mailgun_key_missing", fault.InvalidInput,
		"enter the Mailgun API key")
	// ErrEmailConnected: the address is already connected as another account.
	ErrEmailConnected = fault.Define("account_already_connected", fault.Conflict,
		"{address} is already connected")
	// ErrAccountChanged: the account's secrets changed while an update was writing its own.
	ErrAccountChanged = fault.Define("account_changed_meanwhile", fault.Conflict,
		"this account was changed meanwhile: open it again and retry")
	// ErrAccountGone: the account no longer exists.
	ErrAccountGone = fault.Define("account_gone", fault.NotFound, "this account no longer exists")
	// ErrAccountOrUserGone: access was granted to an account or a user that no longer exists.
	ErrAccountOrUserGone = fault.Define("account_or_user_gone", fault.NotFound,
		"this account or user no longer exists")
	// ErrAccountNoPassword: the keychain holds no password for the account.
	ErrAccountNoPassword = fault.Define("account_no_password", fault.AuthFailed,
		"Mailroom has no password for {address}: enter it again")
	// ErrAccountNoPostmarkToken: the keychain holds no Postmark token for the account.
	ErrAccountNoPostmarkToken = fault.Define("account_no_postmark_token", fault.AuthFailed,
		"Mailroom has no Postmark server token for {address}: enter it again in the account's settings")
	// ErrAccountNoMailgunKey: the keychain holds no Mailgun key for the account.
	ErrAccountNoMailgunKey = fault.Define("account_no_mailgun_key", fault.AuthFailed,
		"Mailroom has no Mailgun API key for {address}: enter it again in the account's settings")
	// ErrAccountNotAPISender: an API sender's secret was asked of an account that sends by SMTP.
	ErrAccountNotAPISender = fault.Define("account_not_api_sender", fault.InvalidInput,
		"{address} sends through its SMTP server, not an API sender")
	// ErrAccountNotOAuth: an OAuth action (sign in again, disconnect, grant details) on an
	// account that signs in with a password.
	ErrAccountNotOAuth = fault.Define("account_not_oauth", fault.InvalidInput,
		"{address} signs in with a password, not with Google or Microsoft")
	// ErrAccountRevokeUnconfirmed: Disconnect removed the tokens from this computer, but the
	// provider did not confirm the revocation.
	ErrAccountRevokeUnconfirmed = fault.Define("account_revoke_unconfirmed", fault.ProviderRejected,
		"Mailroom's tokens are removed from this computer, but {provider} did not confirm the revocation: "+
			"remove Mailroom's access from the {provider} account's security page")
	// ErrDeleteHasAccess: an account with users granted cannot be deleted (F6).
	ErrDeleteHasAccess = fault.Define("delete_has_access", fault.Conflict,
		"{address} cannot be deleted: {count} users still have access to it")
	// ErrDeleteProcessedMail: an account whose mail was filed or sent cannot be deleted.
	ErrDeleteProcessedMail = fault.Define("delete_processed_mail", fault.Conflict,
		"{address} cannot be deleted: some of its messages have been filed or sent")
	// ErrDeleteOutboxWaiting: an account whose Outbox holds unsettled messages cannot be deleted.
	ErrDeleteOutboxWaiting = fault.Define("delete_outbox_waiting", fault.Conflict,
		"{address} cannot be deleted: {count} of its messages are still in the Outbox")
	// ErrQuotaInvalid: the quota asked is out of range.
	ErrQuotaInvalid = fault.Define("quota_invalid", fault.InvalidInput,
		"enter a number of accounts between 0 (no limit) and {max}")
	// ErrQuotaReached: no place is left in the quota of active accounts.
	ErrQuotaReached = fault.Define("quota_reached", fault.QuotaReached,
		"the quota of {limit} active accounts is reached")

	// ErrPresetDomainInvalid: a preset's domain is not a domain.
	ErrPresetDomainInvalid = fault.Define("preset_domain_invalid", fault.InvalidInput,
		"enter a domain such as example.com")
	// ErrPresetBoth: a preset has both servers and an Exchange URL.
	ErrPresetBoth = fault.Define("preset_servers_and_exchange", fault.InvalidInput,
		"a preset has either IMAP and SMTP servers or an Exchange URL, not both")
	// ErrPresetNeither: a preset has neither servers nor an Exchange URL.
	ErrPresetNeither = fault.Define("preset_servers_or_exchange_missing", fault.InvalidInput,
		"enter the IMAP and SMTP servers, or an Exchange URL")
	// ErrPresetExchangeURLInvalid: a preset's Exchange URL is not an https:// URL.
	ErrPresetExchangeURLInvalid = fault.Define("preset_exchange_url_invalid", fault.InvalidInput,
		"enter the Exchange URL starting with https://")
	// ErrPresetServersIncomplete: a preset has one of its two servers only.
	ErrPresetServersIncomplete = fault.Define("preset_servers_incomplete", fault.InvalidInput,
		"enter both the IMAP and the SMTP server")
	// ErrPresetUsernameFormInvalid: a preset's username form is unknown.
	ErrPresetUsernameFormInvalid = fault.Define("preset_username_form_invalid", fault.InvalidInput,
		"choose whether the username is the whole address or the part before @")
	// ErrPresetGone: there is no preset for the domain.
	ErrPresetGone = fault.Define("preset_gone", fault.NotFound, "there is no preset for {domain}")
)
