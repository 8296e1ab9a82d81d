package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/oauth"
	"mailroom/backend/vault"
)

// oauthHarness is the API harness with sign-in pointed at the test environment's provider
// (through its discovery document, as MAILROOM_GOOGLE_ISSUER does in the app) and a
// "browser" that follows the authorisation redirect back to the loopback listener.
func oauthHarness(t *testing.T, env *testenv.Env) (*harness, *testenv.LogBuffer) {
	t.Helper()
	if env.OIDCURL == "" {
		t.Fatalf("%s is not set", testenv.EnvOIDCURL)
	}
	h := newHarness(t)
	h.as(t, admin)
	h.b.Dialer.RootCAs = env.RootCAs
	h.b.Dialer.Timeout = 10 * time.Second
	logs := &testenv.LogBuffer{}
	h.b.Log = slog.New(slog.NewTextHandler(logs, nil))
	cfg := oauth.DefaultConfig()
	cfg.Google.ClientID = "test-client"
	g, err := oauth.FromIssuer(context.Background(), nil, cfg.Google, env.OIDCURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Google = g
	browser := &http.Client{Timeout: 10 * time.Second}
	open := func(u string) error {
		go func() { // a browser opens the page on its own, after the app asked
			resp, err := browser.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Errorf("browser: %v", err)
			}
			resp.Body.Close()
		}()
		return nil
	}
	h.b.UseOAuth(oauth.New(cfg, oauth.Options{OpenURL: open, Logger: h.b.Log}))
	return h, logs
}

