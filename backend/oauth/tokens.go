package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"mailroom/backend/fault"
	"mailroom/backend/vault"
)

// VaultKey names an account's OAuth grant in the vault (beside account/<id>/password).
func VaultKey(secretID string) string { return "account/" + secretID + "/oauth" }

// record is what the vault holds for an account: the refresh token, and what is needed to
// use it without the account registry (provider, address, known expiry).
type record struct {
	Version          int        `json:"v"`
	Provider         ProviderID `json:"provider"`
	Email            string     `json:"email"`
	RefreshToken     string     `json:"refresh_token"`
	RefreshExpiresAt time.Time  `json:"refresh_expires_at,omitzero"`
}

// Info describes an account's grant, without its secrets.
type Info struct {
	Provider ProviderID
	Email    string
	// RefreshExpiresAt is when the user will have to sign in again, when known (e.g. Google
	// apps in testing mode: 7 days after consent); zero otherwise. The caller warns before it.
	RefreshExpiresAt time.Time
}

// TokenStore keeps accounts' grants: refresh tokens in the vault, access tokens in memory.
// One Source per account is shared by every user of it (sync, send, test), so an account
// refreshes once at a time — with rotation, two concurrent refreshes would spend the same
// single-use refresh token twice.
type TokenStore struct {
	c *Client
	v vault.Vault

	mu      sync.Mutex
	sources map[string]*Source
	onDead  func(secretID string)
}

// OnNeedsSignIn registers f, called (in a goroutine of its own) when the provider refuses an
// account's grant, so the account is marked at once and everything using it stops.
func (s *TokenStore) OnNeedsSignIn(f func(secretID string)) {
	s.mu.Lock()
	s.onDead = f
	s.mu.Unlock()
}

func (s *TokenStore) died(secretID string) {
	s.mu.Lock()
	f := s.onDead
	s.mu.Unlock()
	if f != nil {
		// Not under the source's lock: f may stop the very worker that asked for a token.
		go f(secretID)
	}
}

// NewTokenStore returns a store over v. It does no I/O.
func NewTokenStore(c *Client, v vault.Vault) *TokenStore {
	return &TokenStore{c: c, v: v, sources: map[string]*Source{}}
}

// Save stores a completed sign-in for the account: the refresh token goes to the vault
// (replacing any previous grant), the access token stays in memory for the first connection.
func (s *TokenStore) Save(secretID string, g *Grant) error {
	if g == nil || g.Token == nil || g.Token.RefreshToken == "" {
		return errors.New("oauth: Save needs a grant with a refresh token")
	}
	rec := record{Version: 1, Provider: g.Provider, Email: g.Email, RefreshToken: g.Token.RefreshToken, RefreshExpiresAt: g.RefreshExpiresAt}
	src := s.Source(secretID)
	if err := src.acquire(context.Background()); err != nil {
		return err
	}
	defer src.release()
	if err := s.put(secretID, rec); err != nil {
		return err
	}
	src.rec, src.loaded, src.unsaved, src.dead = rec, true, false, nil
	src.access = nil
	if g.Token.AccessToken != "" {
		src.access = accessOnly(g.Token)
	}
	return nil
}

// Source returns the account's token source (the same one for every caller).
func (s *TokenStore) Source(secretID string) *Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.sources[secretID]
	if !ok {
		src = &Source{st: s, id: secretID, sem: make(chan struct{}, 1)}
		s.sources[secretID] = src
	}
	return src
}

// Info reads the account's grant description from the vault.
func (s *TokenStore) Info(secretID string) (Info, error) {
	rec, err := s.get(secretID)
	if err != nil {
		return Info{}, err
	}
	return Info{Provider: rec.Provider, Email: rec.Email, RefreshExpiresAt: rec.RefreshExpiresAt}, nil
}

