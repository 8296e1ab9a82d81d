package filing

import "mailroom/backend/fault"

// The filing's failure reasons, worded in frontend/src/lib/i18n/reasons/filing.json.
var (
	// ErrMessageGone: the message was removed (expunged on the server, its folder no
	// longer synced) before the action.
	ErrMessageGone = fault.Define("filing_message_gone", fault.NotFound,
		"the message no longer exists")
	// ErrRecordGone: the record was deleted (or is in the trash).
	ErrRecordGone = fault.Define("filing_record_gone", fault.NotFound,
		"the record no longer exists")
	// ErrNotLinked: the message is not filed to that record.
	ErrNotLinked = fault.Define("filing_not_linked", fault.NotFound,
		"the message is not filed to this record")
	// ErrBadAddress: not an address one can ignore or create a contact from.
	ErrBadAddress = fault.Define("filing_address_invalid", fault.InvalidInput,
		"{value} is not an email address")
	// ErrBadDomain: not a domain one can ignore, create a company from or list as an exception.
	ErrBadDomain = fault.Define("filing_domain_invalid", fault.InvalidInput,
		"{value} is not a domain name")
	// ErrFreemailDomain: a company cannot be made from (or ignore) a free-mail domain
	// everybody shares.
	ErrFreemailDomain = fault.Define("filing_domain_freemail", fault.InvalidInput,
		"{domain} is a free-mail domain shared by many people")
	// ErrTypeNotFilable: filing through contacts and companies is for types of your own.
	ErrTypeNotFilable = fault.Define("filing_type_invalid", fault.InvalidInput,
		"only types of your own can be filed through their contacts and companies")
	// ErrOpenFieldInvalid: the "open" condition names a field of another type, or an
	// operator that does not fit its kind.
	ErrOpenFieldInvalid = fault.Define("filing_open_condition_invalid", fault.InvalidInput,
		"the open condition does not fit the field")
	// ErrRefileRunning: a re-file of all mail is already running.
	ErrRefileRunning = fault.Define("filing_refile_running", fault.Conflict,
		"mail is already being filed again")
)
