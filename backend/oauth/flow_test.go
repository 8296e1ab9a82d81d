package oauth_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/oauth"
)

const ana = "ana@example.test"

func TestSignInThroughTheBrowserGivesVerifiedTokensAndClosesTheListener(t *testing.T) {
	var opened []string
	e := newEnv(t, testoidc.Options{Email: ana}, func(_ *oauth.Config, o *oauth.Options) {
		o.OpenURL = func(u string) error { opened = append(opened, u); return nil }
	})
	f, err := e.c.Begin(context.Background(), oauth.Google, "Ana@Example.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 || opened[0] != f.URL() {
		t.Fatalf("the browser was asked to open %q, want the flow's URL once", opened)
	}
	if !strings.HasPrefix(f.RedirectURI(), "http://127.0.0.1:") {
		t.Fatalf("redirect URI %q is not on 127.0.0.1", f.RedirectURI())
	}

	pg := get(t, browser, f.URL())
	g, err := f.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if g.Email != ana || g.Provider != oauth.Google {
		t.Fatalf("grant for %s/%s", g.Provider, g.Email)
	}
	if g.Token.AccessToken == "" || g.Token.RefreshToken != e.p.LastRefreshToken() {
		t.Fatalf("tokens not those issued: refresh matches=%v", g.Token.RefreshToken == e.p.LastRefreshToken())
	}

	// What the authorisation request carried.
	reqs := e.p.AuthRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d authorisation requests", len(reqs))
	}
	q := reqs[0]
	for k, want := range map[string]string{"code_challenge_method": "S256", "login_hint": "Ana@Example.test",
		"access_type": "offline", "prompt": "consent", "redirect_uri": f.RedirectURI(), "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 32 || len(q.Get("nonce")) < 32 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("state, nonce or challenge too short: %v", q)
	}
	if got := strings.Fields(q.Get("scope")); strings.Join(got, " ") != "https://mail.google.com/ openid email" {
		t.Errorf("scope = %q", got)
	}

	// The page the browser shows.
	if pg.status != 200 || !strings.Contains(pg.body, "You can return to Mailroom") || !strings.Contains(pg.body, "Vous pouvez revenir à Mailroom") {
		t.Fatalf("page %d:\n%s", pg.status, pg.body)
	}
	if strings.Contains(strings.ToLower(pg.body), "<script") || strings.Contains(pg.body, "http") {
		t.Fatalf("the page has a script or a remote reference:\n%s", pg.body)
	}
	if csp := pg.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP = %q", csp)
	}
	if pg.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("Referrer-Policy = %q", pg.header.Get("Referrer-Policy"))
	}
	assertClosed(t, f.RedirectURI())
	if e.p.Count(testoidc.PathToken) != 1 {
		t.Fatalf("%d token requests, want 1", e.p.Count(testoidc.PathToken))
	}
}

// A redirect with no state or another flow's state is refused before any token request.
func TestRefusesAnAnswerWithoutThisSignInsState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state func(url.Values)
	}{
		{"state missing", func(q url.Values) { q.Del("state") }},
		{"state of another sign-in", func(q url.Values) { q.Set("state", "forged-"+q.Get("state")) }},
		{"state empty", func(q url.Values) { q.Set("state", "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, testoidc.Options{Email: ana}, nil)
			f, err := e.c.Begin(context.Background(), oauth.Google, ana)
			if err != nil {
				t.Fatal(err)
			}
			back := authorise(t, f.URL()) // a real code, delivered with a bad state
			q := back.Query()
			if q.Get("code") == "" {
				t.Fatal("the provider gave no code")
			}
			tc.state(q)
			back.RawQuery = q.Encode()
			pg := get(t, browser, back.String())
			_, err = f.Wait(context.Background())
			assertFault(t, err, fault.AuthFailed, oauth.ErrState)
			if n := e.p.Count(testoidc.PathToken); n != 0 {
				t.Fatalf("%d token requests reached the provider, want none", n)
			}
			if pg.status != 400 || !strings.Contains(pg.body, "Vous pouvez revenir à Mailroom") {
				t.Fatalf("page %d:\n%s", pg.status, pg.body)
			}
			assertClosed(t, f.RedirectURI())
		})
	}
}

func TestRefusesAReplayedCode(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	f1, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	first := get(t, browser, f1.URL())
	if _, err := f1.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	code := first.lastURL.Query().Get("code")

	// The used code replayed into a second sign-in, with that sign-in's own state.
	f2, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	au, _ := url.Parse(f2.URL())
	get(t, browser, f2.RedirectURI()+"?"+url.Values{"code": {code}, "state": {au.Query().Get("state")}}.Encode())
	g, err := f2.Wait(context.Background())
	assertFault(t, err, fault.AuthFailed, nil)
	if g != nil {
		t.Fatal("a grant came from a replayed code")
	}
	if r := e.p.Refusals(); len(r) != 1 || r[0] != "code replayed" {
		t.Fatalf("provider refusals %q", r)
	}
	// And the first listener is long gone: nobody can replay into it.
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(strings.TrimSuffix(f1.RedirectURI(), "/"), "http://"), time.Second); err == nil {
		t.Fatal("the first sign-in's listener still accepts connections")
	}
}

