package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/internal/testkit/testsmtp"
)

const pmToken = "pm-api-test-token-11e4c2f8-9b7a"

// postmarkAt starts a small fake of Postmark's API (GET /server, POST /email with
// ErrorCode 400 for a From that is not a sender signature, 10 for a bad token), and points
// the app at it as MAILROOM_POSTMARK_URL does for the e2e tests.
func postmarkAt(t *testing.T, confirmed string) *int {
	t.Helper()
	emails := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Postmark-Server-Token") != pmToken {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"ErrorCode": 10, "Message": "The Server Token you provided was invalid."})
			return
		}
		switch r.URL.Path {
		case "/server":
			json.NewEncoder(w).Encode(map[string]any{"ID": 1, "Name": "Shop"})
		case "/email":
			var e struct{ From string }
			json.NewDecoder(r.Body).Decode(&e)
			if !strings.Contains(e.From, confirmed) {
				w.WriteHeader(http.StatusUnprocessableEntity)
				json.NewEncoder(w).Encode(map[string]any{"ErrorCode": 400,
					"Message": "The 'From' address you supplied (" + e.From + ") is not a Sender Signature on your account."})
				return
			}
			*emails++
			json.NewEncoder(w).Encode(map[string]any{"MessageID": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817", "ErrorCode": 0, "Message": "OK"})
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv("MAILROOM_POSTMARK_URL", srv.URL)
	return emails
}

func postmarkInput(email string) AccountInput {
	return AccountInput{Name: "Receipts", Email: email, Sender: SenderDTO{Kind: "postmark"}}
}

func TestASendOnlyPostmarkAccountIsCheckedThenCreatedConnected(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	var ev events
	h.b.Emit = ev.record
	postmarkAt(t, "receipts@shop.test")

	// A From Postmark does not know: the check fails with the fix, and names the domain.
	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "pm-1", Account: postmarkInput("other@elsewhere.test")}, "", pmToken)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Steps) != 1 || rep.Steps[0].Name != "postmark_sender" || rep.Steps[0].HintCode != "postmark_signature" ||
		rep.Steps[0].Params["domain"] != "elsewhere.test" || !strings.Contains(rep.Steps[0].Message, "no sender signature") {
		t.Fatalf("report = %+v; want one failed postmark_sender step saying how to add the signature", rep)
	}

	in := postmarkInput("receipts@shop.test")
	rep, err = h.svcs.Accounts.Test(TestInput{RunID: "pm-2", Account: in}, "", pmToken)
	if err != nil || !rep.OK {
		t.Fatalf("Test = %+v, %v", rep, err)
	}
	var names []string
	for _, s := range ev.steps {
		if s.RunID == "pm-2" {
			names = append(names, s.Name+":"+s.Status)
		}
	}
	if !slices.Equal(names, []string{"postmark_sender:running", "postmark_sender:ok"}) {
		t.Fatalf("streamed steps = %v", names)
	}

	acc, err := h.svcs.Accounts.Create(in, "", pmToken)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Status != "ok" || !acc.SendOnly || acc.Sender.Kind != "postmark" || acc.IMAP.Host != "" {
		t.Fatalf("created account = %+v; want a connected send-only Postmark account", acc)
	}
	b, _ := json.Marshal(acc)
	if strings.Contains(string(b), pmToken) {
		t.Fatal("the token came back in the account's DTO")
	}

	// The saved account is tested with its stored token, and the result recorded.
	rep, err = h.svcs.Accounts.Test(TestInput{RunID: "pm-3", AccountID: acc.ID, Account: in}, "", "")
	if err != nil || !rep.OK {
		t.Fatalf("Test of the saved account = %+v, %v", rep, err)
	}
	// A wrong token given in an edit is refused by Postmark, in words.
	rep, _ = h.svcs.Accounts.Test(TestInput{RunID: "pm-4", AccountID: acc.ID, Account: in}, "", "wrong-token")
	if rep.OK || rep.Steps[0].Code != "auth_failed" || rep.Steps[0].HintCode != "postmark_token" {
		t.Fatalf("wrong token: %+v", rep.Steps)
	}
}

func TestAMailgunAccountWhoseFromIsOffItsDomainIsRefused(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	in := AccountInput{Name: "News", Email: "news@other.test", Sender: SenderDTO{Kind: "mailgun", Domain: "mg.shop.test", Region: "eu"}}
	_, err := h.svcs.Accounts.Create(in, "", "key-abc")
	if code, field := errCodeField(err); code != "invalid_input" || field != "email" {
		t.Fatalf("Create = %v; want invalid_input on email", err)
	}
	in.Email = "news@shop.test"
	acc, err := h.svcs.Accounts.Create(in, "", "key-abc")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Sender != (SenderDTO{Kind: "mailgun", Domain: "mg.shop.test", Region: "eu"}) {
		t.Fatalf("sender = %+v", acc.Sender)
	}
}

func TestMicrosoftSMTPAuthDisabledIsNamedAndKeptAsTheStatus(t *testing.T) {
	h := newHarness(t)
	h.as(t, admin)
	ca := testcert.NewCA(t)
	cert := ca.Leaf(t, testcert.Opts{})
	h.b.Dialer.RootCAs = ca.Pool()
	users := map[string]string{mailUser: mailPass}
	imapPort := testimap.Start(t, testimap.Options{TLS: cert.ServerConfig(), ImplicitTLS: true, Users: users})
	smtpPort := testsmtp.Start(t, testsmtp.Options{TLS: cert.ServerConfig(), Users: users,
		AuthError: &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
			Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."}}).Port
	in := input(imapPort, smtpPort)
	acc, err := h.svcs.Accounts.Create(in, mailPass, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "ms", AccountID: acc.ID, Account: in}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	last := rep.Steps[len(rep.Steps)-1]
	if rep.OK || last.Name != "smtp_login" || last.Status != "failed" || last.HintCode != "smtp_auth_disabled" ||
		!strings.Contains(last.Hint, "Authenticated SMTP") {
		t.Fatalf("SMTP step = %+v; want smtp_auth_disabled with what the admin must change", last)
	}
	got, _ := h.svcs.Accounts.Get(acc.ID)
	if got.StatusCode != "smtp_auth_disabled" || got.Status != "error" {
		t.Fatalf("account status = %q/%q; want error/smtp_auth_disabled", got.Status, got.StatusCode)
	}
}

// errCodeField returns a fault error's code and field ("" for other errors).
func errCodeField(err error) (string, string) {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return string(fe.Code), fe.Field
	}
	return "", ""
}
