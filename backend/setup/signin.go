package setup

import (
	"context"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/oauth"
)

// signInSlack is added to the flow's own timeout for the wait.
const signInSlack = 10 * time.Second

// localTimeout bounds the local work after a sign-in (its wait may have used the caller's).
const localTimeout = 30 * time.Second

type pendingGrant struct {
	g     *oauth.Grant
	until time.Time
}

// SignIn opens the provider's sign-in page in the system browser for email ("" lets the
// user choose) and waits, up to the flow's timeout, for the browser to come back; waiting
// is called with the provider once the page is open. Cancel with the same runID stops the wait; Reopen opens
// the page again. The grant stays here under runID for Test and Create
// (Credentials.SignInID = runID) until it is saved or too old.
func (w *Wizard) SignIn(ctx context.Context, runID string, provider oauth.ProviderID, email string, waiting func(oauth.ProviderID)) (*oauth.Grant, error) {
	g, err := w.signIn(ctx, runID, provider, email, waiting)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	now := time.Now()
	for id, p := range w.grants {
		if now.After(p.until) {
			delete(w.grants, id)
		}
	}
	w.grants[runID] = pendingGrant{g: g, until: now.Add(w.opts.GrantTTL)}
	w.mu.Unlock()
	return g, nil
}

// signIn runs one sign-in flow, cancellable by runID.
func (w *Wizard) signIn(ctx context.Context, runID string, provider oauth.ProviderID, email string, waiting func(oauth.ProviderID)) (*oauth.Grant, error) {
	w.mu.Lock()
	client := w.oauth
	w.mu.Unlock()
	if client == nil {
		return nil, ErrSignInUnavailable.New(nil)
	}
	if runID == "" {
		return nil, ErrRunIDMissing.Field("runId", nil)
	}
	if provider != oauth.Google && provider != oauth.Microsoft {
		return nil, ErrSignInProvider.Field("oauthProvider", nil)
	}
	ctx, cancel := context.WithTimeout(ctx, client.FlowTimeout()+signInSlack)
	defer cancel()
	w.track(runID, cancel)
	defer w.untrack(runID)
	flow, err := client.Begin(ctx, provider, email)
	if err != nil {
		return nil, err
	}
	defer flow.Close()
	w.mu.Lock()
	w.flows[runID] = flow
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.flows, runID)
		w.mu.Unlock()
	}()
	if waiting != nil {
		waiting(provider)
	}
	return flow.Wait(ctx)
}

// Reopen opens a waiting sign-in's page in the browser again (the user closed it).
func (w *Wizard) Reopen(runID string) error {
	w.mu.Lock()
	flow, client := w.flows[runID], w.oauth
	w.mu.Unlock()
	if flow == nil || client == nil {
		return ErrSignInOver.New(nil)
	}
	return client.Open(flow)
}

// pendingGrant returns a completed sign-in not saved yet.
func (w *Wizard) pendingGrant(signInID string) (*oauth.Grant, error) {
	w.mu.Lock()
	p, ok := w.grants[signInID]
	w.mu.Unlock()
	if !ok || time.Now().After(p.until) || signInID == "" {
		return nil, ErrSignInExpired.Field("auth", nil)
	}
	return p.g, nil
}

func (w *Wizard) dropGrant(runID string) {
	w.mu.Lock()
	delete(w.grants, runID)
	w.mu.Unlock()
}

// SignInAgain signs a saved OAuth account in again (after "needs sign-in", or before a
// known expiry): the browser opens with the account's address, which must be the one that
// signs in. The account is enabled again; the caller then tests it.
func (w *Wizard) SignInAgain(ctx context.Context, id int64, runID string, waiting func(oauth.ProviderID)) (accounts.Account, error) {
	local, cancel := context.WithTimeout(ctx, localTimeout)
	a, err := w.d.Accounts.Get(local, id)
	cancel()
	if err != nil {
		return accounts.Account{}, err
	}
	if a.Auth != accounts.OAuth {
		return accounts.Account{}, ErrSignsInWithPassword.New(fault.P{"address": a.Email})
	}
	g, err := w.signIn(ctx, runID, a.OAuthProvider, a.Email, waiting)
	if err != nil {
		return accounts.Account{}, err
	}
	// The wait has its own bound; the save gets a fresh one.
	local, cancel = context.WithTimeout(ctx, localTimeout)
	defer cancel()
	return w.d.Accounts.SignIn(local, id, g)
}
