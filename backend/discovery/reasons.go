package discovery

import "mailroom/backend/fault"

// The ways a search fails, for the UI to word (reasons/discovery.json).
var (
	// ErrAddressMissing: no address was typed.
	ErrAddressMissing = fault.Define("discovery_address_missing", fault.InvalidInput,
		"type your email address")
	// ErrAddressWithName: a display name or angle brackets around the address.
	ErrAddressWithName = fault.Define("discovery_address_with_name", fault.InvalidInput,
		"type only the email address, without a name or angle brackets")
	// ErrAddressForm: the address is not of the form name@domain.
	ErrAddressForm = fault.Define("discovery_address_form", fault.InvalidInput,
		"an email address has the form name@domain")
	// ErrAddressLocalPart: the part before @ holds characters an address cannot have.
	ErrAddressLocalPart = fault.Define("discovery_address_local_part", fault.InvalidInput,
		"the part before @ holds characters an email address cannot have")
	// ErrAddressNotASCII: an internationalised domain typed in Unicode (xn-- form needed).
	ErrAddressNotASCII = fault.Define("discovery_address_not_ascii", fault.InvalidInput,
		"the domain {domain} must be typed in its ASCII form (xn--)")
	// ErrAddressDomain: the part after @ is not a domain name.
	ErrAddressDomain = fault.Define("discovery_address_domain", fault.InvalidInput,
		"the part after @ is not a valid domain name")
	// ErrProviderUnknown: a provider tile that is not in the catalogue.
	ErrProviderUnknown = fault.Define("discovery_provider_unknown", fault.NotFound,
		"the provider {provider} is not in Mailroom's list")

	// ErrNothingFound: no source offered settings for the domain.
	ErrNothingFound = fault.Define("discovery_nothing_found", fault.NotFound,
		"no server settings were found for {domain}")
	// ErrNoneWorked: settings were found, but none passed the sign-in check.
	ErrNoneWorked = fault.Define("discovery_none_worked", fault.Network,
		"none of the {count} server settings found for {domain} worked")
	// ErrSignInOnly: the servers accept only their provider's sign-in (OAuth 2.0), so a
	// password cannot work; {signIn} is google, microsoft, or "" when Mailroom has none for
	// this provider.
	ErrSignInOnly = fault.Define("discovery_sign_in_only", fault.AuthFailed,
		"the mail server {host} accepts only its provider's sign-in ({signIn}), not a password")
	// ErrPasswordRefused: the servers were found and answered, but refused the password.
	ErrPasswordRefused = fault.Define("discovery_password_refused", fault.AuthFailed,
		"the mail server {host} was found but refused the password")
)
