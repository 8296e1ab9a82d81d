package setup

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/oauth"
	"mailroom/backend/outbox"
	"mailroom/backend/probe"
	"mailroom/backend/senders"
	"mailroom/backend/store"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

const (
	mailUser = "shop@example.test"
	mailPass = "setup-test-password-4417"
)

// rig is a wizard as app.go builds it, over a temporary database, an in-memory vault and a
// running outbox, with one user (the owner) to act as.
type rig struct {
	w     *Wizard
	reg   *accounts.Registry
	pins  *connect.Pins
	dial  *connect.Dialer
	owner int64
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	owner, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Owner", Email: "owner@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	reg := accounts.New(db, vault.NewMemory())
	pins := connect.NewPins(db)
	dial := &connect.Dialer{Timeout: 5 * time.Second, Pins: pins}
	ob := outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: dial}, outbox.Options{})
	if err := ob.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ob.Stop)
	w := New(Deps{Accounts: reg, Dialer: dial, Pins: pins, Outbox: ob,
		Discovery: discovery.New(discovery.Options{Resolver: discovery.NewDNSServerResolver("127.0.0.1:9")}),
		Senders:   senders.New(reg, senders.Options{})}, Options{})
	return &rig{w: w, reg: reg, pins: pins, dial: dial, owner: owner.ID}
}

// servers starts an IMAP and an SMTP server knowing mailUser; with trusted, their
// certificate's authority is the dialer's.
func (r *rig) servers(t *testing.T, trusted bool) (imapPort int, smtp *testsmtp.Server) {
	t.Helper()
	ca := testcert.NewCA(t)
	cert := ca.Leaf(t, testcert.Opts{SelfSigned: !trusted})
	if trusted {
		r.dial.RootCAs = ca.Pool()
	}
	users := map[string]string{mailUser: mailPass}
	imapPort = testimap.Start(t, testimap.Options{TLS: cert.ServerConfig(), ImplicitTLS: true, Users: users})
	return imapPort, testsmtp.Start(t, testsmtp.Options{TLS: cert.ServerConfig(), Users: users})
}

func account(imapPort, smtpPort int) accounts.NewAccount {
	return accounts.NewAccount{Name: "Shop", Email: mailUser,
		IMAP: accounts.Server{Host: "127.0.0.1", Port: imapPort, Security: accounts.TLS, Username: mailUser},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: smtpPort, Security: accounts.StartTLS, Username: mailUser}}
}

func TestAnUntrustedCertificateCanBeTrustedOnlyAfterATestShowedIt(t *testing.T) {
	r := newRig(t)
	imapPort, smtp := r.servers(t, false)
	acc := account(imapPort, smtp.Port)
	ctx := context.Background()

	var streamed []probe.Step
	rep, err := r.w.Test(ctx, TestRequest{RunID: "run-1", Account: acc, Credentials: Credentials{Password: mailPass}},
		func(st probe.Step) { streamed = append(streamed, st) })
	if err != nil {
		t.Fatal(err)
	}
	var shown *connect.CertInfo
	for _, st := range rep.Steps {
		if st.Name == "tls" && st.Code == fault.TLSUntrusted {
			shown = st.Cert
		}
	}
	if rep.OK || shown == nil {
		t.Fatalf("report = %+v; want a tls step showing the untrusted certificate", rep)
	}
	if len(streamed) == 0 || streamed[0].Status != probe.Running {
		t.Fatalf("steps were not reported as they ran: %+v", streamed)
	}

	// A fingerprint the user was never shown, or the right one for another port, is refused.
	for _, c := range []struct {
		port int
		sum  string
	}{{imapPort, strings.Repeat("ab", 32)}, {smtp.Port, shown.SHA256}} {
		err := r.w.TrustCertificate(ctx, "127.0.0.1", c.port, c.sum, r.owner)
		if !ErrCertificateNotShown.Is(err) {
			t.Fatalf("trust of an unseen certificate on %d: %v; want %s", c.port, err, ErrCertificateNotShown.Name)
		}
	}
	if err := r.w.TrustCertificate(ctx, "127.0.0.1", imapPort, strings.ToUpper(shown.SHA256), r.owner); err != nil {
		t.Fatal(err)
	}
	// IMAP now passes; SMTP presents its own (also self-signed) certificate on its own port.
	rep, _ = r.w.Test(ctx, TestRequest{RunID: "run-2", Account: acc, Credentials: Credentials{Password: mailPass}}, nil)
	last := rep.Steps[len(rep.Steps)-1]
	if last.Name != "smtp_login" || last.Code != fault.TLSUntrusted || last.Cert == nil {
		t.Fatalf("after trusting IMAP: %+v", rep.Steps)
	}
	if err := r.w.TrustCertificate(ctx, "127.0.0.1", smtp.Port, last.Cert.SHA256, r.owner); err != nil {
		t.Fatal(err)
	}
	if rep, _ = r.w.Test(ctx, TestRequest{RunID: "run-3", Account: acc, Credentials: Credentials{Password: mailPass}}, nil); !rep.OK {
		t.Fatalf("after trusting both: %+v", rep.Steps)
	}
}

