package oauth_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testoidc"
	"mailroom/backend/oauth"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

const (
	orgClientID = "1234567890-abcdef.apps.googleusercontent.com"
	orgSecret   = "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a"
)

// openStore opens a database in dir.
func openStore(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dataBytes is every file of the database (the main file, its WAL and shared memory).
func dataBytes(t *testing.T, dir string) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "mailroom.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no database files in %s: %v", dir, err)
	}
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func clientState(t *testing.T, c *oauth.Client, id oauth.ProviderID) oauth.ClientState {
	t.Helper()
	states, err := c.Clients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Provider == id {
			return s
		}
	}
	t.Fatalf("no state for %s in %+v", id, states)
	return oauth.ClientState{}
}

// Without a client registration nothing starts; the organisation's, saved in the settings,
// is used by the next sign-in of the same client (no restart); its secret is in the vault
// and nowhere in the database's files, and the token endpoint (which requires it) got it.
func TestTheOrganisationsClientIsSavedWithItsSecretInTheVaultAndUsedAtOnce(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana, ClientID: orgClientID, ClientSecret: orgSecret}, func(c *oauth.Config, _ *oauth.Options) {
		c.Google.ClientID = "" // what the environment did not set
	})
	dir := t.TempDir()
	db := openStore(t, dir)
	v := vault.NewMemory()
	regs := oauth.NewRegistrations(db, v)
	e.c.UseRegistrations(regs)
	ctx := context.Background()

	if st := clientState(t, e.c, oauth.Google); st.Configured() || st.ClientID != "" || st.SecretStored {
		t.Fatalf("before any setting: %+v, want not configured", st)
	}
	if _, err := e.c.Begin(ctx, oauth.Google, ana); !errors.Is(err, oauth.ErrNotConfigured) || fault.CodeOf(err) != fault.InvalidInput {
		t.Fatalf("Begin without a client: %v, want invalid_input wrapping ErrNotConfigured", err)
	}
	if n := len(e.p.AuthRequests()); n != 0 {
		t.Fatalf("%d authorisation requests reached the provider without a client", n)
	}

	if err := regs.Save(ctx, oauth.Google, " "+orgClientID+" ", oauth.Replace(orgSecret)); err != nil {
		t.Fatal(err)
	}
	st := clientState(t, e.c, oauth.Google)
	if st.Source != oauth.SourceSettings || st.ClientID != orgClientID || !st.SecretStored {
		t.Fatalf("after saving: %+v", st)
	}
	if got, err := v.Get(oauth.ClientSecretKey(oauth.Google)); err != nil || got != orgSecret {
		t.Fatalf("vault holds %q (%v), want the secret", got, err)
	}
	raw := dataBytes(t, dir)
	if !bytes.Contains(raw, []byte(orgClientID)) {
		t.Fatal("the client ID is not in the database files: the byte check cannot see settings")
	}
	if bytes.Contains(raw, []byte(orgSecret)) {
		t.Fatal("the client secret is in the database files")
	}

	f, err := e.c.Begin(ctx, oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	if _, err := f.Wait(ctx); err != nil {
		t.Fatalf("sign-in with the saved client and secret: %v (refusals %v)", err, e.p.Refusals())
	}
	if q := e.p.AuthRequests()[0]; q.Get("client_id") != orgClientID {
		t.Fatalf("authorisation asked for client %q, want the saved one", q.Get("client_id"))
	}
	assertNoSecrets(t, "the log", e.logs.String(), []string{orgSecret})

	// A new client over the same settings and vault (the next start) reads the secret back.
	again := oauth.New(e.cfg, oauth.Options{})
	again.UseRegistrations(oauth.NewRegistrations(db, v))
	f, err = again.Begin(ctx, oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	if _, err := f.Wait(ctx); err != nil {
		t.Fatalf("sign-in after a restart: %v (refusals %v)", err, e.p.Refusals())
	}

	// The secret removed: gone from the vault, the client ID stays.
	if err := regs.Save(ctx, oauth.Google, orgClientID, oauth.Remove); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(oauth.ClientSecretKey(oauth.Google)); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("after Remove the vault still answers %v", err)
	}
	if st := clientState(t, e.c, oauth.Google); !st.Configured() || st.SecretStored {
		t.Fatalf("after removing the secret: %+v", st)
	}
	// Without its secret, this provider refuses the code: the client sent none.
	f, err = e.c.Begin(ctx, oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	get(t, browser, f.URL())
	if _, err := f.Wait(ctx); fault.CodeOf(err) != fault.ProviderRejected {
		t.Fatalf("without the secret the provider requires: %v, want provider_rejected (invalid_client)", err)
	}

	// The registration removed: not configured again, and nothing left in the vault.
	if err := regs.Save(ctx, oauth.Google, orgClientID, oauth.Replace(orgSecret)); err != nil {
		t.Fatal(err)
	}
	if err := regs.Save(ctx, oauth.Google, "", oauth.Keep); err != nil {
		t.Fatal(err)
	}
	if st := clientState(t, e.c, oauth.Google); st.Configured() || st.SecretStored {
		t.Fatalf("after removing the registration: %+v", st)
	}
	if keys := v.Keys(); len(keys) != 0 {
		t.Fatalf("vault keys left: %v", keys)
	}
}

// A client ID in the Config (the environment's) wins over the settings, and says so.
func TestTheEnvironmentsClientTakesPrecedence(t *testing.T) {
	e := newEnv(t, testoidc.Options{Email: ana}, nil)
	db := openStore(t, t.TempDir())
	regs := oauth.NewRegistrations(db, vault.NewMemory())
	e.c.UseRegistrations(regs)
	ctx := context.Background()
	if err := regs.Save(ctx, oauth.Google, orgClientID, oauth.Keep); err != nil {
		t.Fatal(err)
	}
	if st := clientState(t, e.c, oauth.Google); st.Source != oauth.SourceEnvironment || st.ClientID != e.p.ClientID() {
		t.Fatalf("state %+v, want the environment's client %q", st, e.p.ClientID())
	}
	f, err := e.c.Begin(ctx, oauth.Google, ana)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if q := e.p.AuthRequests(); len(q) != 0 {
		t.Fatalf("unexpected requests %v", q)
	}
	get(t, noRedirects, f.URL())
	if got := e.p.AuthRequests()[0].Get("client_id"); got != e.p.ClientID() {
		t.Fatalf("authorisation asked for %q, want the environment's %q", got, e.p.ClientID())
	}
	// Microsoft, set nowhere, is not configured.
	if st := clientState(t, e.c, oauth.Microsoft); st.Configured() {
		t.Fatalf("Microsoft: %+v, want not configured", st)
	}
}

func TestClientIDsAndSecretsAreChecked(t *testing.T) {
	regs := oauth.NewRegistrations(openStore(t, t.TempDir()), vault.NewMemory())
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		provider oauth.ProviderID
		id       string
		change   oauth.SecretChange
		field    string
	}{
		{"a Google ID without its domain", oauth.Google, "1234567890-abcdef", oauth.Keep, "clientId"},
		{"the secret pasted as the Google ID", oauth.Google, orgSecret, oauth.Keep, "clientId"},
		{"a Microsoft ID that is not a GUID", oauth.Microsoft, "my-app", oauth.Keep, "clientId"},
		{"the all-zero Microsoft ID", oauth.Microsoft, "00000000-0000-0000-0000-000000000000", oauth.Keep, "clientId"},
		{"a secret with spaces", oauth.Google, orgClientID, oauth.Replace("GOCSPX abc"), "clientSecret"},
		{"an empty secret", oauth.Google, orgClientID, oauth.Replace("  "), "clientSecret"},
		{"another provider", "yahoo", orgClientID, oauth.Keep, "provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := regs.Save(ctx, tc.provider, tc.id, tc.change)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Code != fault.InvalidInput || fe.Field != tc.field {
				t.Fatalf("Save = %v, want invalid_input on %s", err, tc.field)
			}
		})
	}
	if err := regs.Save(ctx, oauth.Microsoft, "1A2B3C4D-0000-4E5F-8A9B-0C1D2E3F4A5B", oauth.Replace("ignored")); err != nil {
		t.Fatalf("a Microsoft application ID: %v", err)
	}
}
