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
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Language string `json:"language"`
	Title    string `json:"title"`
	Phone    string `json:"phone"`
	// Protected: signing in as this user asks for a password.
	Protected bool   `json:"protected"`
	CreatedAt string `json:"createdAt"` // RFC 3339
}

func userDTO(u users.User) UserDTO {
	return UserDTO{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), Language: u.Language,
		Title: u.Title, Phone: u.Phone, Protected: u.HasPassword, CreatedAt: u.CreatedAt.Format(time.RFC3339)}
}

// SignInUserDTO is a user as the sign-in screen lists them, before anyone is signed in:
// their name and whether a password is asked, nothing more.
type SignInUserDTO struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Protected bool   `json:"protected"`
}

// ProfileInput is what a user edits about themselves (their password has its own method).
type ProfileInput struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Phone    string `json:"phone"`
	Language string `json:"language"`
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
// in, and the language to show; and for signing in: how many users there are, who was
// signed in last (0: nobody since the start) and whether inactivity ended their session,
// and the idle limit after which the UI locks (0: never).
type SessionState struct {
	Onboarded       bool     `json:"onboarded"`
	User            *UserDTO `json:"user"`
	Language        string   `json:"language"` // "" when never chosen: the UI follows the system
	UserCount       int      `json:"userCount"`
	LastUserID      int64    `json:"lastUserId"`
	LockedIdle      bool     `json:"lockedIdle"`
	IdleLockSeconds int      `json:"idleLockSeconds"`
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
