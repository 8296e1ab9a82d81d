// Package oauth signs a user in to Google or Microsoft in the system browser and keeps the
// account's tokens alive: the installed-app flow of RFC 8252 (a loopback redirect on
// 127.0.0.1, PKCE S256, a checked state and nonce), a check that the address that signed in is
// the one being connected, refresh tokens in the vault and access tokens in memory, and the
// XOAUTH2 mechanism for IMAP and SMTP. It knows nothing of Wails or of the API.
//
//	c := oauth.New(oauth.DefaultConfig(), oauth.Options{OpenURL: browserOpen})
//	flow, err := c.Begin(ctx, oauth.Google, "ana@gmail.com") // listens, opens the browser
//	grant, err := flow.Wait(ctx)                            // the tokens, for ana@gmail.com only
//	store := oauth.NewTokenStore(c, v)
//	err = store.Save(secretID, grant)                       // refresh token → vault
//	tok, err := store.Source(secretID).Token(ctx)           // a fresh access token, refreshed when due
//	imapClient.Authenticate(oauth.NewXOAuth2Client(grant.Email, tok.AccessToken))
//
// Errors the user sees are *fault.Error (auth_failed, network, provider_rejected,
// vault_unavailable) wrapping one of the sentinels below, so callers can tell them apart with
// errors.Is. No error text or log line carries a code or a token.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// ProviderID names a sign-in provider; it is stored with the account's tokens.
type ProviderID string

// The providers Mailroom signs in to.
const (
	Google    ProviderID = "google"
	Microsoft ProviderID = "microsoft"
)

// Mailroom ships no client registration with Google or Microsoft: the built-in client IDs
// are empty, and a provider without one is not configured (Provider.Configured). The
// organisation enters its own in the settings (Registrations), or the environment sets them
// in the Config given to New. Google's "installed app" secret is not confidential (RFC 8252
// §8.5: it ships in every copy of an app), but Google's token endpoint still asks for it.

// Google's endpoints (https://accounts.google.com/.well-known/openid-configuration).
const (
	GoogleAuthURL       = "https://accounts.google.com/o/oauth2/v2/auth"
	GoogleTokenURL      = "https://oauth2.googleapis.com/token"
	GoogleUserinfoURL   = "https://openidconnect.googleapis.com/v1/userinfo"
	GoogleRevocationURL = "https://oauth2.googleapis.com/revoke"
	GoogleJWKSURL       = "https://www.googleapis.com/oauth2/v3/certs"
)

// Microsoft identity platform v2 endpoints for work, school and personal accounts ("common").
// Microsoft offers no RFC 7009 revocation endpoint, and its userinfo endpoint lives on Graph,
// which needs a Graph token: the address comes from the ID token only.
const (
	MicrosoftAuthURL  = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
	MicrosoftTokenURL = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
	MicrosoftJWKSURL  = "https://login.microsoftonline.com/common/discovery/v2.0/keys"
)

// TenantPlaceholder in an issuer stands for the token's own tenant (its tid claim):
// with the "common" endpoint every tenant signs as itself.
const TenantPlaceholder = "{tenantid}"

// The scopes asked for. Microsoft's are the Outlook resource's only: a token is issued for
// one resource, so adding a Graph scope would give a token IMAP and SMTP refuse.
var (
	GoogleScopes    = []string{"https://mail.google.com/", "openid", "email"}
	MicrosoftScopes = []string{
		"https://outlook.office.com/IMAP.AccessAsUser.All",
		"https://outlook.office.com/SMTP.Send",
		"offline_access", "openid", "email",
	}
)

// GoogleTestingRefreshLifetime is how long Google's refresh tokens last when the app's consent
// screen is in "testing" mode (and for some scope combinations): seven days, after which the
// user must sign in again. Set Provider.RefreshTokenLifetime to it for such a client.
const GoogleTestingRefreshLifetime = 7 * 24 * time.Hour

// Provider is one provider's client registration and endpoints. Every field is a setting.
type Provider struct {
	ID           ProviderID
	Name         string // shown in messages: "Google"
	ClientID     string // empty: not configured
	ClientSecret string // Google's installed-app secret; empty for Microsoft (a public client)

	AuthURL       string
	TokenURL      string
	UserinfoURL   string // used when no verifiable ID token came back; empty: none
	RevocationURL string // RFC 7009; empty: the provider has none
	JWKSURL       string // the keys ID tokens are signed with; empty: userinfo only
	// Issuers are the accepted "iss" values of ID tokens; TenantPlaceholder stands for the
	// token's tenant.
	Issuers []string

	Scopes     []string
	AuthParams map[string]string // extra authorisation parameters (e.g. access_type=offline)
	// RefreshTokenLifetime is a known limit on a refresh token's life (0: none known); the
	// provider's refresh_token_expires_in, when it sends one, takes precedence.
	RefreshTokenLifetime time.Duration
}

// Configured reports whether the provider has a client registration: without one, a
// sign-in would only reach an error page at the provider, so none starts.
func (p Provider) Configured() bool { return p.ClientID != "" }

// Config holds the providers' settings.
type Config struct {
	Google    Provider
	Microsoft Provider
}

