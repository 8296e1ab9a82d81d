package accounts_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/store"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

var ctx = context.Background()

type fixture struct {
	db    *store.DB
	vault *vault.Memory
	reg   *accounts.Registry
	owner users.User
	other users.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	us := users.New(db)
	owner, err := us.CreateOwner(ctx, users.NewUser{Name: "Owner", Email: "owner@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := us.Create(ctx, users.NewUser{Name: "Colleague", Email: "colleague@example.test", Role: users.Collaborator, Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	v := vault.NewMemory()
	return &fixture{db: db, vault: v, reg: accounts.New(db, v), owner: owner, other: other}
}

func sample(email string) accounts.NewAccount {
	return accounts.NewAccount{
		Name: "Shop", Email: email, FromName: "The Shop",
		IMAP: accounts.Server{Host: "IMAP.Example.TEST", Port: 993, Security: accounts.TLS, Username: email},
		SMTP: accounts.Server{Host: "smtp.example.test", Port: 587, Security: accounts.StartTLS, Username: email},
	}
}

func TestCreateKeepsThePasswordOnlyInTheVault(t *testing.T) {
	f := newFixture(t)
	const pw = "correct-horse-battery-staple-7781"
	acc, err := f.reg.CreateWith(ctx, f.owner.ID, sample("contact@shop.test"), accounts.Secrets{Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if acc.IMAP.Host != "imap.example.test" || acc.Status != accounts.Unchecked || acc.Disabled {
		t.Fatalf("created account = %+v", acc)
	}
	got, err := f.reg.Password(ctx, acc.ID)
	if err != nil || got != pw {
		t.Fatalf("Password = %q, %v", got, err)
	}
	if ok, _ := f.reg.CanUse(ctx, acc.ID, f.owner.ID); !ok {
		t.Fatal("the creator has no access to the account they connected")
	}
	// The secret is in no file of the data directory: database, WAL or shared memory.
	if _, err := f.db.W.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(f.db.Path + "*")
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, p := range files {
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(pw)) {
			t.Fatalf("the password was written to %s", p)
		}
	}
}

func TestCreateRefusesInvalidSettingsNamingTheField(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name   string
		edit   func(*accounts.NewAccount)
		pw     string
		field  string
		reason *fault.Reason
		server string // the reason's {server} param, when it has one
	}{
		{"bad email", func(a *accounts.NewAccount) { a.Email = "nope" }, "pw", "email", accounts.ErrAccountEmailInvalid, ""},
		{"no imap host", func(a *accounts.NewAccount) { a.IMAP.Host = "" }, "pw", "imap.host", accounts.ErrServerHostInvalid, "imap"},
		{"port out of range", func(a *accounts.NewAccount) { a.SMTP.Port = 70000 }, "pw", "smtp.port", accounts.ErrServerPortInvalid, "smtp"},
		{"plaintext security", func(a *accounts.NewAccount) { a.IMAP.Security = "none" }, "pw", "imap.security", accounts.ErrServerSecurityInvalid, "imap"},
		{"no username", func(a *accounts.NewAccount) { a.SMTP.Username = " " }, "pw", "smtp.username", accounts.ErrServerUsernameMissing, "smtp"},
		{"no password", func(a *accounts.NewAccount) {}, "", "password", accounts.ErrAccountPasswordMissing, ""},
		{"long from name", func(a *accounts.NewAccount) { a.FromName = strings.Repeat("x", 201) }, "pw", "fromName", accounts.ErrAccountNameTooLong, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := sample("a@shop.test")
			tc.edit(&in)
			_, err := f.reg.CreateWith(ctx, f.owner.ID, in, accounts.Secrets{Password: tc.pw})
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.InvalidInput || fe.Field != tc.field || !tc.reason.Is(err) {
				t.Fatalf("err = %v; want %s on %s", err, tc.reason.Name, tc.field)
			}
			if tc.server != "" && fe.Params["server"] != tc.server {
				t.Fatalf("params = %v; want server %s", fe.Params, tc.server)
			}
		})
	}
}

func TestAVaultFailureLeavesNoHalfCreatedAccount(t *testing.T) {
	f := newFixture(t)
	f.vault.Unavailable = vault.ReasonLocked
	_, err := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	if !vault.ErrLocked.Is(err) {
		t.Fatalf("err = %v; want %s", err, vault.ErrLocked.Name)
	}
	list, _ := f.reg.List(ctx, 0)
	if len(list) != 0 {
		t.Fatalf("%d accounts left after the vault refused the password", len(list))
	}
}

func TestUpdateWithAnEmptyPasswordKeepsTheStoredOne(t *testing.T) {
	f := newFixture(t)
	acc, _ := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "first"})
	in := sample("a@shop.test")
	in.Name = "Renamed"
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{Password: ""}); err != nil {
		t.Fatal(err)
	}
	if pw, _ := f.reg.Password(ctx, acc.ID); pw != "first" {
		t.Fatalf("password after update without one = %q", pw)
	}
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{Password: "second"}); err != nil {
		t.Fatal(err)
	}
	if pw, _ := f.reg.Password(ctx, acc.ID); pw != "second" {
		t.Fatalf("password after update = %q", pw)
	}
}

