package api

import (
	"context"
	"time"

	"mailroom/backend/oauth"
)

// SignInEvent tells the UI that a sign-in waits in the system browser (SignInWaitingDTO).
const SignInEvent = "oauth:waiting"

// SignInDTO is a completed sign-in: who signed in, never the tokens (they stay in the
// backend, under RunID, until the account is created).
type SignInDTO struct {
	RunID    string `json:"runId"`
	Provider string `json:"provider"`
	Email    string `json:"email"`
	// ExpiresAt is when the provider said this sign-in stops working (RFC 3339), "" when
	// it did not.
	ExpiresAt string `json:"expiresAt"`
}

// SignInWaitingDTO is SignInEvent's payload.
type SignInWaitingDTO struct {
	RunID    string `json:"runId"`
	Provider string `json:"provider"`
}

// DisconnectDTO says what Disconnect did.
type DisconnectDTO struct {
	// Revoked: the provider confirmed the end of Mailroom's access. False when it offers no
	// revocation (Microsoft: the user removes the app from their account's page).
	Revoked bool `json:"revoked"`
}

// SignIn opens the provider's sign-in page in the system browser for email ("" lets the
// user choose) and waits, up to the flow's timeout, for the browser to come back. CancelTest
// with the same runID stops the wait; ReopenSignIn opens the page again. The address that
// signed in must be email. The grant stays in the backend for the wizard's Test and Create
// (AccountInput.SignInID = runID).
func (s *Accounts) SignIn(runID, provider, email string) (SignInDTO, error) {
	return run(s.b, "Accounts.SignIn", func(_ context.Context, c caller) (SignInDTO, error) {
		g, err := s.b.Setup.SignIn(s.b.appContext(), runID, oauth.ProviderID(provider), email, s.waiting(runID))
		if err != nil {
			return SignInDTO{}, err
		}
		return signInDTO(runID, g), nil
	})
}

// waiting tells the UI a sign-in waits in the browser.
func (s *Accounts) waiting(runID string) func(oauth.ProviderID) {
	return func(p oauth.ProviderID) { s.b.emit(SignInEvent, SignInWaitingDTO{RunID: runID, Provider: string(p)}) }
}

func signInDTO(runID string, g *oauth.Grant) SignInDTO {
	d := SignInDTO{RunID: runID, Provider: string(g.Provider), Email: g.Email}
	if !g.RefreshExpiresAt.IsZero() {
		d.ExpiresAt = g.RefreshExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}

// ReopenSignIn opens a waiting sign-in's page in the browser again (the user closed it).
func (s *Accounts) ReopenSignIn(runID string) error {
	return do(s.b, "Accounts.ReopenSignIn", func(ctx context.Context, c caller) error {
		return s.b.Setup.Reopen(runID)
	})
}

// SignInAgain signs an OAuth account in again (after "needs sign-in", or before a known
// expiry): the browser opens with the account's address, which must be the one that signs
// in. The account is enabled again; the UI then tests it.
func (s *Accounts) SignInAgain(id int64, runID string) (AccountDTO, error) {
	return run(s.b, "Accounts.SignInAgain", func(_ context.Context, c caller) (AccountDTO, error) {
		a, err := s.b.Setup.SignInAgain(s.b.appContext(), id, runID, s.waiting(runID))
		if err != nil {
			return AccountDTO{}, err
		}
		s.b.accountChanged(id)
		// The wait may have outlived the call's own bound.
		ctx, cancel := s.b.context()
		defer cancel()
		return s.dto(ctx, a)
	})
}

// Disconnect ends an OAuth account's sign-in: the provider revokes Mailroom's access where
// it can, the tokens leave the keychain, and the account is disabled (sign in again to use
// it). With keepMail false its downloaded mail is removed from this computer too.
func (s *Accounts) Disconnect(id int64, keepMail bool) (DisconnectDTO, error) {
	return run(s.b, "Accounts.Disconnect", func(_ context.Context, c caller) (DisconnectDTO, error) {
		ctx, cancel := s.b.networkContext()
		defer cancel()
		if _, err := s.b.Accounts.Get(ctx, id); err != nil {
			return DisconnectDTO{}, err
		}
		if s.b.Sync != nil {
			// The sync stops before its mail is removed, not after.
			s.b.Sync.StopAccount(id)
		}
		revoked, err := s.b.Accounts.Disconnect(ctx, id, keepMail)
		s.b.accountChanged(id)
		if err != nil {
			return DisconnectDTO{}, err
		}
		return DisconnectDTO{Revoked: revoked}, nil
	})
}
