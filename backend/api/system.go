package api

import (
	"context"
	"sync"

	"mailroom/backend/vault"
)

// System reports the health of this installation.
type System struct {
	b *Backend

	mu        sync.Mutex
	vault     vault.Status
	vaultSeen bool
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
	if recheck || !s.vaultSeen {
		s.vault = s.b.Vault.Check()
		s.vaultSeen = true
		if !s.vault.Available {
			s.b.logger().Warn("secure storage unavailable", "reason", s.vault.Reason, "detail", s.vault.Detail)
		}
	}
	vs := s.vault
	s.mu.Unlock()
	st := SystemStatus{Version: s.b.Version, DataDir: s.b.DataDir, Vault: vaultStatusDTO(vs)}
	if s.b.BootErr != nil {
		st.StorageError = s.b.BootErr.Error()
	}
	return st
}
