package api

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/oauth"
	"mailroom/backend/vault"
)

const (
	orgGoogleID     = "1234567890-abcdef.apps.googleusercontent.com"
	orgGoogleSecret = "GOCSPX-org-secret-for-the-api-test"
)

func clientFor(t *testing.T, got []SignInClientDTO, provider string) SignInClientDTO {
	t.Helper()
	for _, d := range got {
		if d.Provider == provider {
			return d
		}
	}
	t.Fatalf("no %s in %+v", provider, got)
	return SignInClientDTO{}
}

// dbFiles is the bytes of the harness's database files (main, WAL, shared memory).
func dbFiles(t *testing.T, h *harness) []byte {
	t.Helper()
	var path string
	if err := h.b.DB.R.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(path + "*")
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatalf("no database files at %s", path)
	}
	return all
}

func TestASuperAdminSetsTheSignInClientAndTheWizardSignsInWithItAtOnce(t *testing.T) {
	h := newHarness(t)
	logs := &testenv.LogBuffer{}
	h.b.Log = slog.New(slog.NewTextHandler(logs, nil))
	opened := make(chan string, 4)
	h.b.UseOAuth(oauth.New(oauth.DefaultConfig(), oauth.Options{Logger: h.b.Log, OpenURL: func(u string) error { opened <- u; return nil }}))
	sys, acc := h.svcs.System, h.svcs.Accounts

	h.as(t, collab)
	got, err := sys.SignInClients()
	if err != nil {
		t.Fatal(err)
	}
	if g, m := clientFor(t, got, "google"), clientFor(t, got, "microsoft"); g.Configured || m.Configured || g.Source != "" {
		t.Fatalf("built in: %+v; want nothing configured (no placeholder counts)", got)
	}

	h.as(t, admin)
	if _, err := sys.SetSignInClient(SignInClientInput{Provider: "google", ClientID: orgGoogleID, Key: "replace"}, orgGoogleSecret); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("an admin saved the sign-in client: %v", err)
	}
	// Not configured: the sign-in does not start and no page opens.
	if _, err := acc.SignIn("run-ms", "microsoft", "ana@contoso.example"); !errors.Is(err, oauth.ErrNotConfigured) {
		t.Fatalf("SignIn without a client: %v, want ErrNotConfigured", err)
	}
	if len(opened) != 0 {
		t.Fatal("a provider page opened without a client registration")
	}

	h.as(t, super)
	got, err = sys.SetSignInClient(SignInClientInput{Provider: "google", ClientID: orgGoogleID, Key: "replace"}, orgGoogleSecret)
	if err != nil {
		t.Fatal(err)
	}
	if g := clientFor(t, got, "google"); !g.Configured || g.Source != "settings" || g.ClientID != orgGoogleID || !g.KeyStored {
		t.Fatalf("after saving: %+v", g)
	}
	if s, err := h.b.Vault.Get(oauth.ClientSecretKey(oauth.Google)); err != nil || s != orgGoogleSecret {
		t.Fatalf("vault: %q, %v", s, err)
	}
	raw := dbFiles(t, h)
	if !bytes.Contains(raw, []byte(orgGoogleID)) {
		t.Fatal("the client ID is not in the database files: the byte check sees nothing")
	}
	if bytes.Contains(raw, []byte(orgGoogleSecret)) {
		t.Fatal("the client secret reached the database files")
	}

	h.as(t, collab)
	got, err = sys.SignInClients()
	if err != nil {
		t.Fatal(err)
	}
	if g := clientFor(t, got, "google"); !g.Configured || g.ClientID != "" || g.KeyStored {
		t.Fatalf("a collaborator sees %+v; want configured, without the client's details", g)
	}

	// The same client, no restart: the wizard's sign-in asks Google for the saved client.
	h.as(t, admin)
	done := make(chan error, 1)
	go func() {
		_, err := acc.SignIn("run-g", "google", "ana@gmail.com")
		done <- err
	}()
	select {
	case u := <-opened:
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if pu.Host != "accounts.google.com" || pu.Query().Get("client_id") != orgGoogleID {
			t.Fatalf("the browser opened %s; want Google's page for the saved client", u)
		}
	case err := <-done:
		t.Fatalf("SignIn ended before opening the page: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no page opened")
	}
	if err := acc.CancelTest("run-g"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Fatal("a cancelled sign-in succeeded")
	}

	// Removed: not configured, the secret gone from the keychain.
	h.as(t, super)
	got, err = sys.SetSignInClient(SignInClientInput{Provider: "google"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if g := clientFor(t, got, "google"); g.Configured || g.KeyStored || g.ClientID != "" {
		t.Fatalf("after removing: %+v", g)
	}
	if _, err := h.b.Vault.Get(oauth.ClientSecretKey(oauth.Google)); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("the secret is still in the vault: %v", err)
	}
	if bytes.Contains([]byte(logs.String()), []byte(orgGoogleSecret)) {
		t.Fatalf("the secret reached the log:\n%s", logs.String())
	}
}

func TestTheEnvironmentsSignInClientIsShownAndCannotBeChangedHere(t *testing.T) {
	h := newHarness(t)
	cfg := oauth.DefaultConfig()
	cfg.Google.ClientID = "env-client.apps.googleusercontent.com"
	h.b.UseOAuth(oauth.New(cfg, oauth.Options{}))
	h.as(t, super)
	got, err := h.svcs.System.SignInClients()
	if err != nil {
		t.Fatal(err)
	}
	if g := clientFor(t, got, "google"); !g.Configured || g.Source != "environment" || g.ClientID != cfg.Google.ClientID {
		t.Fatalf("google: %+v, want the environment's client", g)
	}
	if m := clientFor(t, got, "microsoft"); m.Configured {
		t.Fatalf("microsoft: %+v, want not configured", m)
	}
	if _, err := h.svcs.System.SetSignInClient(SignInClientInput{Provider: "google", ClientID: orgGoogleID}, ""); !fault.Is(err, fault.Conflict) {
		t.Fatalf("saving over the environment's client: %v, want conflict", err)
	}
	// Microsoft, which the environment leaves alone, can be set.
	got, err = h.svcs.System.SetSignInClient(SignInClientInput{Provider: "microsoft", ClientID: "1a2b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if m := clientFor(t, got, "microsoft"); !m.Configured || m.Source != "settings" {
		t.Fatalf("microsoft after saving: %+v", m)
	}
	if _, err := h.svcs.System.SetSignInClient(SignInClientInput{Provider: "microsoft", ClientID: "x", Key: "burn"}, ""); !fault.Is(err, fault.InvalidInput) {
		t.Fatalf("an unknown key action: %v", err)
	}
}
