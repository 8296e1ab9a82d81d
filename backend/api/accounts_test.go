package api

import (
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/internal/testkit/testsmtp"
)

const (
	mailUser = "shop@example.test"
	mailPass = "api-test-password-9931"
)

func localServers(t *testing.T, selfSigned bool) (imapPort, smtpPort int) {
	t.Helper()
	ca := testcert.NewCA(t)
	cert := ca.Leaf(t, testcert.Opts{SelfSigned: selfSigned})
	users := map[string]string{mailUser: mailPass}
	imapPort = testimap.Start(t, testimap.Options{TLS: cert.ServerConfig(), ImplicitTLS: true, Users: users})
	smtpPort = testsmtp.Start(t, testsmtp.Options{TLS: cert.ServerConfig(), Users: users}).Port
	return
}

func input(imapPort, smtpPort int) AccountInput {
	return AccountInput{Name: "Shop", Email: mailUser,
		IMAP: ServerDTO{Host: "127.0.0.1", Port: imapPort, Security: "tls", Username: mailUser},
		SMTP: ServerDTO{Host: "127.0.0.1", Port: smtpPort, Security: "starttls", Username: mailUser}}
}

type events struct {
	mu    sync.Mutex
	steps []StepDTO
}

func (e *events) record(name string, data any) {
	if name != ProbeStepEvent {
		return
	}
	e.mu.Lock()
	e.steps = append(e.steps, data.(StepDTO))
	e.mu.Unlock()
}

func TestAnUntrustedCertificateCanBeTrustedOnlyAfterATestShowedIt(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	var ev events
	h.b.Emit = ev.record
	imapPort, smtpPort := localServers(t, true)
	in := input(imapPort, smtpPort)

	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "run-1", Account: in}, mailPass, "")
	if err != nil {
		t.Fatal(err)
	}
	var tlsStep *StepDTO
	for i := range rep.Steps {
		if rep.Steps[i].Name == "tls" {
			tlsStep = &rep.Steps[i]
		}
	}
	if rep.OK || tlsStep == nil || tlsStep.Code != "tls_untrusted" || tlsStep.Cert == nil {
		t.Fatalf("report = %+v", rep)
	}
	if len(ev.steps) == 0 || ev.steps[0].RunID != "run-1" || ev.steps[0].Status != "running" {
		t.Fatalf("steps were not streamed as events: %+v", ev.steps)
	}

	// A fingerprint the user was never shown is refused.
	bogus := strings.Repeat("ab", 32)
	if err := h.svcs.Accounts.TrustCertificate("127.0.0.1", imapPort, bogus); !fault.Is(err, fault.NotFound) {
		t.Fatalf("trust of an unseen certificate: %v", err)
	}
	if err := h.svcs.Accounts.TrustCertificate("127.0.0.1", imapPort, tlsStep.Cert.SHA256); err != nil {
		t.Fatal(err)
	}
	// IMAP now passes; SMTP presents its own (also self-signed) certificate on its own port.
	rep, _ = h.svcs.Accounts.Test(TestInput{RunID: "run-2", Account: in}, mailPass, "")
	last := rep.Steps[len(rep.Steps)-1]
	if last.Name != "smtp_login" || last.Code != "tls_untrusted" || last.Cert == nil {
		t.Fatalf("after trusting IMAP: %+v", rep.Steps)
	}
	if err := h.svcs.Accounts.TrustCertificate("127.0.0.1", smtpPort, last.Cert.SHA256); err != nil {
		t.Fatal(err)
	}
	rep, _ = h.svcs.Accounts.Test(TestInput{RunID: "run-3", Account: in}, mailPass, "")
	if !rep.OK {
		t.Fatalf("after trusting both: %+v", rep.Steps)
	}
}

