package accounts_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/vault"
)

func asFault(err error, fe **fault.Error) bool { return errors.As(err, fe) }

const (
	pmToken = "pm-server-token-0f3c9a71-6b2e-4d8a-9c11-5e7f00aa4e21"
	mgKey   = "key-mailgun-7d1e2c93b4a5f6071829aabbccddeeff"
)

func postmarkOnly(email string) accounts.NewAccount {
	return accounts.NewAccount{Name: "Receipts", Email: email, Sender: accounts.Sender{Kind: accounts.Postmark}}
}

func mailgunOnly(email string) accounts.NewAccount {
	return accounts.NewAccount{Name: "Newsletter", Email: email,
		Sender: accounts.Sender{Kind: accounts.Mailgun, Domain: " MG.Shop.TEST. ", Region: "EU"}}
}

// secretsNotOnDisk fails when any secret is in a file of the data directory.
func secretsNotOnDisk(t *testing.T, f *fixture, secrets ...string) {
	t.Helper()
	if _, err := f.db.W.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(f.db.Path + "*")
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, p := range files {
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Fatalf("a secret was written to %s", p)
			}
		}
	}
}

func TestAccountsOfEachSenderKind(t *testing.T) {
	f := newFixture(t)

	smtp, err := f.reg.CreateWith(ctx, f.owner.ID, sample("contact@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if smtp.Sender != (accounts.Sender{Kind: accounts.SMTPSender}) || !smtp.HasIMAP() {
		t.Fatalf("an account created without a sender sends through SMTP: %+v", smtp.Sender)
	}

	pm, err := f.reg.CreateWith(ctx, f.owner.ID, postmarkOnly("receipts@shop.test"), accounts.Secrets{Sender: pmToken})
	if err != nil {
		t.Fatal(err)
	}
	if pm.HasIMAP() || pm.IMAP != (accounts.Server{}) || pm.SMTP != (accounts.Server{}) || pm.Sender.Kind != accounts.Postmark {
		t.Fatalf("a send-only Postmark account reads back as %+v", pm)
	}

	mg, err := f.reg.CreateWith(ctx, f.owner.ID, mailgunOnly("news@shop.test"), accounts.Secrets{Sender: mgKey})
	if err != nil {
		t.Fatal(err)
	}
	if mg.Sender != (accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test", Region: accounts.RegionEU}) {
		t.Fatalf("Mailgun sender = %+v; want the domain and region normalised", mg.Sender)
	}

	// Receive here, send there: IMAP for the mailbox, Postmark for sending; the SMTP
	// settings are kept for a switch back.
	both := sample("hello@shop.test")
	both.Sender = accounts.Sender{Kind: accounts.Postmark, Stream: "outbound"}
	rh, err := f.reg.CreateWith(ctx, f.owner.ID, both, accounts.Secrets{Password: "mailbox-pw", Sender: pmToken + "-2"})
	if err != nil {
		t.Fatal(err)
	}
	if !rh.HasIMAP() || rh.SMTP.Host != "smtp.example.test" || rh.Sender.Stream != "outbound" {
		t.Fatalf("receive-here-send-there account = %+v", rh)
	}
	if pw, err := f.reg.Password(ctx, rh.ID); err != nil || pw != "mailbox-pw" {
		t.Fatalf("Password = %q, %v", pw, err)
	}

	for _, tc := range []struct {
		id   int64
		want string
	}{{pm.ID, pmToken}, {mg.ID, mgKey}, {rh.ID, pmToken + "-2"}} {
		if got, err := f.reg.SenderSecret(ctx, tc.id); err != nil || got != tc.want {
			t.Errorf("SenderSecret(%d) = %q, %v; want %q", tc.id, got, err, tc.want)
		}
	}
	if _, err := f.reg.SenderSecret(ctx, smtp.ID); !accounts.ErrAccountNotAPISender.Is(err) {
		t.Errorf("SenderSecret of an SMTP account = %v; want invalid_input", err)
	}
	// A send-only account has no password, and asks for none.
	if _, err := f.reg.Password(ctx, pm.ID); !accounts.ErrAccountNoPassword.Is(err) {
		t.Errorf("Password of a send-only account = %v; want auth_failed (none stored)", err)
	}
	if slices.ContainsFunc(f.vault.Keys(), func(k string) bool { return k == "" }) {
		t.Error("an empty vault key was written")
	}
	secretsNotOnDisk(t, f, pmToken, mgKey, "mailbox-pw")
}

func TestSenderSettingsAreCheckedNamingTheField(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name  string
		in    accounts.NewAccount
		sec   accounts.Secrets
		field string
	}{
		{"postmark without a token", postmarkOnly("a@shop.test"), accounts.Secrets{}, "senderSecret"},
		{"mailgun without a key", mailgunOnly("a@shop.test"), accounts.Secrets{Sender: "  "}, "senderSecret"},
		{"mailgun without a domain", accounts.NewAccount{Email: "a@shop.test", Sender: accounts.Sender{Kind: accounts.Mailgun}},
			accounts.Secrets{Sender: mgKey}, "sender.domain"},
		{"mailgun domain with a scheme", accounts.NewAccount{Email: "a@shop.test",
			Sender: accounts.Sender{Kind: accounts.Mailgun, Domain: "https://mg.shop.test"}}, accounts.Secrets{Sender: mgKey}, "sender.domain"},
		{"mailgun in an unknown region", accounts.NewAccount{Email: "a@shop.test",
			Sender: accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test", Region: "asia"}}, accounts.Secrets{Sender: mgKey}, "sender.region"},
		{"postmark stream with spaces", accounts.NewAccount{Email: "a@shop.test",
			Sender: accounts.Sender{Kind: accounts.Postmark, Stream: "my stream"}}, accounts.Secrets{Sender: pmToken}, "sender.stream"},
		{"unknown sender", accounts.NewAccount{Email: "a@shop.test", Sender: accounts.Sender{Kind: "sendgrid"}},
			accounts.Secrets{Sender: "x"}, "sender.kind"},
		{"smtp sender without imap", accounts.NewAccount{Email: "a@shop.test",
			SMTP: sample("a@shop.test").SMTP}, accounts.Secrets{Password: "pw"}, "imap.host"},
		{"imap with an api sender but no password", func() accounts.NewAccount {
			a := sample("a@shop.test")
			a.Sender.Kind = accounts.Postmark
			return a
		}(), accounts.Secrets{Sender: pmToken}, "password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.reg.CreateWith(ctx, f.owner.ID, tc.in, tc.sec)
			var fe *fault.Error
			if !fault.Is(err, fault.InvalidInput) || !asFault(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v; want invalid_input on %q", err, tc.field)
			}
		})
	}
	if list, _ := f.reg.List(ctx, 0); len(list) != 0 {
		t.Fatalf("refused accounts were kept: %d", len(list))
	}
	if keys := f.vault.Keys(); len(keys) != 0 {
		t.Fatalf("refused accounts left secrets in the vault: %v", keys)
	}
}

func TestSwitchingSenderKeepsOrRemovesTheSecret(t *testing.T) {
	f := newFixture(t)
	acc, err := f.reg.CreateWith(ctx, f.owner.ID, sample("hello@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	in := sample("hello@shop.test")

	// SMTP → Postmark needs the token.
	in.Sender = accounts.Sender{Kind: accounts.Postmark}
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{}); !accounts.ErrAccountPostmarkTokenMissing.Is(err) {
		t.Fatalf("switching to Postmark without a token = %v; want %s", err, accounts.ErrAccountPostmarkTokenMissing.Name)
	}
	must(t, f.reg.RecordCheck(ctx, acc.ID, ""))
	got, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{Sender: pmToken})
	if err != nil {
		t.Fatal(err)
	}
	if got.Sender.Kind != accounts.Postmark || got.Status != accounts.Unchecked {
		t.Fatalf("after the switch: sender %q, status %q; want postmark, unchecked", got.Sender.Kind, got.Status)
	}
	// An edit without a token keeps the stored one.
	in.Name = "Hello"
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.reg.SenderSecret(ctx, acc.ID); s != pmToken {
		t.Fatalf("the token was not kept: %q", s)
	}
	// Postmark → Mailgun: the Postmark token must not go to Mailgun.
	in.Sender = accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test"}
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{}); !accounts.ErrAccountMailgunKeyMissing.Is(err) {
		t.Fatalf("switching to Mailgun with the Postmark token = %v; want %s", err, accounts.ErrAccountMailgunKeyMissing.Name)
	}
	// Back to SMTP: the token leaves the keychain, the password stays.
	in.Sender = accounts.Sender{}
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(f.vault.Keys(), func(k string) bool { return filepath.Base(k) == "sender" }) {
		t.Fatalf("the token stayed in the vault after switching back to SMTP: %v", f.vault.Keys())
	}
	if pw, err := f.reg.Password(ctx, acc.ID); err != nil || pw != "pw" {
		t.Fatalf("Password = %q, %v", pw, err)
	}
}

func TestDeleteRemovesBothSecrets(t *testing.T) {
	f := newFixture(t)
	in := sample("hello@shop.test")
	in.Sender = accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test"}
	acc, err := f.reg.CreateWith(ctx, 0, in, accounts.Secrets{Password: "pw", Sender: mgKey})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.vault.Keys()); n != 2 {
		t.Fatalf("vault holds %d secrets; want the password and the key", n)
	}
	if err := f.reg.Delete(ctx, acc.ID); err != nil {
		t.Fatal(err)
	}
	if keys := f.vault.Keys(); len(keys) != 0 {
		t.Fatalf("secrets left after Delete: %v", keys)
	}
}

func TestVaultRefusingTheTokenKeepsNothing(t *testing.T) {
	f := newFixture(t)
	f.vault.Unavailable = vault.ReasonLocked
	if _, err := f.reg.CreateWith(ctx, f.owner.ID, postmarkOnly("r@shop.test"), accounts.Secrets{Sender: pmToken}); err == nil {
		t.Fatal("Create succeeded with the vault unavailable")
	}
	if list, _ := f.reg.List(ctx, 0); len(list) != 0 {
		t.Fatalf("an account was kept without its token: %+v", list)
	}
}
