package oauth_test

import (
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/oauth"
)

// clock is a settable time source for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// providerFor points Google's settings at the local provider.
func providerFor(p *testoidc.Provider) oauth.Config {
	cfg := oauth.DefaultConfig()
	g := cfg.Google
	g.ClientID = p.ClientID()
	g.AuthURL = p.URL + testoidc.PathAuthorize
	g.TokenURL = p.URL + testoidc.PathToken
	g.UserinfoURL = p.URL + testoidc.PathUserinfo
	g.RevocationURL = p.URL + testoidc.PathRevoke
	g.JWKSURL = p.URL + testoidc.PathKeys
	g.Issuers = []string{p.URL}
	cfg.Google = g
	return cfg
}

type env struct {
	p     *testoidc.Provider
	c     *oauth.Client
	logs  *testenv.LogBuffer
	clock *clock
	cfg   oauth.Config
}

// newEnv starts a provider and a client on it. At the end of every test it checks that no
// code or token the provider issued appears in the client's log.
func newEnv(t *testing.T, po testoidc.Options, mod func(*oauth.Config, *oauth.Options)) *env {
	t.Helper()
	p := testoidc.Start(t, po)
	e := &env{p: p, logs: &testenv.LogBuffer{}, clock: &clock{t: time.Now()}, cfg: providerFor(p)}
	opts := oauth.Options{
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    e.clock.Now,
	}
	if mod != nil {
		mod(&e.cfg, &opts)
	}
	e.c = oauth.New(e.cfg, opts)
	t.Cleanup(func() { assertNoSecrets(t, "the log", e.logs.String(), p.Issued()) })
	return e
}

func assertNoSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(text, s) || strings.Contains(text, base64.StdEncoding.EncodeToString([]byte(s))) {
			t.Errorf("%s holds an issued code or token (%.8s…):\n%s", where, s, text)
		}
	}
}

// noRedirects is a browser that stops at the first redirect, to tamper with it.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// browser follows redirects as a real one does: provider → loopback listener → page.
var browser = &http.Client{Timeout: 10 * time.Second}

type page struct {
	status  int
	body    string
	header  http.Header
	lastURL *url.URL
}

func get(t *testing.T, cl *http.Client, u string) page {
	t.Helper()
	resp, err := cl.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(b), header: resp.Header, lastURL: resp.Request.URL}
}

// authorise asks the provider for the authorisation and returns where it redirects,
// without following.
func authorise(t *testing.T, authURL string) *url.URL {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorise: %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// assertClosed fails unless nothing listens at the redirect URI any more.
func assertClosed(t *testing.T, redirectURI string) {
	t.Helper()
	u, _ := url.Parse(redirectURI)
	deadline := time.Now().Add(3 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the loopback listener %s still accepts connections", u.Host)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func assertFault(t *testing.T, err error, code fault.Code, sentinel error) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error (%v), got none", code, sentinel)
	}
	if got := fault.CodeOf(err); got != code {
		t.Fatalf("code = %s, want %s (%v)", got, code, err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("error %v is not %v", err, sentinel)
	}
}
