package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/oauth"
	"mailroom/backend/senders"
	"mailroom/backend/store"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

// useReopen gives the harness the restore's Reopen as app.go does it: the engines stop, the
// store closes, swap puts the file in place, and the backend is built again over it.
func (h *harness) useReopen(t *testing.T) {
	b := h.b
	b.Reopen = func(swap func(string) (func() error, error)) error {
		b.Outbox.Stop()
		b.Sync.Stop()
		b.Filing.Stop()
		path := b.DB.Path
		if err := b.DB.Close(); err != nil {
			return err
		}
		undo, err := swap(path)
		if err != nil {
			return err
		}
		db, err := store.Open(context.Background(), path)
		if err != nil {
			_ = undo()
			return err
		}
		buildHarnessBackend(t, b, db)
		h.useSenders(senders.Options{})
		return nil
	}
}

// A backup taken while the real Dovecot mailbox syncs, with a password account, a Google
// account (the test provider's tokens, XOAUTH2) and a Postmark sender, all secrets in the
// real keychain: the file holds no secret of the run, and restored on a "new computer" (a
// fresh data directory, before onboarding) it opens with every user, record and message,
// the accounts disabled and waiting for their password or sign-in; given its password
// again, the mailbox syncs again.
func TestABackupTakenDuringASyncRestoresIntoAFreshDataDirectoryWithoutASecret(t *testing.T) {
	env := testenv.Mail(t)
	if env.OIDCURL == "" {
		t.Fatalf("%s is not set", testenv.EnvOIDCURL)
	}
	keychain := vault.NewKeychain()
	if st := keychain.Check(); !st.Available {
		if os.Getenv("MAILROOM_REQUIRE_INTEGRATION") == "1" || os.Getenv("MAILROOM_TEST_KEYRING") == "1" {
			t.Fatalf("no keychain: %+v", st)
		}
		t.Skipf("no keychain: %+v", st)
	}
	u, g := env.NewUser(t), env.NewUser(t)
	const total = 400
	for i := range total {
		msg, _ := testenv.NewMessage("client@acme-piscines.fr", u.Address, fmt.Sprintf("Devis %d", i), fmt.Sprintf("Bonjour, voici le devis numéro %d.", i))
		env.Deliver(t, msg, "client@acme-piscines.fr", u.Address)
	}
	msg, _ := testenv.NewMessage("client@example.org", g.Address, "Commande Google", "Bonjour.")
	env.Deliver(t, msg, "client@example.org", g.Address)

	// The owner, with a password; a collaborator without one.
	h := newEmptyHarnessWith(t, keychain)
	ctx := context.Background()
	const ownerPassword = "mot-de-passe-du-proprietaire-7731"
	owner, err := h.b.Users.CreateOwner(ctx, users.NewUser{Name: "Élise", Email: "elise@example.fr", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	h.users[super] = owner.ID
	if err := h.b.Users.ResetPassword(ctx, owner.ID, ownerPassword); err != nil {
		t.Fatal(err)
	}
	collabUser, err := h.b.Users.Create(ctx, users.NewUser{Name: "Paul", Email: "paul@example.fr", Role: users.Collaborator, Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.b.Users.SignIn(ctx, owner.ID, ownerPassword); err != nil {
		t.Fatal(err)
	}
	h.b.Dialer.RootCAs, h.b.Dialer.Timeout = env.RootCAs, 10*time.Second
	logs := &testenv.LogBuffer{}
	h.b.Log = slog.New(slog.NewTextHandler(logs, nil))

	// Records: a company, an own kind with a record linked to it.
	s, err := h.b.Records.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	company, err := h.svcs.Records.Create(RecordInputDTO{TypeID: s.TypeByKey("company").ID, Values: map[string]any{"name": "ACME Piscines", "domains": []any{"acme-piscines.fr"}}})
	if err != nil {
		t.Fatal(err)
	}
	factures, err := h.svcs.Records.CreateType(TypeInputDTO{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Records.Create(RecordInputDTO{TypeID: factures.ID, Values: map[string]any{"numero": "F-2026-001"}}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []FieldInputDTO{{Label: "Échéance", Kind: "date"}, {Label: "Courriel", Kind: "email"}} {
		if _, err := h.svcs.Records.AddField(factures.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	// A template (and, below, an automation) of that kind: they come back with the records.
	tpl, err := h.svcs.Templates.Save(TemplateInputDTO{Name: "Relance 1", Language: "fr", TypeID: factures.ID,
		Subject: "Facture {{facture.numero}}", HTML: "<p>Bonjour, la facture {{facture.numero}} est échue.</p>"})
	if err != nil {
		t.Fatal(err)
	}

	// A Postmark send-only account, its token in the keychain.
	postmarkAt(t, h, "receipts@shop.test")
	if _, err := h.svcs.Accounts.Create(postmarkInput("receipts@shop.test"), "", pmToken); err != nil {
		t.Fatal(err)
	}
	// A Google account through the test provider.
	cfg := oauth.DefaultConfig()
	cfg.Google.ClientID = "test-client"
	if cfg.Google, err = oauth.FromIssuer(ctx, nil, cfg.Google, env.OIDCURL); err != nil {
		t.Fatal(err)
	}
	h.b.UseOAuth(oauth.New(cfg, oauth.Options{OpenURL: followRedirect(t), Logger: h.b.Log}))
	signIn, err := h.svcs.Accounts.SignIn("run-backup", "google", g.Address)
	if err != nil {
		t.Fatal(err)
	}
	imapHost, imapPort := testenv.HostPort(env.IMAPSAddr)
	smtpHost, smtpPort := testenv.HostPort(env.SMTPAddr)
	googleAcc, err := h.svcs.Accounts.Create(AccountInput{Name: "Google", Email: g.Address, Provider: "gmail", Auth: "oauth", OAuthProvider: "google", SignInID: signIn.RunID,
		IMAP: ServerDTO{Host: imapHost, Port: imapPort, Security: "tls", Username: g.Address},
		SMTP: ServerDTO{Host: smtpHost, Port: smtpPort, Security: "starttls", Username: g.Address}}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// The secrets of this run, read back from the keychain.
	var oauthSecret string
	if err := h.b.DB.R.QueryRow(`SELECT oauth_secret FROM accounts WHERE id = ?`, googleAcc.ID).Scan(&oauthSecret); err != nil {
		t.Fatal(err)
	}
	grant, err := keychain.Get("account/" + oauthSecret + "/oauth")
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"mailbox password": u.Password, "Google user's password": g.Password, "Postmark token": pmToken,
		"refresh token": jsonField(t, grant, "refresh_token"), "owner's password": ownerPassword}
	if strings.Contains(grant, `"access_token":"`) {
		secrets["access token"] = jsonField(t, grant, "access_token")
	}

	// The mailbox account; the sync runs.
	acc := connectMailbox(t, h, env, u, "Bureau")
	auto, err := h.svcs.Automations.Save(AutomationInputDTO{Name: "Relance J+3", TypeID: factures.ID, Trigger: "date",
		FieldKey: "echeance", OffsetDays: 3, TemplateID: tpl.ID, RecipientField: "courriel", AccountID: acc.ID,
		Hour: 9, Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}

	// The backup, while the sync is filling the inbox.
	folder := t.TempDir()
	var synced int
	deadline := time.Now().Add(30 * time.Second)
	for synced == 0 {
		if err := h.b.DB.R.QueryRow(`SELECT count(*) FROM messages WHERE account_id = ?`, acc.ID).Scan(&synced); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing synced after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	withMail, err := h.svcs.Backups.BackupNow(filepath.Join(folder, "avec-courrier"), true)
	if err != nil {
		t.Fatal(err)
	}
	var after int
	if err := h.b.DB.R.QueryRow(`SELECT count(*) FROM messages WHERE account_id = ?`, acc.ID).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if synced >= total {
		t.Fatalf("the sync was over (%d messages) before the backup: make the mailbox bigger", synced)
	}
	t.Logf("backup taken with %d of %d messages synced (%d just after)", synced, total, after)
	if !strings.HasSuffix(withMail.Path, ".sqlite") || !withMail.WithMail || withMail.Size == 0 {
		t.Fatalf("backup %+v", withMail)
	}
	withoutMail, err := h.svcs.Backups.BackupNow(filepath.Join(folder, "sans-courrier.sqlite"), false)
	if err != nil {
		t.Fatal(err)
	}
	waitMessages(t, h, acc.ID, total)

	// No secret of the run in either file, nor in the log.
	for _, f := range []string{withMail.Path, withoutMail.Path} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for what, sec := range secrets {
			if sec == "" {
				t.Fatalf("%s is empty", what)
			}
			if bytes.Contains(raw, []byte(sec)) {
				t.Errorf("the %s is in %s", what, filepath.Base(f))
			}
		}
	}
	if !bytes.Contains(mustRead(t, withMail.Path), []byte(fmt.Sprintf("Devis %d", total-1))) || bytes.Contains(mustRead(t, withoutMail.Path), []byte("voici le devis")) {
		t.Error("the mail is not where it should be: in the backup with mail, and not in the one without")
	}

	// A new computer: an empty data directory, before onboarding, the same keychain.
	for _, tc := range []struct {
		file     BackupInfoDTO
		messages int
	}{{withMail, -1}, {withoutMail, 0}} {
		h2 := newEmptyHarnessWith(t, keychain)
		h2.useReopen(t)
		h2.b.Dialer.RootCAs, h2.b.Dialer.Timeout = env.RootCAs, 10*time.Second
		info, err := h2.svcs.Backups.Inspect(tc.file.Path)
		if err != nil || info.WithMail != tc.file.WithMail || info.Schema == 0 {
			t.Fatalf("inspect: %+v %v", info, err)
		}
		res, err := h2.svcs.Backups.Restore(tc.file.Path)
		if err != nil {
			t.Fatal(err)
		}
		if res.Users != 2 || res.Accounts != 3 || res.Records < 2 {
			t.Fatalf("restored %+v", res)
		}
		// The template and the automation came back with the records (read in the restored
		// store: nobody is signed in yet).
		var tplName, autoName string
		if err := h2.b.DB.R.QueryRow(`SELECT name FROM templates WHERE id = ?`, tpl.ID).Scan(&tplName); err != nil || tplName != "Relance 1" {
			t.Fatalf("the template after the restore: %q, %v", tplName, err)
		}
		if err := h2.b.DB.R.QueryRow(`SELECT name FROM automations WHERE id = ?`, auto.ID).Scan(&autoName); err != nil || autoName != "Relance J+3" {
			t.Fatalf("the automation after the restore: %q, %v", autoName, err)
		}
		// Once restored, nobody is signed in, and the first-run restore is closed.
		st, err := h2.svcs.Session.State()
		if err != nil || !st.Onboarded || st.UserCount != 2 || st.User != nil {
			t.Fatalf("state after restore: %+v %v", st, err)
		}
		if _, err := h2.svcs.Backups.Restore(tc.file.Path); err == nil || !strings.Contains(err.Error(), "session_signed_out") {
			t.Fatalf("a second restore without signing in: %v", err)
		}
		// The people sign in as before: the owner with their password.
		if _, err := h2.svcs.Session.SignIn(owner.ID, "wrong-password-123"); err == nil {
			t.Fatal("a wrong password signed in")
		}
		time.Sleep(1100 * time.Millisecond) // the slowdown after one wrong password
		if _, err := h2.svcs.Session.SignIn(owner.ID, ownerPassword); err != nil {
			t.Fatal(err)
		}
		us, _ := h2.svcs.Session.SignInUsers()
		if len(us) != 2 || !slices.ContainsFunc(us, func(x SignInUserDTO) bool { return x.ID == collabUser.ID && !x.Protected }) ||
			!slices.ContainsFunc(us, func(x SignInUserDTO) bool { return x.ID == owner.ID && x.Protected }) {
			t.Fatalf("users %+v", us)
		}
		accs, err := h2.svcs.Accounts.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accs {
			if !a.Disabled || a.Status != "disabled" || a.StatusCode != "auth_failed" {
				t.Errorf("account %s restored %+v; want disabled, waiting for its secret", a.Email, a)
			}
			if a.Auth == "oauth" && !a.NeedsSignIn {
				t.Errorf("the Google account does not ask for a sign-in: %+v", a)
			}
		}
		page, err := h2.svcs.Records.List(RecordQueryDTO{TypeID: factures.ID})
		if err != nil || len(page.Records) != 1 || page.Records[0].Title != "F-2026-001" {
			t.Fatalf("invoices %+v %v", page, err)
		}
		if d, err := h2.svcs.Records.Get(company.ID); err != nil || d.Record.Title != "ACME Piscines" {
			t.Fatalf("company %+v %v", d, err)
		}
		var n int
		if err := h2.b.DB.R.QueryRow(`SELECT count(*) FROM messages WHERE account_id = ?`, acc.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if tc.messages >= 0 && n != tc.messages || tc.messages < 0 && n != synced && n < synced {
			t.Fatalf("%d messages restored from a backup with %d", n, synced)
		}

		// Given its password and enabled, the mailbox syncs again, up to all its mail.
		h2.startSync(t)
		in := AccountInput{Name: "Bureau", Email: u.Address,
			IMAP: ServerDTO{Host: imapHost, Port: imapPort, Security: "tls", Username: u.Address},
			SMTP: ServerDTO{Host: smtpHost, Port: smtpPort, Security: "starttls", Username: u.Address}}
		if _, err := h2.svcs.Accounts.Update(acc.ID, in, u.Password, ""); err != nil {
			t.Fatal(err)
		}
		if err := h2.svcs.Accounts.SetDisabled(acc.ID, false); err != nil {
			t.Fatal(err)
		}
		waitMessages(t, h2, acc.ID, total)
	}
	if s := logs.String(); strings.Contains(s, pmToken) || strings.Contains(s, u.Password) {
		t.Fatal("a secret reached the log")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// followRedirect is a "browser" that follows the sign-in page's redirect back to the
// loopback listener (as oauthHarness's).
func followRedirect(t *testing.T) func(string) error {
	browser := &http.Client{Timeout: 10 * time.Second}
	return func(u string) error {
		go func() {
			resp, err := browser.Get(u)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
		return nil
	}
}

// waitMessages waits until the account's n messages are synced, with their bodies.
func waitMessages(t *testing.T, h *harness, account int64, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got int
		if err := h.b.DB.R.QueryRow(`SELECT count(*) FROM messages WHERE account_id = ? AND body_state = 'done'`, account).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages synced after 60 s", got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
