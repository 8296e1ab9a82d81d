// Package testoidc runs a small OAuth 2.0 / OpenID Connect provider on 127.0.0.1 for tests:
// authorisation (auto-consent as one user, PKCE S256 required), token (authorization_code and
// refresh_token, with optional refresh-token rotation), userinfo, JWKS, RFC 7009 revocation
// and RFC 7662 introspection. It counts requests and remembers every code and token it issued,
// so tests can prove that a request never happened and that no secret reached a log.
//
//	p := testoidc.Start(t, testoidc.Options{Email: "ana@example.test", Rotate: true})
//	cfg := p.ProviderEndpoints() // point the app's provider at it
//
// The same provider also runs as a program for the whole test environment
// (cmd/testoidc, started by scripts/testenv/up.sh), because Dovecot's passdb oauth2 must
// reach its introspection endpoint for as long as Dovecot runs. There Options.Control
// opens PathMint and PathExpire, so test processes can get tokens for any account and
// expire one token without touching the others'.
//
// Why not github.com/oauth2-proxy/mockoidc: it has no revocation or introspection endpoint,
// never rotates refresh tokens, and insists on a client secret (Microsoft's installed-app
// clients have none). ID tokens are signed, and the JWKS served, by go-oidc's own oidctest,
// so the signature format is the one the verifier under test expects.
package testoidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/emersion/go-sasl"
)

// Options shape the provider.
type Options struct {
	ClientID     string        // default "test-client"
	ClientSecret string        // required at the token endpoint when set
	Email        string        // the user who signs in (auto-consent); default "user@example.test"
	Rotate       bool          // every refresh issues a new refresh token and invalidates the old one
	AccessTTL    time.Duration // default 1 hour
	// RefreshTokenTTL, when set, is announced as refresh_token_expires_in (as Google does
	// for apps in testing mode).
	RefreshTokenTTL time.Duration
	// LoginHint makes authorisation sign in as the login_hint parameter's address when
	// there is one, as a user choosing that account at Google's or Microsoft's page does.
	LoginHint bool
	// Control serves PathMint and PathExpire, for tests in other processes than the
	// provider's. Off by default: an in-process test has the Provider's methods.
	Control bool
}

// Provider is a running test provider.
type Provider struct {
	URL  string
	opts Options
	srv  *httptest.Server

	keysOnce sync.Once
	key      *rsa.PrivateKey
	keys     *oidctest.Server

	mu           sync.Mutex
	email        string
	deny         bool
	badSigner    bool
	codes        map[string]*codeGrant
	refresh      map[string]*refreshGrant
	access       map[string]*accessGrant
	issued       []string
	lastRefresh  string
	counts       map[string]int
	refusals     []string
	authRequests []url.Values
}

type codeGrant struct {
	email, challenge, redirectURI, nonce, scope string
	used                                        bool
	refresh                                     string // the refresh token issued for it, revoked on replay
}

type refreshGrant struct {
	email, scope string
	dead         bool // rotated away or revoked
}

type accessGrant struct {
	email, scope string
	expiry       time.Time
	revoked      bool
}

// The endpoints' paths.
const (
	PathAuthorize  = "/authorize"
	PathToken      = "/token"
	PathUserinfo   = "/userinfo"
	PathKeys       = "/keys"
	PathRevoke     = "/revoke"
	PathIntrospect = "/introspect"

	// PathMint (Options.Control): POST username=<address> issues an access and a refresh
	// token for that address as if it had signed in, answered as the token endpoint does.
	PathMint = "/testing/mint"
	// PathExpire (Options.Control): POST token=<access token> makes that token expired.
	PathExpire = "/testing/expire"
	// PathRevokeUser (Options.Control): POST username=<address> revokes every grant of that
	// address, as a user removing the app's access at the provider does.
	PathRevokeUser = "/testing/revoke-user"
	// PathDiscovery is the OpenID Provider configuration (OpenID Connect Discovery 1.0).
	PathDiscovery = "/.well-known/openid-configuration"
)

