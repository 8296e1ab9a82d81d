package oauth_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/oauth"
	"mailroom/backend/vault"
)

// signIn runs a whole browser sign-in and saves the grant under secretID.
func signIn(t *testing.T, e *env, st *oauth.TokenStore, secretID string) *oauth.Grant {
	t.Helper()
	f, err := e.c.Begin(context.Background(), oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	g, err := f.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(secretID, g); err != nil {
		t.Fatal(err)
	}
	return g
}

func vaultRefresh(t *testing.T, v vault.Vault, secretID string) string {
	t.Helper()
	raw, err := v.Get(oauth.VaultKey(secretID))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		t.Fatal(err)
	}
	return rec.RefreshToken
}

// checkingVault lets a test see the vault at the moment of each write.
type checkingVault struct {
	*vault.Memory
	mu     sync.Mutex
	onSet  func(key, secret string) error
	writes int
}

func (v *checkingVault) Set(key, secret string) error {
	v.mu.Lock()
	v.writes++
	hook := v.onSet
	v.mu.Unlock()
	if hook != nil {
		if err := hook(key, secret); err != nil {
			return err
		}
	}
	return v.Memory.Set(key, secret)
}

func TestTheAccessTokenStaysInMemoryAndTheRefreshTokenInTheVault(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	v := vault.NewMemory()
	st := oauth.NewTokenStore(e.c, v)
	g := signIn(t, e, st, "s1")
	raw, _ := v.Get(oauth.VaultKey("s1"))
	if strings.Contains(raw, g.Token.AccessToken) {
		t.Fatal("the access token was written to the vault")
	}
	if vaultRefresh(t, v, "s1") != g.Token.RefreshToken || len(v.Keys()) != 1 {
		t.Fatalf("vault keys %v", v.Keys())
	}
	tok, err := st.Source("s1").Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != g.Token.AccessToken || tok.RefreshToken != "" {
		t.Fatal("the first token is not the sign-in's access token alone")
	}
	if n := e.p.Count(testoidc.PathToken); n != 1 {
		t.Fatalf("%d token requests, want only the sign-in's", n)
	}
	if em, _ := st.Source("s1").Email(context.Background()); em != ana {
		t.Fatalf("Email = %q", em)
	}
}

func TestARotatedRefreshTokenIsInTheVaultBeforeTheAccessTokenIsHandedOut(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana, Rotate: true}, nil)
	v := &checkingVault{Memory: vault.NewMemory()}
	st := oauth.NewTokenStore(e.c, v)
	signIn(t, e, st, "s1")
	first := e.p.LastRefreshToken()

	// The vault refuses the write: the provider has rotated, but no access token leaves.
	v.onSet = func(string, string) error {
		return vault.ErrLocked.New(nil)
	}
	e.clock.Add(2 * time.Hour)
	tok, err := st.Source("s1").Token(context.Background())
	if tok != nil || !fault.Is(err, fault.VaultUnavailable) {
		t.Fatalf("Token = %v, %v; want no token and vault_unavailable", tok, err)
	}
	rotated := e.p.LastRefreshToken()
	if rotated == first || vaultRefresh(t, v, "s1") != first {
		t.Fatal("the test did not rotate, or the vault changed although it refused")
	}

	// The vault works again: the kept token is stored first, and no second refresh is needed.
	var atWrite string
	v.onSet = func(_, secret string) error { atWrite = secret; return nil }
	tok, err = st.Source("s1").Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(atWrite, rotated) || vaultRefresh(t, v, "s1") != rotated {
		t.Fatal("the rotated refresh token was not stored")
	}
	if n := e.p.Count(testoidc.PathToken); n != 2 {
		t.Fatalf("%d token requests, want sign-in + one refresh", n)
	}
	if _, ok := e.p.Introspect(tok.AccessToken); !ok {
		t.Fatal("the access token handed out is not the one issued")
	}

	// Next refresh: the write happens while the new access token is still unseen by the caller.
	e.clock.Add(2 * time.Hour)
	before := e.p.Count(testoidc.PathToken)
	var handedOut bool
	v.onSet = func(_, secret string) error {
		if handedOut {
			t.Error("the vault was written after the token was handed out")
		}
		if !strings.Contains(secret, e.p.LastRefreshToken()) {
			t.Error("the vault write is not the newest refresh token")
		}
		return nil
	}
	if _, err := st.Source("s1").Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	handedOut = true
	if e.p.Count(testoidc.PathToken) != before+1 || vaultRefresh(t, v, "s1") != e.p.LastRefreshToken() {
		t.Fatal("the second rotation was not stored")
	}

	// A restart (memory lost) continues from the vault: the provider accepts only the newest.
	v.onSet = nil
	e.clock.Add(2 * time.Hour)
	again := oauth.NewTokenStore(oauth.New(e.cfg, oauth.Options{Now: e.clock.Now}), v)
	if _, err := again.Source("s1").Token(context.Background()); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana, Rotate: true}, nil)
	st := oauth.NewTokenStore(e.c, vault.NewMemory())
	signIn(t, e, st, "s1")
	e.clock.Add(2 * time.Hour)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	errs := make([]error, 8)
	for i := range tokens {
		wg.Go(func() {
			tok, err := st.Source("s1").Token(context.Background())
			errs[i] = err
			if tok != nil {
				tokens[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v (same token: %v)", i, errs[i], tokens[i] == tokens[0])
		}
	}
	if n := e.p.Count(testoidc.PathToken); n != 2 {
		t.Fatalf("%d token requests, want sign-in + one refresh", n)
	}
}

func TestADeadGrantNeedsSignInAfterExactlyOneRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		kill func(*testing.T, *env, *oauth.TokenStore)
	}{
		{"revoked by the user at the provider", func(_ *testing.T, e *env, _ *oauth.TokenStore) { e.p.RevokeAll() }},
		{"invalid_grant for an unknown token", func(t *testing.T, _ *env, st *oauth.TokenStore) {
			// Another sign-in replaced the grant at the provider: simulate with a token it never issued.
			if err := st.Save("s1", &oauth.Grant{Provider: oauth.Google, Email: ana, Token: withRefresh("never-issued")}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, testoidc.Options{Email: ana}, nil)
			st := oauth.NewTokenStore(e.c, vault.NewMemory())
			g := signIn(t, e, st, "s1")
			tc.kill(t, e, st)
			e.clock.Add(2 * time.Hour)
			before := e.p.Count(testoidc.PathToken)
			for i := range 4 {
				tok, err := st.Source("s1").Token(context.Background())
				assertFault(t, err, fault.AuthFailed, oauth.ErrNeedsSignIn)
				if tok != nil {
					t.Fatal("a token came with the error")
				}
				if i == 0 && (strings.Contains(err.Error(), g.Token.RefreshToken) || !oauth.ErrGrantRefused.Is(err)) {
					t.Fatalf("error text: %v", err)
				}
			}
			if n := e.p.Count(testoidc.PathToken) - before; n != 1 {
				t.Fatalf("%d token requests after the grant died, want exactly 1", n)
			}
		})
	}
}