// A code obtained for another PKCE challenge (an injected code) cannot be exchanged with
// this sign-in's verifier.
func TestRefusesACodeIssuedForAnotherVerifier(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	f, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	au, _ := url.Parse(f.URL())
	q := au.Query()
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()))
	au.RawQuery = q.Encode()
	get(t, browser, au.String())
	_, err = f.Wait(context.Background())
	assertFault(t, err, fault.AuthFailed, nil)
	if r := e.p.Refusals(); len(r) != 1 || !strings.Contains(r[0], "PKCE") {
		t.Fatalf("provider refusals %q", r)
	}
}

func TestRefusesAnotherAddressNamingBoth(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: "bob@example.test"}, nil)
	f, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	g, err := f.Wait(context.Background())
	assertFault(t, err, fault.AuthFailed, oauth.ErrWrongAccount)
	var fe *fault.Error
	errors.As(err, &fe)
	if !oauth.ErrOtherAddress.Is(err) || fe.Params["signedIn"] != "bob@example.test" || fe.Params["address"] != ana {
		t.Fatalf("error %s %v does not name both addresses", fe.Reason, fe.Params)
	}
	if g != nil {
		t.Fatal("a grant for the wrong address was returned")
	}
}

func TestCancelInTheBrowserIsSaidAndClosesTheListener(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	e.p.Deny(true)
	f, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	pg := get(t, browser, f.URL())
	_, err = f.Wait(context.Background())
	assertFault(t, err, fault.AuthFailed, oauth.ErrCancelled)
	if !oauth.ErrFlowCancelled.Is(err) {
		t.Fatalf("error is not oauth_cancelled: %v", err)
	}
	if !strings.Contains(pg.body, "Sign-in cancelled") || !strings.Contains(pg.body, "Connexion annulée") {
		t.Fatalf("page:\n%s", pg.body)
	}
	if e.p.Count(testoidc.PathToken) != 0 {
		t.Fatal("a token request followed a cancel")
	}
	assertClosed(t, f.RedirectURI())
}

func TestTimeoutClosesTheListener(t *testing.T) {
	t.Run("while waiting", func(t *testing.T) {
		e := newEnv(t, testoidc.Options{}, func(_ *oauth.Config, o *oauth.Options) { o.FlowTimeout = 150 * time.Millisecond })
		f, err := e.c.Begin(context.Background(), oauth.Google, "")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = f.Wait(context.Background())
		assertFault(t, err, fault.AuthFailed, oauth.ErrTimeout)
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("timed out after %s", d)
		}
		assertClosed(t, f.RedirectURI())
	})
	t.Run("with nobody waiting", func(t *testing.T) {
		e := newEnv(t, testoidc.Options{}, func(_ *oauth.Config, o *oauth.Options) { o.FlowTimeout = 100 * time.Millisecond })
		f, err := e.c.Begin(context.Background(), oauth.Google, "")
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
		assertClosed(t, f.RedirectURI())
	})
	t.Run("the app stops it", func(t *testing.T) {
		e := newEnv(t, testoidc.Options{}, nil)
		f, err := e.c.Begin(context.Background(), oauth.Google, "")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := f.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v", err)
		}
		assertClosed(t, f.RedirectURI())
	})
}

func TestAPortThatCannotBeOpenedIsSaidInWords(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	e := newEnv(t, testoidc.Options{}, func(_ *oauth.Config, o *oauth.Options) { o.ListenAddr = busy.Addr().String() })
	_, err = e.c.Begin(context.Background(), oauth.Google, ana)
	assertFault(t, err, fault.Network, nil)
	var fe *fault.Error
	errors.As(err, &fe)
	if !oauth.ErrLocalPort.Is(err) || fe.Params["address"] != busy.Addr().String() {
		t.Fatalf("error %s %v, want oauth_local_port naming the address", fe.Reason, fe.Params)
	}
}

func TestAnIDTokenNotSignedByTheProviderIsRefused(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	e.p.SignWithUnknownKey(true)
	f, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	g, err := f.Wait(context.Background())
	assertFault(t, err, fault.ProviderRejected, nil)
	if g != nil {
		t.Fatal("a grant came with a forged identity")
	}
}

// Without a key set to verify ID tokens, the address comes from userinfo.
func TestTheAddressComesFromUserinfoWithoutAKeySet(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, func(c *oauth.Config, _ *oauth.Options) { c.Google.JWKSURL = "" })
	f, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	g, err := f.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if g.Email != ana || e.p.Count(testoidc.PathUserinfo) != 1 {
		t.Fatalf("email %q after %d userinfo requests", g.Email, e.p.Count(testoidc.PathUserinfo))
	}
}

func TestProvidersAskForTheMailScopesOnly(t *testing.T) {
	cfg := oauth.DefaultConfig()
	if got := strings.Join(cfg.Google.Scopes, " "); got != "https://mail.google.com/ openid email" {
		t.Errorf("Google scopes %q", got)
	}
	for _, s := range cfg.Microsoft.Scopes {
		if strings.Contains(s, "graph.microsoft.com") {
			t.Errorf("Microsoft scope %q is a Graph scope", s)
		}
	}
	want := "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid email"
	if got := strings.Join(cfg.Microsoft.Scopes, " "); got != want {
		t.Errorf("Microsoft scopes %q", got)
	}
	if cfg.Microsoft.RevocationURL != "" || cfg.Google.RevocationURL == "" {
		t.Error("revocation: Google has an endpoint, Microsoft none")
	}
	if _, err := cfg.Provider("yahoo"); !errors.Is(err, oauth.ErrUnknownProvider) {
		t.Errorf("unknown provider: %v", err)
	}
}