var (
	keyOnce, strangeOnce  sync.Once
	sharedKey, strangeKey *rsa.PrivateKey
)

// signingKey is generated once per process, on first use: RSA generation takes up to a
// second here (more under -race), and most uses (introspection, minted tokens) need none.
func signingKey() *rsa.PrivateKey {
	keyOnce.Do(func() { sharedKey = mustRSAKey() })
	return sharedKey
}

// unknownKey signs the forged ID tokens of SignWithUnknownKey.
func unknownKey() *rsa.PrivateKey {
	strangeOnce.Do(func() { strangeKey = mustRSAKey() })
	return strangeKey
}

func mustRSAKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

const keyID = "testoidc-1"

// Start runs a provider until the test ends.
func Start(t testing.TB, o Options) *Provider {
	t.Helper()
	p, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// Listen runs a provider on addr (host:port; port 0 picks a free one) until Close.
func Listen(addr string, o Options) (*Provider, error) {
	if o.ClientID == "" {
		o.ClientID = "test-client"
	}
	if o.Email == "" {
		o.Email = "user@example.test"
	}
	if o.AccessTTL == 0 {
		o.AccessTTL = time.Hour
	}
	p := &Provider{
		opts: o, email: o.Email,
		codes: map[string]*codeGrant{}, refresh: map[string]*refreshGrant{},
		access: map[string]*accessGrant{}, counts: map[string]int{},
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("testoidc: %w", err)
	}
	p.srv = httptest.NewUnstartedServer(p)
	p.srv.Listener.Close()
	p.srv.Listener = ln
	p.srv.Start()
	p.URL = p.srv.URL
	return p, nil
}

// signer returns the key that signs ID tokens and the server of discovery and JWKS, made
// on first use (see signingKey).
func (p *Provider) signer() (*rsa.PrivateKey, *oidctest.Server) {
	p.keysOnce.Do(func() {
		p.key = signingKey()
		p.keys = &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: p.key.Public(), KeyID: keyID, Algorithm: oidc.RS256}}}
		p.keys.SetIssuer(p.URL)
	})
	return p.key, p.keys
}

// WarmUp makes the signing key now rather than at the first request that needs it.
func (p *Provider) WarmUp() { p.signer() }

// Close stops the provider and waits for requests in progress.
func (p *Provider) Close() { p.srv.Close() }

// ClientID is the client the provider accepts.
func (p *Provider) ClientID() string { return p.opts.ClientID }

// SetEmail changes who signs in next (e.g. to test a mismatch).
func (p *Provider) SetEmail(e string) { p.mu.Lock(); p.email = e; p.mu.Unlock() }

// Deny makes the next authorisations answer error=access_denied, as when the user cancels.
func (p *Provider) Deny(on bool) { p.mu.Lock(); p.deny = on; p.mu.Unlock() }

// SignWithUnknownKey makes ID tokens carry a signature from a key the JWKS does not list.
func (p *Provider) SignWithUnknownKey(on bool) { p.mu.Lock(); p.badSigner = on; p.mu.Unlock() }

// Count is the number of requests that reached a path (e.g. PathToken).
func (p *Provider) Count(path string) int { p.mu.Lock(); defer p.mu.Unlock(); return p.counts[path] }

// Refusals lists why token requests were refused, in order ("code replayed", …).
func (p *Provider) Refusals() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refusals...)
}

// AuthRequests returns the query of every authorisation request received.
func (p *Provider) AuthRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.authRequests...)
}

// Issued lists every code, access token, refresh token and ID token issued, for log greps.
func (p *Provider) Issued() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.issued...)
}

// LastRefreshToken is the most recently issued refresh token.
func (p *Provider) LastRefreshToken() string { p.mu.Lock(); defer p.mu.Unlock(); return p.lastRefresh }

