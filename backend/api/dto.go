package api

import (
	"time"

	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// DTOs cross into the webview. None may carry a secret: a field that would hold a
// password, token or key has no place here (a reflection test checks field names).

// UserDTO is a user as the UI sees it.
type UserDTO struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	Language  string `json:"language"`
	CreatedAt string `json:"createdAt"` // RFC 3339
}

func userDTO(u users.User) UserDTO {
	return UserDTO{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), Language: u.Language,
		CreatedAt: u.CreatedAt.Format(time.RFC3339)}
}

// OnboardInput creates the owner of this Mailroom.
type OnboardInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Language string `json:"language"`
}

// NewUserInput adds a user.
type NewUserInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Language string `json:"language"`
}

// SessionState is what the UI needs at start: whether onboarding is done, who is signed
// in, and the language to show.
type SessionState struct {
	Onboarded bool     `json:"onboarded"`
	User      *UserDTO `json:"user"`
	Language  string   `json:"language"` // "" when never chosen: the UI follows the system
}

// VaultStatusDTO says whether secrets can be kept; the UI words the reason and its fix.
type VaultStatusDTO struct {
	Available bool   `json:"available"`
	Reason    string `json:"reason"` // no_bus, no_service, locked, unknown; "" when available
	// Detail is the system's own words (D-Bus's, the Secret Service's), shown verbatim.
	Detail string `json:"detail"`
}

func vaultStatusDTO(st vault.Status) VaultStatusDTO {
	return VaultStatusDTO{Available: st.Available, Reason: string(st.Reason), Detail: st.Detail}
}

// SystemStatus is the health of this installation.
type SystemStatus struct {
	Version string `json:"version"`
	DataDir string `json:"dataDir"`
	// StorageError says why the data cannot be used (nil when the database is open).
	StorageError *ErrorDTO      `json:"storageError"`
	Vault        VaultStatusDTO `json:"vault"`
}
