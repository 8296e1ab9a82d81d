package vault

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// service is the name under which Mailroom's items appear in the keychain.
const service = "Mailroom"

// probeKey is written and removed by Check to prove the keychain accepts writes
// (a locked Secret Service collection still answers reads of absent items).
const probeKey = "mailroom/probe"

// Keychain is the OS keychain through go-keyring.
type Keychain struct{}

// NewKeychain returns the OS keychain. It does no I/O.
func NewKeychain() *Keychain { return &Keychain{} }

// Set stores secret under key, replacing any previous value.
func (Keychain) Set(key, secret string) error {
	if err := keyring.Set(service, key, secret); err != nil {
		_, e := unavailable(err)
		return e
	}
	return nil
}

// Get returns the secret stored under key, or ErrNotFound.
func (Keychain) Get(key string) (string, error) {
	s, err := keyring.Get(service, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		_, e := unavailable(err)
		return "", e
	}
	return s, nil
}

// Delete removes the secret under key; an absent key is not an error.
func (Keychain) Delete(key string) error {
	err := keyring.Delete(service, key)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	_, e := unavailable(err)
	return e
}

// Check writes, reads back and deletes a probe item.
func (k Keychain) Check() Status {
	if err := keyring.Set(service, probeKey, "probe"); err != nil {
		st, _ := unavailable(err)
		return st
	}
	got, err := keyring.Get(service, probeKey)
	if err == nil && got != "probe" {
		err = fmt.Errorf("vault: probe read back %d bytes, want 5", len(got))
	}
	if err != nil {
		st, _ := unavailable(err)
		return st
	}
	_ = keyring.Delete(service, probeKey)
	return Status{Available: true}
}