// RevokeAll revokes every grant, as a user removing the app from their account does.
func (p *Provider) RevokeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range p.refresh {
		g.dead = true
	}
	for _, a := range p.access {
		a.revoked = true
	}
}

// ExpireAccessTokens makes every access token issued so far expired.
func (p *Provider) ExpireAccessTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.access {
		a.expiry = time.Now().Add(-time.Second)
	}
}

// Introspect says whether an access token is active and whose it is (RFC 7662's answer,
// for in-process servers that validate XOAUTH2 logins).
func (p *Provider) Introspect(token string) (email string, active bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.access[token]
	if !ok || a.revoked || time.Now().After(a.expiry) {
		return "", false
	}
	return a.email, true
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.counts[r.URL.Path]++
	p.mu.Unlock()
	switch r.URL.Path {
	case PathAuthorize:
		p.authorize(w, r)
	case PathToken:
		p.token(w, r)
	case PathUserinfo:
		p.userinfo(w, r)
	case PathRevoke:
		p.revoke(w, r)
	case PathIntrospect:
		p.introspect(w, r)
	case PathDiscovery:
		p.discovery(w)
	case PathMint, PathExpire, PathRevokeUser:
		if !p.opts.Control {
			http.NotFound(w, r)
			return
		}
		p.control(w, r)
	default: // discovery and keys
		_, keys := p.signer()
		keys.ServeHTTP(w, r)
	}
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorize consents at once as the configured user and redirects to redirect_uri.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authRequests = append(p.authRequests, q)
	if q.Get("client_id") != p.opts.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	ru, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || ru.Scheme != "http" || ru.Hostname() != "127.0.0.1" {
		http.Error(w, "redirect_uri must be a loopback http URI", http.StatusBadRequest)
		return
	}
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "response_type=code with a PKCE S256 challenge is required", http.StatusBadRequest)
		return
	}
	back := ru.Query()
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	if p.deny {
		back.Set("error", "access_denied")
		back.Set("error_description", "The user denied access")
	} else {
		email := p.email
		if h := q.Get("login_hint"); p.opts.LoginHint && h != "" {
			email = h
		}
		code := random()
		p.issued = append(p.issued, code)
		p.codes[code] = &codeGrant{email: email, challenge: q.Get("code_challenge"),
			redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"), scope: q.Get("scope")}
		back.Set("code", code)
	}
	ru.RawQuery = back.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

type tokenResponse struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int    `json:"expires_in"`
	RefreshToken          string `json:"refresh_token,omitempty"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in,omitempty"`
	IDToken               string `json:"id_token,omitempty"`
	Scope                 string `json:"scope,omitempty"`
}