func TestRevokeEndsTheGrantAtTheProvider(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	v := vault.NewMemory()
	st := oauth.NewTokenStore(e.c, v)
	g := signIn(t, e, st, "s1")
	revoked, err := st.Revoke(context.Background(), "s1")
	if err != nil || !revoked {
		t.Fatalf("Revoke = %v, %v", revoked, err)
	}
	if e.p.Count(testoidc.PathRevoke) != 1 {
		t.Fatal("no revocation request")
	}
	if _, ok := e.p.Introspect(g.Token.AccessToken); ok {
		t.Fatal("the access token is still active at the provider")
	}
	// This store refuses at once; a restarted one asks once and learns the grant is gone.
	before := e.p.Count(testoidc.PathToken)
	if _, err := st.Source("s1").Token(context.Background()); !errors.Is(err, oauth.ErrNeedsSignIn) || e.p.Count(testoidc.PathToken) != before {
		t.Fatalf("after Revoke: %v, %d requests", err, e.p.Count(testoidc.PathToken)-before)
	}
	fresh := oauth.NewTokenStore(oauth.New(e.cfg, oauth.Options{}), v)
	if _, err := fresh.Source("s1").Token(context.Background()); !errors.Is(err, oauth.ErrNeedsSignIn) || e.p.Count(testoidc.PathToken) != before+1 {
		t.Fatalf("restarted after Revoke: %v", err)
	}
	if err := st.Delete("s1"); err != nil || len(v.Keys()) != 0 {
		t.Fatalf("Delete: %v, keys %v", err, v.Keys())
	}

	// Microsoft has no revocation endpoint: said, not faked.
	ms := oauth.NewTokenStore(e.c, vault.NewMemory())
	if err := ms.Save("m1", &oauth.Grant{Provider: oauth.Microsoft, Email: ana, Token: withRefresh("rt")}); err != nil {
		t.Fatal(err)
	}
	if revoked, err := ms.Revoke(context.Background(), "m1"); revoked || err != nil {
		t.Fatalf("Microsoft Revoke = %v, %v", revoked, err)
	}
}

