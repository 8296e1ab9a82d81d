// Package fault is the one failure model of Mailroom: every error a user can meet carries
// a stable code (its kind), a stable reason (what exactly went wrong) with named
// parameters, and a class (temporary, permanent, possibly sent). The UI words each reason
// in French and English; the English text here is for logs only.
//
//	var ErrDeleteHasAccess = fault.Define("delete_has_access", fault.Conflict,
//		"{account} cannot be deleted: {count} users have access to it")
//
//	return ErrDeleteHasAccess.New(fault.P{"account": addr, "count": n})
//	return ErrServerUnreachable.Wrap(err, fault.P{"host": host}).WithDetail(reply)
//	fault.CodeOf(err)   // "conflict"
//	fault.ReasonOf(err) // "delete_has_access"
//
// A reason is defined once, at package level, in the package that knows the failure. The
// API sends {code, reason, params, class, field, detail} to the UI (never the English
// text); the frontend's catalogues (frontend/src/lib/i18n/reasons/*.json) word every
// reason, and a generated list (frontend/src/lib/api/generated/faults.ts, from Reasons)
// lets its tests check that none is missing and that the parameters agree.
//
// Packages below the API return plain wrapped errors for programming faults and
// *fault.Error for what the user must see; the API maps everything else to the reason
// "internal" in one place.
package fault

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Code is a stable, machine-readable error kind. A code never changes once shipped.
type Code string

// The codes.
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

// Codes lists every code, for the generated contract and the catalogue tests.
var Codes = []Code{Forbidden, NotFound, InvalidInput, Conflict, AuthFailed, TLSUntrusted, TLSRequired,
	Network, QuotaReached, ProviderRejected, VaultUnavailable, StoreUnavailable, Internal}

// Class says what retrying can do (as maddy's exterrors do with temporary errors).
type Class string

// The classes.
const (
	// Permanent: the same attempt fails again until something is changed.
	Permanent Class = "permanent"
	// Temporary: the same attempt may succeed later (a busy server, a network cut).
	Temporary Class = "temporary"
	// PossiblySent: a message may have been accepted (the connection was cut after its
	// end had left); sending it again may duplicate it.
	PossiblySent Class = "possibly_sent"
)

// Classes lists every class.
var Classes = []Class{Permanent, Temporary, PossiblySent}

// Reason is one stable way of failing: its name (what the UI words), its code, its
// default class, and an English text with {param} placeholders for logs.
type Reason struct {
	Name    string
	Code    Code
	Class   Class
	English string
	Params  []string // the placeholders of English, in order of first use
}

var (
	mu       sync.Mutex
	registry = map[string]*Reason{}

	nameRE  = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	paramRE = regexp.MustCompile(`\{([a-zA-Z][a-zA-Z0-9]*)\}`)
)

// Define registers a reason, permanent by default. It panics on a malformed or duplicate
// name, so a mistake shows at start-up (and in every test), not in front of a user.
func Define(name string, code Code, english string) *Reason {
	if !nameRE.MatchString(name) {
		panic(fmt.Sprintf("fault: reason %q: names are snake_case", name))
	}
	if !knownCode(code) {
		panic(fmt.Sprintf("fault: reason %q: unknown code %q", name, code))
	}
	r := &Reason{Name: name, Code: code, Class: Permanent, English: english}
	seen := map[string]bool{}
	for _, m := range paramRE.FindAllStringSubmatch(english, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			r.Params = append(r.Params, m[1])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("fault: reason %q defined twice", name))
	}
	registry[name] = r
	return r
}

// Temporary marks a reason's failures as temporary by default; for use in its definition:
// fault.Define(…).Temporary().
func (r *Reason) Temporary() *Reason { r.Class = Temporary; return r }

// Reasons lists every defined reason by name, for the generated contract.
func Reasons() []*Reason {
	mu.Lock()
	defer mu.Unlock()
	out := make([]*Reason, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the reason of that name, or nil.
func Lookup(name string) *Reason {
	mu.Lock()
	defer mu.Unlock()
	return registry[name]
}

func knownCode(c Code) bool {
	for _, k := range Codes {
		if k == c {
			return true
		}
	}
	return false
}

// P holds a reason's named parameters: strings, or integers for counts (the UI's plural
// forms need numbers).
type P map[string]any

// Error is an error the user sees.
type Error struct {
	Code   Code
	Reason string
	Params P
	Class  Class
	Field  string // the form field it concerns, if any
	// Detail is a server's own words (an SMTP reply, Postmark's JSON), shown verbatim
	// beside the translated explanation. Never a secret.
	Detail  string
	Message string // English, for logs; never sent to the UI
	Err     error  // the cause, for logs; never shown
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Reason != "" {
		b.WriteString("/" + e.Reason)
	}
	b.WriteString(": " + e.Message)
	if e.Detail != "" {
		b.WriteString(" [" + e.Detail + "]")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of this reason with its parameters.
func (r *Reason) New(p P) *Error {
	return &Error{Code: r.Code, Reason: r.Name, Params: p, Class: r.Class, Message: r.Format(p)}
}

// Wrap is New with a cause kept for logs.
func (r *Reason) Wrap(err error, p P) *Error {
	e := r.New(p)
	e.Err = err
	return e
}

// Field is New about one field of a form.
func (r *Reason) Field(field string, p P) *Error {
	e := r.New(p)
	e.Field = field
	return e
}

// Is reports whether err's chain holds an error of this reason.
func (r *Reason) Is(err error) bool { return ReasonOf(err) == r.Name }

// Format fills the English text with p, for logs. A missing parameter stays as {name}.
func (r *Reason) Format(p P) string {
	return paramRE.ReplaceAllStringFunc(r.English, func(m string) string {
		if v, ok := p[m[1:len(m)-1]]; ok {
			return fmt.Sprint(v)
		}
		return m
	})
}

// WithDetail adds a server's own words.
func (e *Error) WithDetail(detail string) *Error { e.Detail = detail; return e }

// WithClass overrides the reason's default class for this error.
func (e *Error) WithClass(c Class) *Error { e.Class = c; return e }

// WithField names the form field the error concerns.
func (e *Error) WithField(field string) *Error { e.Field = field; return e }

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if fe, ok := As(err); ok {
		return fe.Code
	}
	return Internal
}

// ReasonOf returns the reason of the first *Error in err's chain, or "internal".
func ReasonOf(err error) string {
	if fe, ok := As(err); ok && fe.Reason != "" {
		return fe.Reason
	}
	return ErrInternal.Name
}

// ClassOf returns the class of the first *Error in err's chain: temporary for a network
// failure without one, permanent otherwise.
func ClassOf(err error) Class {
	if fe, ok := As(err); ok && fe.Class != "" {
		return fe.Class
	}
	return Permanent
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// The reasons every package may use.
var (
	// ErrInternal is what the UI receives for an error without a reason of its own.
	ErrInternal = Define("internal", Internal, "something went wrong inside Mailroom")
	// ErrForbidden is a bound method called by someone whose role may not call it.
	ErrForbidden = Define("forbidden", Forbidden, "your role does not allow this")
	// ErrStoreUnavailable is a database that cannot be opened or refuses a change.
	ErrStoreUnavailable = Define("store_unavailable", StoreUnavailable, "the database cannot be used")
	// ErrDiskFull is a change the database could not write for want of disk space.
	ErrDiskFull = Define("disk_full", StoreUnavailable, "the disk is full")
)
