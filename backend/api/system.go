package api

import (
	"context"
	"sync"
	"time"

	"mailroom/backend/vault"
)

// vaultProbeWait is how long Status waits for the keychain probe. A keychain that asks
// the user to unlock it (GNOME Keyring's prompt) holds the probe until they answer; the
// window must not stay blank meanwhile, so after this wait Status reports the keychain as
// locked and the probe's result is picked up by the next call.
const vaultProbeWait = 3 * time.Second

// System reports the health of this installation.
type System struct {
	b *Backend

	mu        sync.Mutex
	vault     vault.Status
	probing   chan struct{} // closed when the probe under way ends; nil when none runs
	probed    bool          // vault holds a finished probe's result
	probeWait time.Duration // 0: vaultProbeWait
}

// Status reports the version, where data lives, and whether secure storage works. The
// keychain is probed once and then on CheckVault.
func (s *System) Status() (SystemStatus, error) {
	return run(s.b, "System.Status", func(ctx context.Context, c caller) (SystemStatus, error) {
		return s.status(false), nil
	})
}

// CheckVault probes the keychain again (after the user fixed it) and returns the status.
func (s *System) CheckVault() (SystemStatus, error) {
	return run(s.b, "System.CheckVault", func(ctx context.Context, c caller) (SystemStatus, error) {
		return s.status(true), nil
	})
}

func (s *System) status(recheck bool) SystemStatus {
	s.mu.Lock()
	if s.probing == nil && (recheck || !s.probed) {
		done := make(chan struct{})
		s.probing = done
		go func() {
			st := s.b.Vault.Check()
			if !st.Available {
				s.b.logger().Warn("secure storage unavailable", "reason", st.Reason, "detail", st.Detail)
			}
			s.mu.Lock()
			s.vault, s.probed, s.probing = st, true, nil
			s.mu.Unlock()
			close(done)
		}()
	}
	waitFor, wait := s.probing, s.probeWait
	s.mu.Unlock()
	if wait <= 0 {
		wait = vaultProbeWait
	}
	if waitFor != nil {
		select {
		case <-waitFor:
		case <-time.After(wait):
		}
	}
	s.mu.Lock()
	vs := s.vault
	if s.probing != nil && !s.probed {
		vs = vault.Status{Reason: vault.ReasonLocked, Message: "secure storage is waiting to be unlocked"}
	}
	s.mu.Unlock()
	st := SystemStatus{Version: s.b.Version, DataDir: s.b.DataDir, Vault: vaultStatusDTO(vs)}
	if s.b.BootErr != nil {
		st.StorageError = errorDTOOf(s.b.BootErr)
	}
	return st
}