func TestASavedAccountIsTestedWithItsStoredPasswordAndGetsAStatus(t *testing.T) {
	r := newRig(t)
	imapPort, smtp := r.servers(t, true)
	ctx := context.Background()
	acc, err := r.w.Create(ctx, r.owner, account(imapPort, smtp.Port), Credentials{Password: mailPass})
	if err != nil {
		t.Fatal(err)
	}
	if acc.Status != accounts.Unchecked {
		t.Fatalf("created without a test: status %q", acc.Status)
	}
	rep, err := r.w.Test(ctx, TestRequest{RunID: "r", AccountID: acc.ID, Account: account(imapPort, smtp.Port)}, nil)
	if err != nil || !rep.OK {
		t.Fatalf("test with the stored password: %+v, %v", rep, err)
	}
	if got, _ := r.reg.Get(ctx, acc.ID); got.Status != accounts.OK || got.LastCheck.IsZero() {
		t.Fatalf("status after a good test = %+v", got)
	}

	res, err := r.w.SendTestEmail(ctx, acc.ID, r.owner, TestEmail{To: "client@example.test", Subject: "Test Mailroom", Body: "Ceci est un test."})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != outbox.Sent || res.MessageID == "" || !strings.Contains(res.Answer, "OK") {
		t.Fatalf("test email result = %+v", res)
	}
	if msgs := smtp.Messages(); len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Ceci est un test.") {
		t.Fatalf("server received %d messages", len(msgs))
	}

	// A wrong stored password turns the account to "needs password".
	if _, err := r.w.Update(ctx, acc.ID, account(imapPort, smtp.Port), Credentials{Password: "wrong-now"}); err != nil {
		t.Fatal(err)
	}
	if rep, err := r.w.Test(ctx, TestRequest{RunID: "r2", AccountID: acc.ID, Account: account(imapPort, smtp.Port)}, nil); err != nil || rep.OK {
		t.Fatalf("test with a wrong stored password: ok=%v, %v", rep.OK, err)
	}
	if got, _ := r.reg.Get(ctx, acc.ID); got.Status != accounts.NeedsPassword || got.StatusCode != string(fault.AuthFailed) {
		t.Fatalf("status after a refused password = %q/%q", got.Status, got.StatusCode)
	}
}

func TestATestOnlyChangesTheStatusOfTheSettingsItTested(t *testing.T) {
	r := newRig(t)
	imapPort, smtp := r.servers(t, true)
	ctx := context.Background()

	// A passing test of exactly the settings then saved: the account starts connected.
	in := account(imapPort, smtp.Port)
	if rep, _ := r.w.Test(ctx, TestRequest{RunID: "w", Account: in, Credentials: Credentials{Password: mailPass}}, nil); !rep.OK {
		t.Fatalf("wizard test: %+v", rep.Steps)
	}
	acc, err := r.w.Create(ctx, r.owner, in, Credentials{Password: mailPass})
	if err != nil || acc.Status != accounts.OK {
		t.Fatalf("created after a passing test = %+v, %v; want status ok", acc, err)
	}
	// The same settings with another password were never tested: unchecked.
	other := in
	other.Email = "other@example.test"
	other.IMAP.Username, other.SMTP.Username = other.Email, other.Email
	if acc2, _ := r.w.Create(ctx, r.owner, other, Credentials{Password: "another-password"}); acc2.Status != accounts.Unchecked {
		t.Fatalf("created without a test: status %q", acc2.Status)
	}

	// Testing edited (unsaved) servers with the stored password leaves the saved status alone.
	edited := in
	edited.IMAP.Port = 1 // nothing listens there
	rep, err := r.w.Test(ctx, TestRequest{RunID: "e", AccountID: acc.ID, Account: edited}, nil)
	if err != nil || rep.OK {
		t.Fatalf("test of edited settings: %+v, %v", rep, err)
	}
	if got, _ := r.reg.Get(ctx, acc.ID); got.Status != accounts.OK {
		t.Fatalf("a test of unsaved settings changed the saved status to %q", got.Status)
	}
}