func TestAKnownRefreshExpiryIsRecorded(t *testing.T) {
	t.Run("announced by the provider", func(t *testing.T) {
		e := newEnv(t, testoidc.Options{Email: ana, RefreshTokenTTL: oauth.GoogleTestingRefreshLifetime}, nil)
		st := oauth.NewTokenStore(e.c, vault.NewMemory())
		signIn(t, e, st, "s1")
		info, err := st.Info("s1")
		if err != nil {
			t.Fatal(err)
		}
		if d := info.RefreshExpiresAt.Sub(e.clock.Now()); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour {
			t.Fatalf("refresh expires in %s, want 7 days", d)
		}
	})
	t.Run("from the settings", func(t *testing.T) {
		e := newEnv(t, testoidc.Options{Email: ana}, func(c *oauth.Config, _ *oauth.Options) {
			c.Google.RefreshTokenLifetime = 72 * time.Hour
		})
		st := oauth.NewTokenStore(e.c, vault.NewMemory())
		signIn(t, e, st, "s1")
		info, _ := st.Info("s1")
		if d := info.RefreshExpiresAt.Sub(e.clock.Now()); d != 72*time.Hour {
			t.Fatalf("refresh expires in %s, want 72h", d)
		}
	})
	t.Run("none known", func(t *testing.T) {
		e := newEnv(t, testoidc.Options{Email: ana}, nil)
		st := oauth.NewTokenStore(e.c, vault.NewMemory())
		signIn(t, e, st, "s1")
		if info, _ := st.Info("s1"); !info.RefreshExpiresAt.IsZero() || info.Email != ana || info.Provider != oauth.Google {
			t.Fatalf("info %+v", info)
		}
	})
}

func TestNoSavedGrantNeedsSignInWithoutAsking(t *testing.T) {
	e := newEnv(t, testoidc.Options{}, nil)
	st := oauth.NewTokenStore(e.c, vault.NewMemory())
	_, err := st.Source("nobody").Token(context.Background())
	assertFault(t, err, fault.AuthFailed, oauth.ErrNeedsSignIn)
	if e.p.Count(testoidc.PathToken) != 0 {
		t.Fatal("a token request without a grant")
	}
}

func withRefresh(rt string) *oauth2.Token { return &oauth2.Token{RefreshToken: rt} }

// fileVault is a vault that survives the process, for the crash test: each Set replaces
// the file atomically and syncs it, as a keychain daemon holds what it was given.
type fileVault struct{ path string }

func (f fileVault) load() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	return m, json.Unmarshal(b, &m)
}

func (f fileVault) Set(k, s string) error {
	m, err := f.load()
	if err != nil {
		return err
	}
	m[k] = s
	return f.save(m)
}

func (f fileVault) save(m map[string]string) error {
	b, _ := json.Marshal(m)
	tmp := f.path + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = fh.Write(b)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, f.path)
}

func (f fileVault) Get(k string) (string, error) {
	m, err := f.load()
	if err != nil {
		return "", err
	}
	s, ok := m[k]
	if !ok {
		return "", vault.ErrNotFound
	}
	return s, nil
}
func (f fileVault) Delete(k string) error {
	m, err := f.load()
	if err != nil {
		return err
	}
	delete(m, k)
	return f.save(m)
}
func (fileVault) Check() vault.Status { return vault.Status{Available: true} }

// TestAKillRightAfterARefreshKeepsTheLastIssuedToken runs this test binary as a child that
// refreshes (with rotation) and is SIGKILLed the moment it has its access token: the vault
// must then hold the refresh token the provider issued last, and it must work.
func TestAKillRightAfterARefreshKeepsTheLastIssuedToken(t *testing.T) {
	if os.Getenv("MAILROOM_OAUTH_CHILD") == "1" {
		crashChild()
		return
	}
	e := newEnv(t, testoidc.Options{Email: ana, Rotate: true}, nil)
	fv := fileVault{path: filepath.Join(t.TempDir(), "vault.json")}
	st := oauth.NewTokenStore(e.c, fv)
	signIn(t, e, st, "s1")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAKillRightAfterARefreshKeepsTheLastIssuedToken$")
		cmd.Env = append(os.Environ(), "MAILROOM_OAUTH_CHILD=1", "OAUTH_TEST_URL="+e.p.URL,
			"OAUTH_TEST_CLIENT="+e.p.ClientID(), "OAUTH_TEST_VAULT="+fv.path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait() // "signal: killed", as intended
		if !strings.HasPrefix(line, "token ") {
			t.Fatalf("round %d: child said %q", round, line)
		}
		if got := vaultRefresh(t, fv, "s1"); got != e.p.LastRefreshToken() {
			t.Fatalf("round %d: the vault holds a refresh token the provider no longer honours", round)
		}
	}
	if n := e.p.Count(testoidc.PathToken); n != 4 {
		t.Fatalf("%d token requests, want sign-in + 3 refreshes", n)
	}
}

// crashChild refreshes through the file vault, says so, and waits to be killed.
func crashChild() {
	cfg := oauth.DefaultConfig()
	u := os.Getenv("OAUTH_TEST_URL")
	cfg.Google.ClientID = os.Getenv("OAUTH_TEST_CLIENT")
	cfg.Google.TokenURL = u + testoidc.PathToken
	st := oauth.NewTokenStore(oauth.New(cfg, oauth.Options{}), fileVault{path: os.Getenv("OAUTH_TEST_VAULT")})
	tok, err := st.Source("s1").Token(context.Background())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("token", len(tok.AccessToken))
	time.Sleep(time.Minute)
	os.Exit(2)
}
