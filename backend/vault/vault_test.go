package vault

import (
	"errors"
	"testing"

	"mailroom/backend/fault"
)

func TestClassifiesKeychainErrorsIntoReasons(t *testing.T) {
	// The messages are those measured on Debian 12 with go-keyring v0.2.8.
	cases := []struct {
		name   string
		msg    string
		want   Reason
		reason *fault.Reason
	}{
		{"no session bus", "dial unix /run/user/0/bus: connect: no such file or directory", ReasonNoBus, ErrNoBus},
		{"bus address unset", "dbus: DBUS_SESSION_BUS_ADDRESS not set", ReasonNoBus, ErrNoBus},
		{"no secret service", "The name org.freedesktop.secrets was not provided by any .service files", ReasonNoService, ErrNoService},
		{"locked collection", "failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'", ReasonLocked, ErrLocked},
		{"something else", "unexpected reply", ReasonUnknown, ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(errors.New(tc.msg)); got != tc.want {
				t.Fatalf("classify(%q) = %q, want %q", tc.msg, got, tc.want)
			}
			st, err := unavailable(errors.New(tc.msg))
			if st.Available || st.Message == "" || !fault.Is(err, fault.VaultUnavailable) || !tc.reason.Is(err) {
				t.Fatalf("unavailable() = %+v, %v; want the reason %s", st, err, tc.reason.Name)
			}
		})
	}
}

func TestMemoryVaultRoundTrip(t *testing.T) {
	v := NewMemory()
	if _, err := v.Get("k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of absent key: %v", err)
	}
	if err := v.Set("k", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Get("k"); err != nil || got != "s3cret" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := v.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if err := v.Delete("k"); err != nil {
		t.Fatalf("deleting an absent key: %v", err)
	}
	if _, err := v.Get("k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

func TestUnavailableMemoryVaultStoresNothing(t *testing.T) {
	v := NewMemory()
	v.Unavailable = ReasonLocked
	if err := v.Set("k", "s3cret"); !fault.Is(err, fault.VaultUnavailable) {
		t.Fatalf("Set on a locked vault: %v", err)
	}
	if st := v.Check(); st.Available || st.Reason != ReasonLocked || st.Message == "" {
		t.Fatalf("Check = %+v", st)
	}
	v.Unavailable = ReasonNone
	if _, err := v.Get("k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a secret was kept while the vault was unavailable: %v", err)
	}
}
