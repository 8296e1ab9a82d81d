// Package fault gives errors a stable code for the UI and a message for people.
//
//	err := fault.New(fault.Forbidden, "Only an administrator can add accounts.")
//	err = fault.Wrap(fault.Network, "The server did not answer.", dialErr)
//	fault.CodeOf(err) // "network"
//
// Packages below the API return plain wrapped errors for programming faults and
// *fault.Error for what the user must see; the API maps everything else to
// Internal in one place, so a code is always one of the set below.
package fault

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error kind. The frontend translates codes,
// so a code never changes once shipped.
type Code string

// The codes the UI knows. Keep frontend/src/lib/i18n catalogues in step.
const (
	Forbidden        Code = "forbidden"
	NotFound         Code = "not_found"
	InvalidInput     Code = "invalid_input"
	Conflict         Code = "conflict"
	AuthFailed       Code = "auth_failed"
	TLSUntrusted     Code = "tls_untrusted"
	TLSRequired      Code = "tls_required" // the server cannot encrypt: refused, never plaintext
	Network          Code = "network"
	QuotaReached     Code = "quota_reached"
	ProviderRejected Code = "provider_rejected"
	VaultUnavailable Code = "vault_unavailable"
	StoreUnavailable Code = "store_unavailable"
	Internal         Code = "internal"
)

// Codes lists every code, for the tests that check the catalogues.
var Codes = []Code{Forbidden, NotFound, InvalidInput, Conflict, AuthFailed, TLSUntrusted, TLSRequired,
	Network, QuotaReached, ProviderRejected, VaultUnavailable, StoreUnavailable, Internal}

// Error is an error the user sees: a code, a message in plain words (English;
// the UI shows its own translation of the code and may show Message as detail),
// and optionally the field of a form it concerns.
type Error struct {
	Code    Code
	Message string
	Field   string
	Err     error // the cause, for logs; never shown verbatim
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message for people.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Wrap is New with a cause kept for logs.
func Wrap(code Code, message string, err error) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Invalid reports bad input in one field of a form.
func Invalid(field, message string) *Error {
	return &Error{Code: InvalidInput, Message: message, Field: field}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
