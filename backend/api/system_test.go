package api

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/store"
	"mailroom/backend/vault"
)

// promptingVault is a keychain whose probe waits for the user to answer an unlock prompt.
type promptingVault struct {
	*vault.Memory
	answer chan struct{}
}

func (v promptingVault) Check() vault.Status {
	<-v.answer
	return v.Memory.Check()
}

func TestAKeychainPromptDoesNotHoldTheWindow(t *testing.T) {
	v := promptingVault{Memory: vault.NewMemory(), answer: make(chan struct{})}
	s := &System{b: &Backend{Vault: v}, probeWait: 100 * time.Millisecond}

	start := time.Now()
	st := s.status(false)
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("Status waited %v for an unanswered keyring prompt", waited)
	}
	if st.Vault.Available || st.Vault.Reason != string(vault.ReasonLocked) {
		t.Fatalf("while the prompt waits: %+v; want locked", st.Vault)
	}
	close(v.answer) // the user unlocks the keyring
	deadline := time.Now().Add(2 * time.Second)
	for !s.status(false).Vault.Available {
		if time.Now().After(deadline) {
			t.Fatal("the probe's result never reached Status after the prompt was answered")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A database that cannot be opened reaches the UI as a reason with the folder and the
// system's own words, never as the backend's English sentence.
func TestAStorageFailureReachesTheUIAsAReasonWithTheSystemsWords(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), filepath.Join(blocker, "mailroom.db"))
	if !store.ErrCannotOpen.Is(err) {
		t.Fatalf("Open under a file: %v, want %s", err, store.ErrCannotOpen.Name)
	}
	s := &System{b: &Backend{Vault: vault.NewMemory(), BootErr: err}, probeWait: 10 * time.Millisecond}
	got := s.status(false).StorageError
	if got == nil || got.Reason != "store_cannot_open" || got.Params["dir"] != blocker || !strings.Contains(got.Detail, "not a directory") {
		t.Fatalf("StorageError = %+v", got)
	}
	if strings.Contains(got.Detail, "store:") {
		t.Fatalf("the detail holds the backend's own wording: %q", got.Detail)
	}
}