func TestATestUnderWayStopsWhenCancelled(t *testing.T) {
	r := newRig(t)
	// A server that accepts and then says nothing: the test waits for its TLS handshake.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	r.dial.Timeout = time.Minute
	port := ln.Addr().(*net.TCPAddr).Port
	in := account(port, port)

	started := make(chan struct{}, 16)
	done := make(chan probe.Report, 1)
	go func() {
		rep, _ := r.w.Test(context.Background(), TestRequest{RunID: "slow", Account: in, Credentials: Credentials{Password: "x"}},
			func(st probe.Step) { started <- struct{}{} })
		done <- rep
	}()
	<-started
	time.Sleep(200 * time.Millisecond)
	r.w.Cancel("slow")
	select {
	case rep := <-done:
		if rep.OK {
			t.Fatal("a cancelled test passed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Cancel did not stop the test")
	}
	r.w.Cancel("slow") // over: nothing to cancel, no panic
}

// Each refusal names its reason and the form field to fix.
func TestMissingOrWrongInputIsRefusedWithItsReasonAndField(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	pw := account(993, 587)
	postmark := accounts.NewAccount{Name: "Receipts", Email: "receipts@shop.test", Sender: accounts.Sender{Kind: accounts.Postmark}}
	mailgun := accounts.NewAccount{Name: "News", Email: "news@mg.shop.test",
		Sender: accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.shop.test", Region: "eu"}}
	signsIn := pw
	signsIn.Auth, signsIn.OAuthProvider = accounts.OAuth, oauth.Google
	saved, err := r.w.Create(ctx, r.owner, pw, Credentials{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		call   func() error
		reason *fault.Reason
		field  string
	}{
		{"test without a run id", func() error {
			_, err := r.w.Test(ctx, TestRequest{Account: pw, Credentials: Credentials{Password: "pw"}}, nil)
			return err
		}, ErrRunIDMissing, "runId"},
		{"test without a password", func() error {
			_, err := r.w.Test(ctx, TestRequest{RunID: "r", Account: pw}, nil)
			return err
		}, ErrPasswordMissing, "password"},
		{"postmark without its token", func() error {
			_, err := r.w.Test(ctx, TestRequest{RunID: "r", Account: postmark}, nil)
			return err
		}, ErrPostmarkTokenMissing, "senderSecret"},
		{"mailgun without its key", func() error {
			_, err := r.w.Test(ctx, TestRequest{RunID: "r", Account: mailgun}, nil)
			return err
		}, ErrMailgunKeyMissing, "senderSecret"},
		{"an unsaved sign-in account tested before signing in", func() error {
			_, err := r.w.Test(ctx, TestRequest{RunID: "r", Account: signsIn}, nil)
			return err
		}, ErrSignInFirst, "auth"},
		{"a test naming a sign-in that never happened", func() error {
			_, err := r.w.Test(ctx, TestRequest{RunID: "r", Account: signsIn, Credentials: Credentials{SignInID: "gone"}}, nil)
			return err
		}, ErrSignInExpired, "auth"},
		{"a sign-in account created without a sign-in", func() error {
			_, err := r.w.Create(ctx, r.owner, signsIn, Credentials{})
			return err
		}, ErrSignInExpired, "auth"},
		{"signing in without OAuth", func() error {
			_, err := r.w.SignIn(ctx, "r", oauth.Google, "", nil)
			return err
		}, ErrSignInUnavailable, ""},
		{"reopening a sign-in that is not waiting", func() error { return r.w.Reopen("r") }, ErrSignInOver, ""},
		{"a test email without a recipient", func() error {
			_, err := r.w.SendTestEmail(ctx, saved.ID, r.owner, TestEmail{Subject: "s", Body: "b"})
			return err
		}, ErrTestEmailNoRecipient, "to"},
		{"a test email too long", func() error {
			_, err := r.w.SendTestEmail(ctx, saved.ID, r.owner, TestEmail{To: "a@b.test", Body: strings.Repeat("x", maxTestBody+1)})
			return err
		}, ErrTestEmailTooLong, "body"},
		{"signing a password account in again", func() error {
			_, err := r.w.SignInAgain(ctx, saved.ID, "r", nil)
			return err
		}, ErrSignsInWithPassword, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			fe, ok := fault.As(err)
			if !ok || fe.Reason != c.reason.Name || fe.Field != c.field {
				t.Fatalf("error = %v; want reason %s on field %q", err, c.reason.Name, c.field)
			}
			for _, p := range c.reason.Params {
				if _, ok := fe.Params[p]; !ok {
					t.Fatalf("reason %s without its param %s: %+v", fe.Reason, p, fe.Params)
				}
			}
		})
	}
	r.w.UseOAuth(oauth.New(oauth.DefaultConfig(), oauth.Options{OpenURL: func(string) error { return nil }}))
	if _, err := r.w.SignIn(ctx, "r", "yahoo", "", nil); !ErrSignInProvider.Is(err) {
		t.Fatalf("sign-in with an unknown provider: %v", err)
	}
	if _, err := r.w.SignIn(ctx, "", oauth.Google, "", nil); !ErrRunIDMissing.Is(err) {
		t.Fatalf("sign-in without a run id: %v", err)
	}
}

// A test of an address signed in as another is refused, naming both.
func TestASignInOfAnotherAddressIsRefused(t *testing.T) {
	r := newRig(t)
	in := account(993, 587)
	in.Auth, in.OAuthProvider = accounts.OAuth, oauth.Google
	r.w.grants["run-g"] = pendingGrant{g: &oauth.Grant{Provider: oauth.Google, Email: "someone@else.test"}, until: time.Now().Add(time.Minute)}
	_, err := r.w.Test(context.Background(), TestRequest{RunID: "t", Account: in, Credentials: Credentials{SignInID: "run-g"}}, nil)
	fe, ok := fault.As(err)
	if !ok || !ErrSignInOtherAddress.Is(err) || fe.Field != "email" ||
		fe.Params["signedIn"] != "someone@else.test" || fe.Params["address"] != mailUser {
		t.Fatalf("error = %v (%+v); want %s naming both addresses", err, fe, ErrSignInOtherAddress.Name)
	}
}