// DefaultConfig returns the built-in settings, without client IDs; callers set what the
// environment configures, and Registrations what the organisation entered.
func DefaultConfig() Config {
	return Config{
		Google: Provider{
			ID: Google, Name: "Google",
			AuthURL: GoogleAuthURL, TokenURL: GoogleTokenURL, UserinfoURL: GoogleUserinfoURL,
			RevocationURL: GoogleRevocationURL, JWKSURL: GoogleJWKSURL,
			Issuers: []string{"https://accounts.google.com", "accounts.google.com"},
			Scopes:  GoogleScopes,
			// offline: a refresh token; consent: a new one even when the user granted before
			// (Google sends a refresh token only on the first consent otherwise).
			AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
		},
		Microsoft: Provider{
			ID: Microsoft, Name: "Microsoft",
			AuthURL: MicrosoftAuthURL, TokenURL: MicrosoftTokenURL, JWKSURL: MicrosoftJWKSURL,
			Issuers: []string{"https://login.microsoftonline.com/" + TenantPlaceholder + "/v2.0"},
			Scopes:  MicrosoftScopes,
		},
	}
}

// ErrUnknownProvider is returned for a provider ID that is not configured.
var ErrUnknownProvider = errors.New("oauth: unknown provider")

// Provider returns the settings of one provider.
func (c Config) Provider(id ProviderID) (Provider, error) {
	switch id {
	case Google:
		return c.Google, nil
	case Microsoft:
		return c.Microsoft, nil
	}
	return Provider{}, fmt.Errorf("%w %q", ErrUnknownProvider, id)
}

func (p Provider) oauth2Config(redirectURI string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: redirectURI, Scopes: p.Scopes,
		// In the body: both providers accept it, and AutoDetect would send a second token
		// request after a refusal, which must never happen with a single-use code or a
		// rotated refresh token.
		Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
}

// Timeouts and limits.
const (
	DefaultFlowTimeout = 5 * time.Minute  // how long the browser has to come back
	requestTimeout     = 30 * time.Second // one request to the provider
	expiryLeeway       = time.Minute      // an access token this close to expiry is refreshed
	shutdownGrace      = 2 * time.Second  // for the loopback page to finish writing
)

// Options are the client's dependencies.
type Options struct {
	// HTTPClient makes every request to the providers; nil: one with a 30 s timeout.
	HTTPClient *http.Client
	// OpenURL opens the authorisation page in the system browser (Wails' BrowserOpenURL);
	// nil leaves it to the caller, through Flow.URL.
	OpenURL func(url string) error
	// Logger receives events without secrets; nil: discarded.
	Logger *slog.Logger
	// ListenAddr is where the loopback redirect is received; default "127.0.0.1:0" (a free port).
	ListenAddr string
	// FlowTimeout bounds a sign-in; default DefaultFlowTimeout.
	FlowTimeout time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Client signs in and refreshes tokens. It is safe for concurrent use.
type Client struct {
	cfg  Config
	regs *Registrations // the organisation's, for the providers cfg leaves without a client ID
	opts Options
	http *http.Client
	log  *slog.Logger

	mu      sync.Mutex
	keySets map[string]*oidc.RemoteKeySet // by JWKS URL: keys are cached between sign-ins
}

// New returns a client. It does no I/O.
func New(cfg Config, opts Options) *Client {
	c := &Client{cfg: cfg, opts: opts, http: opts.HTTPClient, log: opts.Logger, keySets: map[string]*oidc.RemoteKeySet{}}
	if c.http == nil {
		c.http = &http.Client{Timeout: requestTimeout}
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.opts.ListenAddr == "" {
		c.opts.ListenAddr = "127.0.0.1:0"
	}
	if c.opts.FlowTimeout <= 0 {
		c.opts.FlowTimeout = DefaultFlowTimeout
	}
	if c.opts.Now == nil {
		c.opts.Now = time.Now
	}
	return c
}

// FlowTimeout is how long a sign-in waits for the browser.
func (c *Client) FlowTimeout() time.Duration { return c.opts.FlowTimeout }

// Open opens a waiting sign-in's page in the browser again (Options.OpenURL).
func (c *Client) Open(f *Flow) error {
	if c.opts.OpenURL == nil {
		return errors.New("oauth: no browser to open")
	}
	if err := c.opts.OpenURL(f.URL()); err != nil {
		return ErrBrowser.Wrap(err, nil)
	}
	return nil
}

// Config returns the settings the client was built with (without the organisation's
// registrations).
func (c *Client) Config() Config { return c.cfg }

func (c *Client) now() time.Time { return c.opts.Now() }

// FromIssuer returns p with its endpoints and issuer taken from the OpenID Provider
// discovery document at issuer + "/.well-known/openid-configuration" (OpenID Connect
// Discovery 1.0): how an administrator, or a test, points a provider at another server
// without naming each endpoint. The client ID and scopes stay p's.
func FromIssuer(ctx context.Context, client *http.Client, p Provider, issuer string) (Provider, error) {
	if client == nil {
		client = &http.Client{Timeout: requestTimeout}
	}
	issuer = strings.TrimSuffix(issuer, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return p, fmt.Errorf("oauth: %s issuer %q: %w", p.Name, issuer, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return p, fmt.Errorf("oauth: %s discovery: %w", p.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("oauth: %s discovery: HTTP %d", p.Name, resp.StatusCode)
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Userinfo      string `json:"userinfo_endpoint"`
		Revocation    string `json:"revocation_endpoint"`
		JWKS          string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return p, fmt.Errorf("oauth: %s discovery document: %w", p.Name, err)
	}
	if doc.Issuer == "" || doc.Authorization == "" || doc.Token == "" {
		return p, fmt.Errorf("oauth: %s discovery document lacks the issuer, authorization or token endpoint", p.Name)
	}
	p.Issuers = []string{doc.Issuer}
	p.AuthURL, p.TokenURL, p.UserinfoURL, p.RevocationURL, p.JWKSURL = doc.Authorization, doc.Token, doc.Userinfo, doc.Revocation, doc.JWKS
	return p, nil
}