// Revoke ends the grant at the provider (RFC 7009) where it offers revocation, and makes the
// account's source refuse tokens until a new sign-in. It reports false when the provider has
// no revocation endpoint (Microsoft: the user removes the app from their account page).
// The vault entry stays: Delete removes it.
func (s *TokenStore) Revoke(ctx context.Context, secretID string) (bool, error) {
	src := s.Source(secretID)
	if err := src.acquire(ctx); err != nil {
		return false, err
	}
	defer src.release()
	if err := src.load(); err != nil {
		if errors.Is(err, ErrNeedsSignIn) {
			return false, nil // nothing to revoke
		}
		return false, err
	}
	p, err := s.c.provider(ctx, src.rec.Provider)
	if err != nil {
		return false, err
	}
	src.access = nil
	src.dead = ErrAccessRevoked.Wrap(ErrNeedsSignIn, fault.P{"address": src.rec.Email, "provider": p.Name})
	if p.RevocationURL == "" || !p.Configured() {
		return false, nil
	}
	form := url.Values{"token": {src.rec.RefreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {p.ClientID}}
	if p.ClientSecret != "" {
		form.Set("client_secret", p.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.RevocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return false, ErrSettingsURL.Wrap(fmt.Errorf("revocation URL: %w", err), fault.P{"provider": p.Name})
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.c.http.Do(req)
	if err != nil {
		return false, ErrUnreachable.Wrap(fmt.Errorf("revocation: %w", err), fault.P{"provider": p.Name})
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, maxUserinfo)).Decode(&body)
	// RFC 7009 §2.2: 200 whether or not the token was valid; Google answers 400
	// invalid_token for a token already dead, which is the outcome wanted.
	if resp.StatusCode != http.StatusOK && body.Error != "invalid_token" {
		return false, ErrRevokeUnconfirmed.New(fault.P{"provider": p.Name, "status": resp.StatusCode}).WithDetail(body.Error)
	}
	s.c.log.Info("oauth: grant revoked", "account", secretID, "provider", string(p.ID))
	return true, nil
}

// Delete removes the account's grant from the vault and from memory. It waits for a
// refresh in flight on the account's source, so that no rotated refresh token is written
// back after the delete; the source then holds nothing, and a caller still holding it reads
// the (absent) grant again.
func (s *TokenStore) Delete(secretID string) error {
	s.mu.Lock()
	src := s.sources[secretID]
	s.mu.Unlock()
	if src != nil {
		src.sem <- struct{}{}
		defer func() { <-src.sem }()
	}
	if err := s.v.Delete(VaultKey(secretID)); err != nil {
		return err
	}
	if src != nil {
		src.loaded, src.unsaved, src.access, src.rec = false, false, nil, record{}
	}
	s.mu.Lock()
	delete(s.sources, secretID)
	s.mu.Unlock()
	return nil
}

func (s *TokenStore) put(secretID string, rec record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.v.Set(VaultKey(secretID), string(b))
}

func (s *TokenStore) get(secretID string) (record, error) {
	raw, err := s.v.Get(VaultKey(secretID))
	if errors.Is(err, vault.ErrNotFound) {
		return record{}, ErrNoSavedSignIn.Wrap(ErrNeedsSignIn, nil)
	}
	if err != nil {
		return record{}, err
	}
	var rec record
	if err := json.Unmarshal([]byte(raw), &rec); err != nil || rec.RefreshToken == "" {
		return record{}, ErrSavedSignInUnreadable.New(nil)
	}
	return rec, nil
}

// Source gives an account's access tokens, refreshing them when they are due.
type Source struct {
	st  *TokenStore
	id  string
	sem chan struct{} // one Token call at a time, cancellable while waiting

	loaded  bool
	rec     record
	unsaved bool          // rec holds a rotated refresh token the vault has not taken yet
	access  *oauth2.Token // never holds the refresh token
	dead    error         // the grant is gone: every call fails at once with this
}

func (src *Source) acquire(ctx context.Context) error {
	select {
	case src.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (src *Source) release() { <-src.sem }

func (src *Source) load() error {
	if src.loaded {
		return nil
	}
	rec, err := src.st.get(src.id)
	if err != nil {
		return err
	}
	src.rec, src.loaded = rec, true
	return nil
}

// Token returns a valid access token (AccessToken, TokenType, Expiry; never the refresh
// token), refreshing it when it expires within a minute. A rotated refresh token is in the
// vault before the new access token is returned; if the vault refuses it, no token is
// returned (the next call tries to store it again). When the provider says the grant is gone
// (invalid_grant, revoked, …) the error wraps ErrNeedsSignIn, with fault code auth_failed,
// and every later call returns it at once without asking the provider again.
func (src *Source) Token(ctx context.Context) (*oauth2.Token, error) {
	if err := src.acquire(ctx); err != nil {
		return nil, err
	}
	defer src.release()
	if src.dead != nil {
		return nil, src.dead
	}
	if err := src.load(); err != nil {
		return nil, err
	}
	if src.unsaved {
		if err := src.st.put(src.id, src.rec); err != nil {
			return nil, err
		}
		src.unsaved = false
	}
	now := src.st.c.now()
	if src.access != nil && (src.access.Expiry.IsZero() || src.access.Expiry.After(now.Add(expiryLeeway))) {
		return copyToken(src.access), nil
	}
	if err := src.refresh(ctx); err != nil {
		return nil, err
	}
	return copyToken(src.access), nil
}

// Email is the account's signed-in address (from the vault), for the XOAUTH2 user name.
func (src *Source) Email(ctx context.Context) (string, error) {
	if err := src.acquire(ctx); err != nil {
		return "", err
	}
	defer src.release()
	if err := src.load(); err != nil {
		return "", err
	}
	return src.rec.Email, nil
}

// Invalidate forgets the access token, e.g. after a server refused it before its expiry;
// the next Token refreshes.
func (src *Source) Invalidate() {
	src.sem <- struct{}{}
	src.access = nil
	<-src.sem
}

func (src *Source) refresh(ctx context.Context) error {
	c := src.st.c
	p, err := c.provider(ctx, src.rec.Provider)
	if err != nil {
		return err
	}
	if !p.Configured() {
		return notConfigured(p)
	}
	old := src.rec.RefreshToken
	hctx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	// One request: the oauth2 token source is used once, not kept, so it never retries.
	tok, err := p.oauth2Config("").TokenSource(hctx, &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		err = classify(p, err, "to renew Mailroom's access", old)
		if pe := (*providerError)(nil); errors.As(err, &pe) {
			src.access = nil
			src.dead = ErrGrantRefused.Wrap(fmt.Errorf("%w: %w", ErrNeedsSignIn, pe),
				fault.P{"provider": p.Name, "address": src.rec.Email}).WithDetail(describe(pe))
			c.log.Warn("oauth: grant refused, account needs sign-in", "account", src.id, "provider", string(p.ID), "code", pe.Code)
			src.st.died(src.id)
			return src.dead
		}
		c.log.Warn("oauth: refresh failed", "account", src.id, "provider", string(p.ID), "err", err.Error())
		return err
	}
	c.stamp(tok)
	rotated := tok.RefreshToken != "" && tok.RefreshToken != old
	if rotated {
		next := src.rec
		next.RefreshToken = tok.RefreshToken
		if exp := refreshExpiry(p, tok, c.now()); !exp.IsZero() {
			next.RefreshExpiresAt = exp
		}
		// The provider may already consider the old token spent: keep the new one in
		// memory whatever happens, and hand out nothing until the vault has it.
		src.rec, src.unsaved = next, true
		src.access = accessOnly(tok)
		if err := src.st.put(src.id, next); err != nil {
			c.log.Warn("oauth: rotated refresh token not stored yet", "account", src.id, "err", err.Error())
			return err
		}
		src.unsaved = false
	}
	src.access = accessOnly(tok)
	c.log.Info("oauth: access renewed", "account", src.id, "provider", string(p.ID), "rotated", rotated, "expires", src.access.Expiry.Format(time.RFC3339))
	return nil
}

// stamp dates the token's expiry on the client's clock (x/oauth2 uses the system's), so
// the expiry leeway and the tests' clock agree.
func (c *Client) stamp(t *oauth2.Token) {
	if t.ExpiresIn > 0 {
		t.Expiry = c.now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
}

func accessOnly(t *oauth2.Token) *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry}
}

func copyToken(t *oauth2.Token) *oauth2.Token { c := *t; return &c }

// LogValue shows a grant in logs without its tokens.
func (g *Grant) LogValue() slog.Value {
	return slog.GroupValue(slog.String("provider", string(g.Provider)), slog.String("email", g.Email))
}

// GrantSource gives the access token of a sign-in that is not saved yet (the wizard tests
// the servers with it before the account exists). It never refreshes: once a server refuses
// the token, Token asks the user to sign in again.
type GrantSource struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	spent bool
}

// Source returns the grant's access token as a token source.
func (g *Grant) Source() *GrantSource { return &GrantSource{tok: accessOnly(g.Token)} }

// Token returns the grant's access token.
func (s *GrantSource) Token(context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.spent || s.tok.AccessToken == "" {
		return nil, ErrSignInSpent.Wrap(ErrNeedsSignIn, nil)
	}
	return copyToken(s.tok), nil
}

// Invalidate marks the token as refused.
func (s *GrantSource) Invalidate() { s.mu.Lock(); s.spent = true; s.mu.Unlock() }
