package api

import (
	"testing"
	"time"

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
	if st.Vault.Available || st.Vault.Reason != string(vault.ReasonLocked) || st.Vault.Message == "" {
		t.Fatalf("while the prompt waits: %+v; want locked with words", st.Vault)
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
