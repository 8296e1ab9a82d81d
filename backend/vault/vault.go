// Package vault keeps secrets (passwords, refresh tokens, API keys) in the operating
// system's keychain, and nowhere else. It is the only package that touches the keychain.
//
//	v := vault.NewKeychain()       // the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)
//	if st := v.Check(); !st.Available { … tell the user st.Message … }
//	err := v.Set("account/42/password", pw)
//	pw, err := v.Get("account/42/password") // vault.ErrNotFound when absent
//
// When the keychain is unreachable every call fails with a fault.VaultUnavailable error
// whose reason (ErrNoBus, ErrNoService, ErrLocked, ErrUnavailable) the UI words with how to
// fix it. There is deliberately no fallback: a secret that cannot go to
// the keychain is not stored at all.
//
// NewMemory gives an in-memory vault with the same behaviour for unit tests.
package vault

import (
	"errors"
	"strings"

	"mailroom/backend/fault"
)

// ErrNotFound is returned by Get when no secret is stored under the key.
var ErrNotFound = errors.New("vault: secret not found")

// Vault stores secrets by key. Keys are not secret (e.g. "account/42/password").
type Vault interface {
	Set(key, secret string) error
	Get(key string) (string, error)
	Delete(key string) error // deleting an absent key is not an error
	Check() Status
}

// Reason says why secure storage is unavailable, as a stable code for the UI.
type Reason string

// Reasons for an unavailable keychain.
const (
	ReasonNone      Reason = ""
	ReasonNoBus     Reason = "no_bus"     // no D-Bus session (e.g. started outside a desktop session)
	ReasonNoService Reason = "no_service" // no Secret Service provider installed or running
	ReasonLocked    Reason = "locked"     // the keyring exists but is locked and could not be unlocked
	ReasonUnknown   Reason = "unknown"
)

// Reasons lists every reason of an unavailable keychain (ReasonNone aside).
var Reasons = []Reason{ReasonNoBus, ReasonNoService, ReasonLocked, ReasonUnknown}

// Status is the state of secure storage, shown in the UI.
type Status struct {
	Available bool
	Reason    Reason
	Message   string // for people: what is wrong and how to fix it
	Detail    string // the keychain's own error, for support; never contains a secret
}

// The failures of the keychain, one per Reason (worded in
// frontend/src/lib/i18n/reasons/vault.json).
var (
	// ErrNoBus: no D-Bus session to reach the keychain through.
	ErrNoBus = fault.Define("vault_no_bus", fault.VaultUnavailable,
		"secure storage is unavailable: no desktop session bus")
	// ErrNoService: no keychain service runs.
	ErrNoService = fault.Define("vault_no_service", fault.VaultUnavailable,
		"secure storage is unavailable: no keychain service is running")
	// ErrLocked: the keyring is locked and was not unlocked.
	ErrLocked = fault.Define("vault_locked", fault.VaultUnavailable, "secure storage is locked")
	// ErrUnavailable: the keychain failed for another reason.
	ErrUnavailable = fault.Define("vault_unavailable", fault.VaultUnavailable, "secure storage is unavailable")
)

// reasons maps each Reason to the failure the user sees.
var reasons = map[Reason]*fault.Reason{
	ReasonNoBus: ErrNoBus, ReasonNoService: ErrNoService, ReasonLocked: ErrLocked, ReasonUnknown: ErrUnavailable,
}

// fixes are the English words of each reason, for logs and the Status (the UI words the
// reason code).
var fixes = map[Reason]string{
	ReasonNoBus: "Secure storage is unavailable: Mailroom cannot reach your desktop session's message bus. " +
		"Start Mailroom from your desktop session (not from a bare terminal or SSH).",
	ReasonNoService: "Secure storage is unavailable: no keychain service is running. " +
		"Install and start GNOME Keyring or KWallet (for example: sudo apt install gnome-keyring), then restart Mailroom.",
	ReasonLocked:  "Secure storage is locked: unlock your keyring (it usually unlocks when you log in), then try again.",
	ReasonUnknown: "Secure storage is unavailable. Check that your system keychain works, then try again.",
}

// classify maps a keychain error to a reason. The strings are those of go-keyring and
// godbus on Linux, measured on Debian 12.
func classify(err error) Reason {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"),
		strings.Contains(msg, "dial unix"),
		strings.Contains(msg, "connect: no such file or directory"),
		strings.Contains(msg, "connection refused"):
		return ReasonNoBus
	case strings.Contains(msg, "org.freedesktop.secrets"),
		strings.Contains(msg, "ServiceUnknown"),
		strings.Contains(msg, "not provided by any .service files"):
		return ReasonNoService
	case strings.Contains(msg, "unlock"), strings.Contains(msg, "locked"):
		return ReasonLocked
	}
	return ReasonUnknown
}

// unavailable builds the status and error for a failed keychain call.
func unavailable(err error) (Status, error) {
	return unavailableFor(classify(err), err)
}

func unavailableFor(r Reason, err error) (Status, error) {
	st := Status{Reason: r, Message: fixes[r], Detail: err.Error()}
	reason, ok := reasons[r]
	if !ok {
		reason = ErrUnavailable
	}
	return st, reason.Wrap(err, nil)
}
