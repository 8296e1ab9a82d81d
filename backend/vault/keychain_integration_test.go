package vault_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/vault"
)

// requireKeyring skips unless a real Secret Service is expected (make test runs the Go
// tests inside dbus-run-session with an unlocked gnome-keyring and sets
// MAILROOM_TEST_KEYRING=1); under MAILROOM_REQUIRE_INTEGRATION=1 a missing one fails.
func requireKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("MAILROOM_TEST_KEYRING") == "1" {
		return
	}
	if os.Getenv("MAILROOM_REQUIRE_INTEGRATION") == "1" {
		t.Fatal("MAILROOM_REQUIRE_INTEGRATION=1 but no test keyring: run through `make test`")
	}
	t.Skip("no test keyring (MAILROOM_TEST_KEYRING unset): run through `make test`")
}

func TestKeychainStoresReadsAndDeletesInTheRealKeyring(t *testing.T) {
	requireKeyring(t)
	k := vault.NewKeychain()
	if st := k.Check(); !st.Available {
		t.Fatalf("keychain unavailable: %+v", st)
	}
	key := fmt.Sprintf("test/%d/password", time.Now().UnixNano())
	secret := "pässwörd with spaces & symbols \u00e9"
	if err := k.Set(key, secret); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Delete(key); err != nil {
			t.Errorf("remove the test secret: %v", err)
		}
	})

	// A second instance reads it back: the secret lives in the keyring daemon, not in us.
	if got, err := vault.NewKeychain().Get(key); err != nil || got != secret {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := k.Set(key, "rotated"); err != nil {
		t.Fatal(err)
	}
	if got, _ := k.Get(key); got != "rotated" {
		t.Fatalf("after overwrite Get = %q", got)
	}
	if err := k.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(key); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

// TestKeychainWithoutSessionBusIsUnavailable runs this test binary again with no
// reachable D-Bus session: the keychain must report itself unavailable with a reason,
// and refuse to store.
func TestKeychainWithoutSessionBusIsUnavailable(t *testing.T) {
	if os.Getenv("MAILROOM_VAULT_CHILD") == "1" {
		k := vault.NewKeychain()
		st := k.Check()
		err := k.Set("test/child", "never-stored")
		fmt.Printf("available=%v reason=%s code=%s\n", st.Available, st.Reason, fault.CodeOf(err))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainWithoutSessionBusIsUnavailable$")
	cmd.Env = append(os.Environ(),
		"MAILROOM_VAULT_CHILD=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/mailroom-test-bus",
		"DISPLAY=", // no X11 autolaunch of a bus either
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "available=false reason=no_bus code=vault_unavailable") {
		t.Fatalf("child output:\n%s", s)
	}
}