// An account signed in with Google (the test provider) is tested, created, synced and sends
// over XOAUTH2 against the real Dovecot and Postfix; a revoked grant turns it to "needs
// sign-in" and stops its sync; signing in again brings it back; Disconnect revokes, forgets
// the tokens and, when asked, its mail.
func TestAGoogleAccountSyncsAndSendsOverXOAUTH2UntilItsAccessIsRevoked(t *testing.T) {
	env := testenv.Mail(t)
	u, rcpt := env.NewUser(t), env.NewUser(t)
	msg, _ := testenv.NewMessage("client@example.org", u.Address, "Devis signé", "Bonjour, voici le devis signé.")
	env.Deliver(t, msg, "client@example.org", u.Address)
	h, logs := oauthHarness(t, env)

	signIn, err := h.svcs.Accounts.SignIn("run-1", "google", u.Address)
	if err != nil {
		t.Fatal(err)
	}
	if signIn.Email != u.Address || signIn.Provider != "google" {
		t.Fatalf("sign-in = %+v", signIn)
	}
	imapHost, imapPort := testenv.HostPort(env.IMAPSAddr)
	smtpHost, smtpPort := testenv.HostPort(env.SMTPAddr)
	in := AccountInput{Name: "Google", Email: u.Address, Provider: "gmail", Auth: "oauth", OAuthProvider: "google", SignInID: signIn.RunID,
		IMAP: ServerDTO{Host: imapHost, Port: imapPort, Security: "tls", Username: u.Address},
		SMTP: ServerDTO{Host: smtpHost, Port: smtpPort, Security: "starttls", Username: u.Address}}

	// A sign-in is for its own address only.
	other := in
	other.Email = rcpt.Address
	if _, err := h.svcs.Accounts.Create(other, "", ""); !fault.Is(err, fault.InvalidInput) ||
		!strings.Contains(err.Error(), u.Address) || !strings.Contains(err.Error(), rcpt.Address) {
		t.Fatalf("creating %s with %s's sign-in: %v", rcpt.Address, u.Address, err)
	}

	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "t1", Account: in}, "", "")
	if err != nil || !rep.OK {
		t.Fatalf("connection test over XOAUTH2: %+v, %v", rep, err)
	}
	var names []string
	for _, s := range rep.Steps {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "imap_login,capabilities") || !strings.Contains(got, "smtp_login") {
		t.Fatalf("steps = %s", got)
	}
	h.startSync(t)
	acc, err := h.svcs.Accounts.Create(in, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Auth != "oauth" || acc.OAuthProvider != "google" || acc.Status != "ok" {
		t.Fatalf("created = %+v", acc)
	}
	if _, err := h.svcs.Accounts.Test(TestInput{RunID: "t-again", Account: in}, "", ""); err == nil {
		t.Fatal("a sign-in was used twice: it should have moved to the keychain with the account")
	}
	// Only the refresh token is kept, in the vault; nothing in the database names it.
	keys := h.b.Vault.(*vault.Memory).Keys()
	var grantKey string
	for _, k := range keys {
		if strings.HasSuffix(k, "/oauth") {
			grantKey = k
		}
		if strings.HasSuffix(k, "/password") {
			t.Fatalf("an OAuth account has a password in the vault: %v", keys)
		}
	}
	raw, err := h.b.Vault.Get(grantKey)
	if err != nil {
		t.Fatalf("grant in the vault (%v): %v", keys, err)
	}
	refresh := jsonField(t, raw, "refresh_token")
	assertNotInDatabase(t, h.b.DB.R, refresh)

	// The mail syncs over XOAUTH2.
	waitInbox(t, h, 1)

	// A test email goes out through Postfix over XOAUTH2.
	res, err := h.svcs.Accounts.SendTestEmail(acc.ID, TestEmailInput{To: rcpt.Address, Subject: "Test " + testenv.UniqueID(), Body: "Bonjour."})
	if err != nil || res.State != "sent" || !strings.Contains(res.Answer, "250") {
		t.Fatalf("test email over XOAUTH2: %+v, %v", res, err)
	}

	// The user removes Mailroom at the provider: the next connection (here, the sync's
	// after a restart) is refused, the refresh is refused, and the account needs a sign-in
	// at once, with its sync stopped and the UI told.
	revokeAtProvider(t, env, u.Address)
	if err := h.svcs.Sync.Now(acc.ID); err != nil {
		t.Fatal(err)
	}
	got := waitStatus(t, h, acc.ID, "needs_sign_in")
	if !got.NeedsSignIn {
		t.Fatalf("needsSignIn = false: %+v", got)
	}
	if got.Disabled {
		t.Fatal("a refused grant disabled the account")
	}
	login, err := h.b.Accounts.Login(context.Background(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := login.Tokens.Token(context.Background()); !errors.Is(err, oauth.ErrNeedsSignIn) {
		t.Fatalf("token after invalid_grant: %v", err)
	}

	// Signing in again (with the account's address as the hint) brings it back.
	back, err := h.svcs.Accounts.SignInAgain(acc.ID, "run-2")
	if err != nil || back.Status != "unchecked" {
		t.Fatalf("sign in again: %+v, %v", back, err)
	}
	saved := in
	saved.SignInID = "" // the saved account's own grant
	if rep, err := h.svcs.Accounts.Test(TestInput{RunID: "t2", AccountID: acc.ID, Account: saved}, "", ""); err != nil || !rep.OK {
		t.Fatalf("test after signing in again: %+v, %v", rep, err)
	}
	if a, _ := h.svcs.Accounts.Get(acc.ID); a.Status != "ok" {
		t.Fatalf("status after the test = %q", a.Status)
	}

	// Disconnect: revoked at the provider, tokens gone, account disabled, mail removed.
	dis, err := h.svcs.Accounts.Disconnect(acc.ID, false)
	if err != nil || !dis.Revoked {
		t.Fatalf("disconnect: %+v, %v", dis, err)
	}
	if _, err := h.b.Vault.Get(grantKey); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("the grant is still in the vault: %v", err)
	}
	a, _ := h.svcs.Accounts.Get(acc.ID)
	if !a.Disabled || !a.NeedsSignIn || a.Status != "disabled" {
		t.Fatalf("after disconnect: %+v", a)
	}
	if page, _ := h.svcs.Mail.List(MailQueryDTO{FolderRole: "inbox"}); len(page.Rows) != 0 {
		t.Fatalf("the mail stayed after disconnecting without keeping it: %d rows", len(page.Rows))
	}
	if s := logs.String(); strings.Contains(s, refresh) {
		t.Fatal("the refresh token reached the log")
	}
}

// A sign-in whose browser never comes back is cancelled by CancelTest with its run id.
func TestASignInWaitingForTheBrowserCanBeCancelled(t *testing.T) {
	env := testenv.Mail(t)
	h, _ := oauthHarness(t, env)
	h.b.UseOAuth(oauth.New(h.b.OAuth.Config(), oauth.Options{OpenURL: func(string) error { return nil }}))
	waiting := make(chan SignInWaitingDTO, 1)
	h.b.Emit = func(name string, data any) {
		if name == SignInEvent {
			waiting <- data.(SignInWaitingDTO)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.svcs.Accounts.SignIn("run-c", "google", "ana@example.test")
		done <- err
	}()
	select {
	case w := <-waiting:
		if w.RunID != "run-c" || w.Provider != "google" {
			t.Fatalf("waiting event = %+v", w)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the sign-in never started waiting")
	}
	if err := h.svcs.Accounts.ReopenSignIn("run-c"); err != nil {
		t.Fatal(err)
	}
	if err := h.svcs.Accounts.CancelTest("run-c"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a cancelled sign-in succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("CancelTest did not stop the sign-in")
	}
	if err := h.svcs.Accounts.ReopenSignIn("run-c"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("reopening a finished sign-in: %v", err)
	}
}

func (h *harness) startSync(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := h.b.Sync.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.b.Sync.Stop()
		cancel()
	})
}

func waitInbox(t *testing.T, h *harness, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		page, err := h.svcs.Mail.List(MailQueryDTO{FolderRole: "inbox"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox holds %d of %d messages after 20 s", len(page.Rows), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitStatus(t *testing.T, h *harness, id int64, want string) AccountDTO {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := h.svcs.Accounts.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status == want {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("status = %q (%s), want %q", a.Status, a.StatusCode, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func revokeAtProvider(t *testing.T, env *testenv.Env, address string) {
	t.Helper()
	resp, err := http.PostForm(env.OIDCURL+"/testing/revoke-user", url.Values{"username": {address}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"revoked":1`) {
		t.Fatalf("revoke at the provider: %d %s", resp.StatusCode, body)
	}
}

func jsonField(t *testing.T, raw, field string) string {
	t.Helper()
	i := strings.Index(raw, `"`+field+`":"`)
	if i < 0 {
		t.Fatalf("no %s in the vault entry", field)
	}
	rest := raw[i+len(field)+4:]
	return rest[:strings.IndexByte(rest, '"')]
}

// assertNotInDatabase fails if any text column of any table holds secret.
func assertNotInDatabase(t *testing.T, db *sql.DB, secret string) {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		var n int
		cols, err := db.Query(fmt.Sprintf(`SELECT name FROM pragma_table_info(%q)`, tb))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cols.Next() {
			var c string
			if err := cols.Scan(&c); err != nil {
				t.Fatal(err)
			}
			names = append(names, fmt.Sprintf("instr(CAST(%q AS TEXT), ?) > 0", c))
		}
		cols.Close()
		args := make([]any, len(names))
		for i := range args {
			args[i] = secret
		}
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %q WHERE %s`, tb, strings.Join(names, " OR ")), args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			t.Fatalf("table %s holds the refresh token", tb)
		}
	}
}