func TestDeleteIsRefusedWhileAUserHasAccess(t *testing.T) {
	f := newFixture(t)
	acc, _ := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	must(t, f.reg.Grant(ctx, acc.ID, f.other.ID))
	refused := func(count int) {
		t.Helper()
		err := f.reg.Delete(ctx, acc.ID)
		fe, _ := fault.As(err)
		if !accounts.ErrDeleteHasAccess.Is(err) || fe.Params["count"] != count || fe.Params["address"] != "a@shop.test" {
			t.Fatalf("delete with %d users: %v; want %s with its address and count", count, err, accounts.ErrDeleteHasAccess.Name)
		}
	}
	refused(2)
	must(t, f.reg.Revoke(ctx, acc.ID, f.owner.ID))
	refused(1)
	must(t, f.reg.Revoke(ctx, acc.ID, f.other.ID))
	if err := f.reg.Delete(ctx, acc.ID); err != nil {
		t.Fatalf("delete without access: %v", err)
	}
	if len(f.vault.Keys()) != 0 {
		t.Fatalf("secrets left in the vault after delete: %v", f.vault.Keys())
	}
	if _, err := f.reg.Get(ctx, acc.ID); !accounts.ErrAccountGone.Is(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := f.reg.Delete(ctx, acc.ID); !accounts.ErrAccountGone.Is(err) {
		t.Fatalf("delete twice: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeleteIsRefusedOnceAMessageWasProcessed(t *testing.T) {
	f := newFixture(t)
	acc, _ := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	must(t, f.reg.Revoke(ctx, acc.ID, f.owner.ID))
	_, err := f.db.W.Exec(`INSERT INTO messages(account_id, processed_at) VALUES (?, NULL), (?, 1700000000)`, acc.ID, acc.ID)
	must(t, err)
	if err := f.reg.Delete(ctx, acc.ID); !accounts.ErrDeleteProcessedMail.Is(err) {
		t.Fatalf("delete with a processed message: %v", err)
	}
	if err := f.reg.SetDisabled(ctx, acc.ID, true); err != nil {
		t.Fatalf("disable, the offered alternative: %v", err)
	}
}

func TestQuotaCountsOnlyActiveAccounts(t *testing.T) {
	f := newFixture(t)
	if err := f.reg.SetQuota(ctx, 2); err != nil {
		t.Fatal(err)
	}
	a, _ := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	if _, err := f.reg.CreateWith(ctx, f.owner.ID, sample("b@shop.test"), accounts.Secrets{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.reg.CreateWith(ctx, f.owner.ID, sample("c@shop.test"), accounts.Secrets{Password: "pw"})
	if fe, _ := fault.As(err); !accounts.ErrQuotaReached.Is(err) || fe.Params["limit"] != 2 {
		t.Fatalf("third account with quota 2: %v", err)
	}
	if len(f.vault.Keys()) != 2 {
		t.Fatalf("vault holds %d secrets; the refused account left one behind", len(f.vault.Keys()))
	}
	if err := f.reg.SetDisabled(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.CreateWith(ctx, f.owner.ID, sample("c@shop.test"), accounts.Secrets{Password: "pw"}); err != nil {
		t.Fatalf("after disabling one, a new account: %v", err)
	}
	if err := f.reg.SetDisabled(ctx, a.ID, false); !accounts.ErrQuotaReached.Is(err) {
		t.Fatalf("re-enabling over quota: %v", err)
	}
	limit, active, _ := f.reg.Quota(ctx)
	if limit != 2 || active != 2 {
		t.Fatalf("Quota = %d/%d", active, limit)
	}
	if err := f.reg.SetQuota(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.SetDisabled(ctx, a.ID, false); err != nil {
		t.Fatalf("enable with no limit: %v", err)
	}
	if err := f.reg.SetQuota(ctx, -1); !accounts.ErrQuotaInvalid.Is(err) {
		t.Fatalf("negative quota: %v", err)
	}
}

func TestAnAddressCanBeConnectedOnce(t *testing.T) {
	f := newFixture(t)
	_, err := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	must(t, err)
	_, err = f.reg.CreateWith(ctx, f.owner.ID, sample("A@Shop.test"), accounts.Secrets{Password: "pw"})
	if !accounts.ErrEmailConnected.Is(err) {
		t.Fatalf("same address twice: %v", err)
	}
}

func TestRecordCheckSetsStatus(t *testing.T) {
	f := newFixture(t)
	acc, _ := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	for _, tc := range []struct {
		code fault.Code
		want accounts.Status
	}{{"", accounts.OK}, {fault.AuthFailed, accounts.NeedsPassword}, {fault.Network, accounts.Failing}} {
		if err := f.reg.RecordCheck(ctx, acc.ID, tc.code); err != nil {
			t.Fatal(err)
		}
		got, _ := f.reg.Get(ctx, acc.ID)
		if got.Status != tc.want || got.StatusCode != string(tc.code) || got.LastCheck.IsZero() {
			t.Fatalf("after check %q: %+v", tc.code, got)
		}
	}
}

func TestPresetsHaveServersOrAnExchangeURLNeverBoth(t *testing.T) {
	f := newFixture(t)
	imap := &accounts.Server{Host: "imap.corp.test", Port: 993, Security: accounts.TLS}
	smtp := &accounts.Server{Host: "smtp.corp.test", Port: 465, Security: accounts.TLS}
	cases := []struct {
		name string
		p    accounts.Preset
		want *fault.Reason // nil: saved
	}{
		{"servers", accounts.Preset{Domain: "corp.test", IMAP: imap, SMTP: smtp, UsernameForm: "local"}, nil},
		{"exchange", accounts.Preset{Domain: "ews.test", ExchangeURL: "https://mail.ews.test/EWS/Exchange.asmx"}, nil},
		{"both", accounts.Preset{Domain: "both.test", IMAP: imap, SMTP: smtp, ExchangeURL: "https://x.test/ews"}, accounts.ErrPresetBoth},
		{"neither", accounts.Preset{Domain: "none.test"}, accounts.ErrPresetNeither},
		{"imap only", accounts.Preset{Domain: "half.test", IMAP: imap}, accounts.ErrPresetServersIncomplete},
		{"http exchange", accounts.Preset{Domain: "plain.test", ExchangeURL: "http://x.test/ews"}, accounts.ErrPresetExchangeURLInvalid},
		{"bad domain", accounts.Preset{Domain: "not a domain", ExchangeURL: "https://x.test/ews"}, accounts.ErrPresetDomainInvalid},
		{"bad username form", accounts.Preset{Domain: "form.test", ExchangeURL: "https://x.test/ews", UsernameForm: "upper"}, accounts.ErrPresetUsernameFormInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.reg.SavePreset(ctx, tc.p)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !tc.want.Is(err)) {
				t.Fatalf("SavePreset: %v; want %v", err, tc.want)
			}
		})
	}
	// The database refuses "both" too, whatever the Go code does.
	_, err := f.db.W.Exec(`INSERT INTO domain_presets(domain, imap_host, imap_port, imap_security, smtp_host, smtp_port, smtp_security, exchange_url, updated_at)
		VALUES ('raw.test', 'i', 993, 'tls', 's', 465, 'tls', 'https://x', 0)`)
	if err == nil {
		t.Fatal("the schema accepted a preset with both servers and an Exchange URL")
	}
	p, err := f.reg.PresetFor(ctx, "CORP.test")
	if err != nil || p == nil || p.IMAP.Host != "imap.corp.test" || p.Username("jean@corp.test") != "jean" {
		t.Fatalf("PresetFor = %+v, %v", p, err)
	}
	if p, _ := f.reg.PresetFor(ctx, "unknown.test"); p != nil {
		t.Fatalf("PresetFor(unknown) = %+v", p)
	}
	if err := f.reg.DeletePreset(ctx, "corp.test"); err != nil {
		t.Fatal(err)
	}
	err = f.reg.DeletePreset(ctx, "corp.test")
	if fe, _ := fault.As(err); !accounts.ErrPresetGone.Is(err) || fe.Params["domain"] != "corp.test" {
		t.Fatalf("delete twice: %v", err)
	}
}

// Deleting an account would take its Outbox rows with it: a message not settled yet
// (waiting, failed, possibly sent) blocks the deletion; sent and cancelled ones do not.
func TestDeleteIsRefusedWhileTheOutboxHoldsAnUnsettledMessage(t *testing.T) {
	f := newFixture(t)
	acc, _ := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "pw"})
	must(t, f.reg.Revoke(ctx, acc.ID, f.owner.ID))
	insert := func(state string) int64 {
		res, err := f.db.W.Exec(`INSERT INTO outbox(account_id, state, message_id, env_from, env_to, size, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, 'a@shop.test', '["b@shop.test"]', 10, 0, 0, 0)`, acc.ID, state, state+"@shop.test")
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	insert("sent")
	insert("cancelled")
	for _, state := range []string{"queued", "sending", "failed", "possibly_sent"} {
		id := insert(state)
		err := f.reg.Delete(ctx, acc.ID)
		if fe, _ := fault.As(err); !accounts.ErrDeleteOutboxWaiting.Is(err) || fe.Params["count"] != 1 {
			t.Fatalf("delete with a %s message: %v", state, err)
		}
		if _, err := f.db.W.Exec(`UPDATE outbox SET state='cancelled' WHERE id=?`, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.reg.Delete(ctx, acc.ID); err != nil {
		t.Fatalf("delete once every message is settled: %v", err)
	}
}
