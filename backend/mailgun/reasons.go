package mailgun

import (
	"mailroom/backend/fault"
	"mailroom/backend/sendresult"
)

// The reasons of Mailgun's failures, worded by the UI (frontend/src/lib/i18n/reasons/
// senders.json). Mailgun's own answer ("HTTP 401: Invalid private key") is their detail.
// action is "check" for the wizard's check of the domain (which a sending key cannot
// read), "send" otherwise.
var (
	ErrKeyMissing    = fault.Define("mailgun_key_missing", fault.InvalidInput, "enter the Mailgun API key")
	ErrDomainInvalid = fault.Define("mailgun_domain_invalid", fault.InvalidInput, "{domain} is not a domain name")
	ErrRegionInvalid = fault.Define("mailgun_region_invalid", fault.InvalidInput, "unknown Mailgun region {region}")
	ErrNoRecipient   = fault.Define("mailgun_no_recipient", fault.InvalidInput, "the message has no recipient")
	ErrUnreadable    = fault.Define("mailgun_message_unreadable", fault.InvalidInput, "the message cannot be sent through Mailgun: its header cannot be read")
	// ErrUnverified: the domain's DNS records are not verified; the records still wanted
	// (count of them) are the detail.
	ErrUnverified  = fault.Define("mailgun_domain_unverified", fault.ProviderRejected, "Mailgun has not verified the domain {domain} yet ({count} DNS records to add)")
	ErrDisabled    = fault.Define("mailgun_domain_disabled", fault.ProviderRejected, "Mailgun has disabled the domain {domain}")
	ErrDomainState = fault.Define("mailgun_domain_state", fault.ProviderRejected, "Mailgun reports the domain {domain} as {state} rather than active")
	ErrFromInvalid = fault.Define("mailgun_from_invalid", fault.InvalidInput, "{from} is not an email address")
	// ErrFromOffDomain: the From is not on the sending domain's registered domain.
	ErrFromOffDomain = fault.Define("mailgun_from_off_domain", fault.InvalidInput, "{from} is not on the Mailgun sending domain {domain}: use an address at {org}, or add {fromDomain} as a sending domain")
	ErrInvalid       = fault.Define("mailgun_invalid_request", fault.InvalidInput, "Mailgun refused the request as invalid ({action})")
	// ErrKey: Mailgun refused the API key (field api_key: the account's setting).
	ErrKey       = fault.Define("mailgun_key", fault.AuthFailed, "Mailgun refused the API key ({action})")
	ErrForbidden = fault.Define("mailgun_forbidden", fault.ProviderRejected, "Mailgun refused the request ({action})")
	// ErrDomain: Mailgun's API of this region does not know the domain (field region).
	ErrDomain       = fault.Define("mailgun_domain", fault.ProviderRejected, "Mailgun's {region} API does not know the domain {domain}; it may be in the {other} region")
	ErrTooLarge     = fault.Define("mailgun_too_large", fault.ProviderRejected, "the message is too large for Mailgun (at most 25 MB)")
	ErrRateLimited  = fault.Define("mailgun_rate_limited", fault.ProviderRejected, "Mailgun is limiting how fast this account may send").Temporary()
	ErrUnavailable  = fault.Define("mailgun_unavailable", fault.Network, "Mailgun is not available at the moment (HTTP {status})").Temporary()
	ErrRefused      = fault.Define("mailgun_refused", fault.ProviderRejected, "Mailgun refused the request (HTTP {status})")
	ErrPossiblySent = sendresult.PossiblySent(fault.Define("mailgun_possibly_sent", fault.Network, "the message reached Mailgun but its answer never arrived or could not be read"))
	ErrTimeout      = fault.Define("mailgun_timeout", fault.Network, "Mailgun did not answer in time").Temporary()
	ErrUnreachable  = fault.Define("mailgun_unreachable", fault.Network, "Mailgun could not be reached").Temporary()
	ErrClient       = fault.Define("mailgun_client_refused", fault.Internal, "the message could not be handed to Mailgun")
)