func TestASavedAccountIsTestedWithItsStoredPasswordAndGetsAStatus(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	ca := testcert.NewCA(t)
	cert := ca.Leaf(t, testcert.Opts{})
	users := map[string]string{mailUser: mailPass}
	imapPort := testimap.Start(t, testimap.Options{TLS: cert.ServerConfig(), ImplicitTLS: true, Users: users})
	smtp := testsmtp.Start(t, testsmtp.Options{TLS: cert.ServerConfig(), Users: users})
	smtpPort := smtp.Port
	h.b.Dialer.RootCAs = ca.Pool()
	h.b.Dialer.Timeout = 5 * time.Second

	acc, err := h.svcs.Accounts.Create(input(imapPort, smtpPort), mailPass, "")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Status != "unchecked" || len(acc.Users) != 1 {
		t.Fatalf("created = %+v", acc)
	}
	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "r", AccountID: acc.ID, Account: input(imapPort, smtpPort)}, "", "")
	if err != nil || !rep.OK {
		t.Fatalf("test with the stored password: %+v, %v", rep, err)
	}
	got, _ := h.svcs.Accounts.Get(acc.ID)
	if got.Status != "ok" || got.LastCheck == "" {
		t.Fatalf("status after a good test = %+v", got)
	}
	res, err := h.svcs.Accounts.SendTestEmail(acc.ID, TestEmailInput{To: "client@example.test", Subject: "Test Mailroom", Body: "Ceci est un test."})
	if err != nil {
		t.Fatal(err)
	}
	if res.MessageID == "" || !strings.Contains(res.Answer, "OK") {
		t.Fatalf("test email result = %+v", res)
	}
	if msgs := smtp.Messages(); len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Ceci est un test.") {
		t.Fatalf("server received %d messages", len(msgs))
	}
	// A wrong stored password turns the account to "needs password".
	if _, err := h.svcs.Accounts.Update(acc.ID, input(imapPort, smtpPort), "wrong-now", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Accounts.Test(TestInput{RunID: "r2", AccountID: acc.ID, Account: input(imapPort, smtpPort)}, "", ""); err != nil {
		t.Fatal(err)
	}
	got, _ = h.svcs.Accounts.Get(acc.ID)
	if got.Status != "needs_password" || got.StatusCode != "auth_failed" {
		t.Fatalf("status after a refused password = %+v", got)
	}
}

func TestCollaboratorsSeeOnlyTheAccountsGrantedToThem(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	a1, err := h.svcs.Accounts.Create(input(993, 587), "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	in2 := input(993, 587)
	in2.Email = "other@example.test"
	if _, err := h.svcs.Accounts.Create(in2, "pw", ""); err != nil {
		t.Fatal(err)
	}
	if err := h.svcs.Accounts.Grant(a1.ID, h.users[collab]); err != nil {
		t.Fatal(err)
	}
	h.as(t, collab)
	list, err := h.svcs.Accounts.List()
	if err != nil || len(list) != 1 || list[0].ID != a1.ID {
		t.Fatalf("collaborator's list = %+v, %v", list, err)
	}
	h.as(t, admin)
	if list, _ := h.svcs.Accounts.List(); len(list) != 2 {
		t.Fatalf("admin's list has %d accounts", len(list))
	}
}

func TestATestOnlyChangesTheStatusOfTheSettingsItTested(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	ca := testcert.NewCA(t)
	cert := ca.Leaf(t, testcert.Opts{})
	users := map[string]string{mailUser: mailPass}
	imapPort := testimap.Start(t, testimap.Options{TLS: cert.ServerConfig(), ImplicitTLS: true, Users: users})
	smtpPort := testsmtp.Start(t, testsmtp.Options{TLS: cert.ServerConfig(), Users: users}).Port
	h.b.Dialer.RootCAs = ca.Pool()

	// A passing test of exactly the settings then saved: the account starts connected.
	in := input(imapPort, smtpPort)
	if rep, _ := h.svcs.Accounts.Test(TestInput{RunID: "w", Account: in}, mailPass, ""); !rep.OK {
		t.Fatalf("wizard test: %+v", rep.Steps)
	}
	acc, err := h.svcs.Accounts.Create(in, mailPass, "")
	if err != nil || acc.Status != "ok" {
		t.Fatalf("created after a passing test = %+v, %v; want status ok", acc, err)
	}
	// Without that test (another address and password, never tested), it starts unchecked.
	other := in
	other.Email = "other@example.test"
	other.IMAP.Username, other.SMTP.Username = other.Email, other.Email
	if acc2, _ := h.svcs.Accounts.Create(other, "another-password", ""); acc2.Status != "unchecked" {
		t.Fatalf("created without a test: status %q", acc2.Status)
	}

	// Testing edited (unsaved) servers with the stored password leaves the saved status alone.
	edited := in
	edited.IMAP.Port = 1 // nothing listens there
	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "e", AccountID: acc.ID, Account: edited}, "", "")
	if err != nil || rep.OK {
		t.Fatalf("test of edited settings: %+v, %v", rep, err)
	}
	if got, _ := h.svcs.Accounts.Get(acc.ID); got.Status != "ok" {
		t.Fatalf("a test of unsaved settings changed the saved status to %q", got.Status)
	}
}
