package api

import (
	"context"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/oauth"
)

// SignInEvent tells the UI that a sign-in waits in the system browser (SignInWaitingDTO).
const SignInEvent = "oauth:waiting"

// pendingGrantTTL is how long a completed sign-in waits for the wizard to test and save
// the account before it must be done again.
const pendingGrantTTL = 15 * time.Minute

// signInSlack is added to the flow's own timeout for the call that waits for it.
const signInSlack = 10 * time.Second

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

type pendingGrant struct {
	g     *oauth.Grant
	until time.Time
}

// SignIn opens the provider's sign-in page in the system browser for email ("" lets the
// user choose) and waits, up to the flow's timeout, for the browser to come back. CancelTest
// with the same runID stops the wait; ReopenSignIn opens the page again. The address that
// signed in must be email. The grant stays in the backend for the wizard's Test and Create
// (AccountInput.SignInID = runID).
func (s *Accounts) SignIn(runID, provider, email string) (SignInDTO, error) {
	return run(s.b, "Accounts.SignIn", func(_ context.Context, c caller) (SignInDTO, error) {
		g, err := s.signIn(runID, oauth.ProviderID(provider), email)
		if err != nil {
			return SignInDTO{}, err
		}
		s.mu.Lock()
		if s.grants == nil {
			s.grants = map[string]pendingGrant{}
		}
		now := time.Now()
		for id, p := range s.grants {
			if now.After(p.until) {
				delete(s.grants, id)
			}
		}
		s.grants[runID] = pendingGrant{g: g, until: now.Add(pendingGrantTTL)}
		s.mu.Unlock()
		return signInDTO(runID, g), nil
	})
}

func signInDTO(runID string, g *oauth.Grant) SignInDTO {
	d := SignInDTO{RunID: runID, Provider: string(g.Provider), Email: g.Email}
	if !g.RefreshExpiresAt.IsZero() {
		d.ExpiresAt = g.RefreshExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}

// signIn runs one sign-in flow, cancellable by runID.
func (s *Accounts) signIn(runID string, provider oauth.ProviderID, email string) (*oauth.Grant, error) {
	if s.b.OAuth == nil {
		return nil, fault.New(fault.Internal, "Signing in with Google or Microsoft is not available in this build.")
	}
	if runID == "" {
		return nil, fault.Invalid("runId", "A sign-in needs a run id.")
	}
	if provider != oauth.Google && provider != oauth.Microsoft {
		return nil, fault.Invalid("oauthProvider", "Choose Google or Microsoft to sign in with.")
	}
	parent := s.b.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, s.b.OAuth.FlowTimeout()+signInSlack)
	defer cancel()
	s.track(runID, cancel)
	defer s.untrack(runID)
	flow, err := s.b.OAuth.Begin(ctx, provider, email)
	if err != nil {
		return nil, err
	}
	defer flow.Close()
	s.mu.Lock()
	if s.flows == nil {
		s.flows = map[string]*oauth.Flow{}
	}
	s.flows[runID] = flow
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.flows, runID)
		s.mu.Unlock()
	}()
	s.b.emit(SignInEvent, SignInWaitingDTO{RunID: runID, Provider: string(provider)})
	return flow.Wait(ctx)
}

// ReopenSignIn opens a waiting sign-in's page in the browser again (the user closed it).
func (s *Accounts) ReopenSignIn(runID string) error {
	return do(s.b, "Accounts.ReopenSignIn", func(ctx context.Context, c caller) error {
		s.mu.Lock()
		flow := s.flows[runID]
		s.mu.Unlock()
		if flow == nil {
			return fault.New(fault.NotFound, "This sign-in is over: start it again.")
		}
		return s.b.OAuth.Open(flow)
	})
}

// pendingLogin returns the login of a completed sign-in not saved yet, checking that it was
// made for this address and provider.
func (s *Accounts) pendingGrant(in AccountInput) (*oauth.Grant, error) {
	s.mu.Lock()
	p, ok := s.grants[in.SignInID]
	s.mu.Unlock()
	if !ok || time.Now().After(p.until) || in.SignInID == "" {
		return nil, &fault.Error{Code: fault.InvalidInput, Field: "auth", Message: "Sign in again: the sign-in is missing or too old."}
	}
	return p.g, nil
}

func (s *Accounts) dropGrant(runID string) {
	s.mu.Lock()
	delete(s.grants, runID)
	s.mu.Unlock()
}

// SignInAgain signs an OAuth account in again (after "needs sign-in", or before a known
// expiry): the browser opens with the account's address, which must be the one that signs
// in. The account is enabled again; the UI then tests it.
func (s *Accounts) SignInAgain(id int64, runID string) (AccountDTO, error) {
	return run(s.b, "Accounts.SignInAgain", func(ctx context.Context, c caller) (AccountDTO, error) {
		a, err := s.b.Accounts.Get(ctx, id)
		if err != nil {
			return AccountDTO{}, err
		}
		if a.Auth != accounts.OAuth {
			return AccountDTO{}, fault.New(fault.InvalidInput, "This account signs in with a password: edit it to change the password.")
		}
		g, err := s.signIn(runID, a.OAuthProvider, a.Email)
		if err != nil {
			return AccountDTO{}, err
		}
		// The wait may have outlived the call's own bound.
		ctx, cancel := s.b.context()
		defer cancel()
		a, err = s.b.Accounts.SignIn(ctx, id, g)
		if err != nil {
			return AccountDTO{}, err
		}
		s.b.accountChanged(id)
		return s.dto(ctx, a)
	})
}

// Disconnect ends an OAuth account's sign-in: the provider revokes Mailroom's access where
// it can, the tokens leave the keychain, and the account is disabled (sign in again to use
// it). With keepMail false its downloaded mail is removed from this computer too.
func (s *Accounts) Disconnect(id int64, keepMail bool) (DisconnectDTO, error) {
	return run(s.b, "Accounts.Disconnect", func(_ context.Context, c caller) (DisconnectDTO, error) {
		ctx, cancel := s.networkContext()
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