// tokenError answers as RFC 6749 §5.2 says (400, a JSON error code).
func (p *Provider) tokenError(w http.ResponseWriter, code, why string) {
	p.refusals = append(p.refusals, why)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": why})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := r.PostForm
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.clientOK(f) {
		p.tokenError(w, "invalid_client", "unknown client or wrong secret")
		return
	}
	var resp tokenResponse
	switch f.Get("grant_type") {
	case "authorization_code":
		g, ok := p.codes[f.Get("code")]
		switch {
		case !ok:
			p.tokenError(w, "invalid_grant", "unknown code")
			return
		case g.used:
			// RFC 6749 §4.1.2: a code used twice revokes what it granted.
			if rg := p.refresh[g.refresh]; rg != nil {
				rg.dead = true
			}
			p.tokenError(w, "invalid_grant", "code replayed")
			return
		case f.Get("redirect_uri") != g.redirectURI:
			p.tokenError(w, "invalid_grant", "redirect_uri differs from the authorisation request")
			return
		}
		g.used = true
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
			p.tokenError(w, "invalid_grant", "PKCE verifier does not match the challenge")
			return
		}
		resp = p.issue(g.email, g.scope, g.nonce, true)
		g.refresh = resp.RefreshToken
	case "refresh_token":
		rg, ok := p.refresh[f.Get("refresh_token")]
		if !ok || rg.dead {
			p.tokenError(w, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		resp = p.issue(rg.email, rg.scope, "", p.opts.Rotate)
		if p.opts.Rotate {
			rg.dead = true
		}
	default:
		p.tokenError(w, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

// clientOK checks client_id, and client_secret when the provider has one (in the body, or
// HTTP Basic as RFC 6749 §2.3.1 prefers).
func (p *Provider) clientOK(f url.Values) bool {
	id, secret := f.Get("client_id"), f.Get("client_secret")
	return id == p.opts.ClientID && (p.opts.ClientSecret == "" || secret == p.opts.ClientSecret)
}

// issue makes an access token (and a refresh token when asked), with an ID token when the
// scope has openid. Called with p.mu held.
func (p *Provider) issue(email, scope, nonce string, withRefresh bool) tokenResponse {
	at := random()
	p.access[at] = &accessGrant{email: email, scope: scope, expiry: time.Now().Add(p.opts.AccessTTL)}
	p.issued = append(p.issued, at)
	resp := tokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int(p.opts.AccessTTL / time.Second), Scope: scope}
	if withRefresh {
		rt := random()
		p.refresh[rt] = &refreshGrant{email: email, scope: scope}
		p.issued = append(p.issued, rt)
		p.lastRefresh = rt
		resp.RefreshToken = rt
		if p.opts.RefreshTokenTTL > 0 {
			resp.RefreshTokenExpiresIn = int(p.opts.RefreshTokenTTL / time.Second)
		}
	}
	if strings.Contains(" "+scope+" ", " openid ") {
		claims := map[string]any{
			"iss": p.URL, "aud": p.opts.ClientID, "sub": "sub-" + email,
			"email": email, "email_verified": true,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		}
		if nonce != "" {
			claims["nonce"] = nonce
		}
		raw, _ := json.Marshal(claims)
		key, _ := p.signer()
		if p.badSigner {
			key = unknownKey()
		}
		resp.IDToken = oidctest.SignIDToken(key, keyID, oidc.RS256, string(raw))
		p.issued = append(p.issued, resp.IDToken)
	}
	return resp
}

func (p *Provider) bearer(r *http.Request) *accessGrant {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	a := p.access[tok]
	if a == nil || a.revoked || time.Now().After(a.expiry) {
		return nil
	}
	return a
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	a := p.bearer(r)
	p.mu.Unlock()
	if a == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"sub": "sub-" + a.email, "email": a.email, "email_verified": true})
}

// revoke is RFC 7009: revoking a refresh token also ends the access tokens of its grant;
// an unknown token is not an error.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	tok := r.PostForm.Get("token")
	if rg, ok := p.refresh[tok]; ok {
		rg.dead = true
		for _, a := range p.access {
			if a.email == rg.email {
				a.revoked = true
			}
		}
	}
	if a, ok := p.access[tok]; ok {
		a.revoked = true
	}
	w.WriteHeader(http.StatusOK)
}

// introspect is RFC 7662, answering in the shape Dovecot's passdb oauth2 reads
// (username_attribute = username, active_attribute = active, active_value = true).
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	a := p.access[r.PostForm.Get("token")]
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if a == nil || a.revoked || time.Now().After(a.expiry) {
		_ = json.NewEncoder(w).Encode(map[string]any{"active": false})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"active": true, "username": a.email, "scope": a.scope,
		"client_id": p.opts.ClientID, "token_type": "Bearer", "exp": a.expiry.Unix(),
	})
}

