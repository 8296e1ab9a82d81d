package api

import (
	"strings"
	"testing"

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

// The wizard's logic is tested in backend/setup; here, that the test's steps reach the UI
// as events and DTOs, and that trusting maps to the wizard's refusal.
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
	if err := h.svcs.Accounts.TrustCertificate("127.0.0.1", imapPort, bogus); fault.ReasonOf(err) != "setup_certificate_not_shown" {
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
