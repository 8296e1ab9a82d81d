package vault

import (
	"errors"
	"sync"
)

// Memory is an in-memory Vault for unit tests. Setting Unavailable makes every call fail
// as an unreachable keychain does.
type Memory struct {
	mu          sync.Mutex
	secrets     map[string]string
	Unavailable Reason
}

// NewMemory returns an empty in-memory vault.
func NewMemory() *Memory { return &Memory{secrets: map[string]string{}} }

func (m *Memory) fail() error {
	if m.Unavailable == ReasonNone {
		return nil
	}
	_, err := unavailableFor(m.Unavailable, errors.New("vault: memory vault set unavailable"))
	return err
}

func (m *Memory) Set(key, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail(); err != nil {
		return err
	}
	m.secrets[key] = secret
	return nil
}

func (m *Memory) Get(key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail(); err != nil {
		return "", err
	}
	s, ok := m.secrets[key]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

func (m *Memory) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail(); err != nil {
		return err
	}
	delete(m.secrets, key)
	return nil
}

func (m *Memory) Check() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Unavailable != ReasonNone {
		return Status{Reason: m.Unavailable, Message: fixes[m.Unavailable]}
	}
	return Status{Available: true}
}

// Keys lists the stored keys, for tests.
func (m *Memory) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for k := range m.secrets {
		ks = append(ks, k)
	}
	return ks
}