// control serves PathMint, PathExpire and PathRevokeUser.
func (p *Provider) control(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.URL.Path {
	case PathMint:
		user := r.PostForm.Get("username")
		if !strings.Contains(user, "@") {
			http.Error(w, "username=<address> is required", http.StatusBadRequest)
			return
		}
		resp := p.issue(user, r.PostForm.Get("scope"), "", true)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(resp)
	case PathExpire:
		a := p.access[r.PostForm.Get("token")]
		if a == nil {
			http.Error(w, "unknown access token", http.StatusNotFound)
			return
		}
		a.expiry = time.Now().Add(-time.Second)
		w.WriteHeader(http.StatusNoContent)
	case PathRevokeUser:
		user := r.PostForm.Get("username")
		n := 0
		for _, g := range p.refresh {
			if strings.EqualFold(g.email, user) && !g.dead {
				g.dead = true
				n++
			}
		}
		for _, a := range p.access {
			if strings.EqualFold(a.email, user) {
				a.revoked = true
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"revoked": n})
	}
}

// discovery serves the provider's configuration: every endpoint, so a client configured
// with the issuer alone (oauth.FromIssuer) finds them.
func (p *Provider) discovery(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + PathAuthorize,
		"token_endpoint":                        p.URL + PathToken,
		"userinfo_endpoint":                     p.URL + PathUserinfo,
		"revocation_endpoint":                   p.URL + PathRevoke,
		"introspection_endpoint":                p.URL + PathIntrospect,
		"jwks_uri":                              p.URL + PathKeys,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "https://mail.google.com/"},
	})
}

// XOAuth2Server returns a server side of the XOAUTH2 SASL mechanism (go-sasl has none) that
// accepts a bearer token this provider issued to the user named in the exchange, and then
// calls login with that user. A refused token gets the JSON challenge Gmail sends, and the
// exchange fails after the client's empty answer, as with Gmail and Outlook.
func (p *Provider) XOAuth2Server(login func(username string) error) sasl.Server {
	return NewXOAuth2Server(func(token string) (string, bool, error) {
		email, ok := p.Introspect(token)
		return email, ok, nil
	}, login)
}

// Introspector says whether a bearer token is active and whose it is.
type Introspector func(token string) (username string, active bool, err error)

// NewXOAuth2Server is XOAuth2Server for any introspector, e.g. RemoteIntrospector for a
// provider running in another process.
func NewXOAuth2Server(introspect Introspector, login func(username string) error) sasl.Server {
	return &xoauth2Server{introspect: introspect, login: login}
}

// introspectTimeout bounds one introspection request, as Dovecot's timeout_msecs does.
const introspectTimeout = 10 * time.Second

// RemoteIntrospector asks an RFC 7662 endpoint (e.g. URL+PathIntrospect) the way Dovecot's
// passdb oauth2 does with introspection_mode = post: POST token=…, then "active" and
// "username" from the JSON answer.
func RemoteIntrospector(endpoint string) Introspector {
	client := &http.Client{Timeout: introspectTimeout}
	return func(token string) (string, bool, error) {
		resp, err := client.PostForm(endpoint, url.Values{"token": {token}})
		if err != nil {
			return "", false, fmt.Errorf("testoidc: introspection: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", false, fmt.Errorf("testoidc: introspection: HTTP %d", resp.StatusCode)
		}
		var answer struct {
			Active   bool   `json:"active"`
			Username string `json:"username"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
			return "", false, fmt.Errorf("testoidc: introspection answer: %w", err)
		}
		return answer.Username, answer.Active, nil
	}
}

// ErrXOAuth2Refused ends an XOAUTH2 exchange whose token was refused.
var ErrXOAuth2Refused = errors.New("invalid credentials (bearer token refused)")

type xoauth2Server struct {
	introspect Introspector
	login      func(string) error
	refused    bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.refused {
		return nil, true, ErrXOAuth2Refused
	}
	if resp == nil {
		return []byte{}, false, nil // no initial response: ask for it
	}
	var user, token string
	for _, f := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		} else if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	if user == "" || token == "" {
		return nil, true, errors.New("malformed XOAUTH2 response")
	}
	email, ok, err := s.introspect(token)
	if err != nil {
		return nil, true, err
	}
	if !ok || !strings.EqualFold(email, user) {
		s.refused = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	if err := s.login(user); err != nil {
		return nil, true, err
	}
	return nil, true, nil
}
