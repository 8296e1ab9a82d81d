package outbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testsmtp"
)

func testEnvelope() Envelope {
	return Envelope{From: "a@example.test", To: []string{"b@example.org"}, MessageID: "m.1@example.test",
		Raw: []byte("From: <a@example.test>\r\nTo: <b@example.org>\r\nMessage-ID: <m.1@example.test>\r\nSubject: x\r\n\r\nbody\r\n")}
}

// When the marker cannot be recorded (a full disk), the message must not reach the
// server: the transport cuts the connection before the final dot, and the server, which
// never saw the message end, keeps nothing.
func TestAFailedCommitCutsTheConnectionBeforeTheFinalDot(t *testing.T) {
	ca := testcert.NewCA(t)
	srv := testsmtp.Start(t, testsmtp.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), Users: map[string]string{"a@example.test": "pw"}})
	tr := newSMTPTransport(&connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second},
		accounts.Server{Host: "127.0.0.1", Port: srv.Port, Security: accounts.StartTLS, Username: "a@example.test"},
		func(context.Context) (accounts.Login, error) { return accounts.PasswordLogin("pw"), nil }, Options{}.withDefaults())
	defer tr.Close()
	boom := errors.New("database or disk is full")
	_, err := tr.Send(context.Background(), testEnvelope(), func() error { return boom })
	if fe := failure(err, false); !errors.Is(err, boom) || fe.Class != fault.Temporary {
		t.Fatalf("err = %v (%s); want the commit's error, temporary", err, fe.Class)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("the server kept %d messages although the final dot was never sent", n)
	}
	committed := false
	reply, err := tr.Send(context.Background(), testEnvelope(), func() error { committed = true; return nil })
	if err != nil || !committed || !strings.HasPrefix(reply, "250") {
		t.Fatalf("next send: %q, %v (committed %v)", reply, err, committed)
	}
	if n, c := len(srv.Messages()), srv.Connections(); n != 1 || c != 2 {
		t.Fatalf("server: %d messages, %d connections; want 1 on a new connection", n, c)
	}
}

func TestOneShotCommitsBeforeTheRequestAndClassifies(t *testing.T) {
	var calls int
	rejected := ErrRefused.New(fault.P{"host": "api.example.test"}).WithDetail("406 inactive recipient")
	o := OneShot{
		Do: func(ctx context.Context, env Envelope) (string, error) {
			calls++
			if env.To[0] == "inactive@example.org" {
				return "", rejected
			}
			return "OK", nil
		},
	}
	boom := errors.New("disk full")
	if _, err := o.Send(context.Background(), testEnvelope(), func() error { return boom }); !errors.Is(err, boom) || calls != 0 {
		t.Fatalf("a failed commit: err %v, %d requests; want no request", err, calls)
	}
	order := ""
	reply, err := o.Send(context.Background(), testEnvelope(), func() error { order += "commit "; return nil })
	if err != nil || reply != "OK" || order != "commit " || calls != 1 {
		t.Fatalf("send: %q %v %q %d", reply, err, order, calls)
	}
	env := testEnvelope()
	env.To = []string{"inactive@example.org"}
	_, err = o.Send(context.Background(), env, func() error { return nil })
	if fe := failure(err, true); fe.Class != fault.Permanent || fe.Reason != "smtp_message_refused" || fe.Detail != "406 inactive recipient" {
		t.Fatalf("a rejection after the request: %s %s %q, want permanent smtp_message_refused with the server's words", fe.Class, fe.Reason, fe.Detail)
	}
	after, before := failure(errors.New("read: connection reset"), true), failure(errors.New("dial: refused"), false)
	if after.Class != fault.PossiblySent || after.Reason != "outbox_possibly_sent" || before.Class != fault.Temporary {
		t.Fatalf("an unclassified error must be possibly sent after commit (%s %s) and temporary before (%s)", after.Class, after.Reason, before.Class)
	}
}

func TestCopyWantedUnlessTheProviderFilesSentMailItself(t *testing.T) {
	e := New(Deps{}, Options{})
	for _, tc := range []struct {
		provider, smtpHost string
		want               bool
	}{
		{"gmail", "smtp.gmail.com", false},
		{"", "smtp.gmail.com", false}, // Google Workspace typed by hand
		{"microsoft365", "smtp.office365.com", false},
		{"outlook", "smtp-mail.outlook.com", false},
		{"", "SMTP.Office365.com", false},
		{"ovh", "ssl0.ovh.net", true},
		{"fastmail", "smtp.fastmail.com", true},
		{"", "mail.example.test", true},
	} {
		acc := accounts.Account{Provider: tc.provider, IMAP: accounts.Server{Host: "imap.example.test"}, SMTP: accounts.Server{Host: tc.smtpHost}}
		if got := e.copyWanted(acc); got != tc.want {
			t.Errorf("%s / %s: copy wanted = %v, want %v", tc.provider, tc.smtpHost, got, tc.want)
		}
	}
	if (&Engine{opts: Options{SentCopies: CopyNever}}).copyWanted(accounts.Account{IMAP: accounts.Server{Host: "x"}}) {
		t.Error("CopyNever wants a copy")
	}
	if !(&Engine{opts: Options{SentCopies: CopyAlways}}).copyWanted(accounts.Account{Provider: "gmail", IMAP: accounts.Server{Host: "x"}}) {
		t.Error("CopyAlways does not want a copy")
	}
}

func TestBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	lo, hi := 10*time.Second, 5*time.Minute
	for n, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 10: 5 * time.Minute} {
		for range 50 {
			if d := backoff(lo, hi, n); d < want/2 || d > want {
				t.Fatalf("backoff after %d failures = %s, want within [%s, %s]", n, d, want/2, want)
			}
		}
	}
}

func TestCRLF(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb":         "a\r\nb\r\n",
		"a\r\nb\r\n":   "a\r\nb\r\n",
		"a\rb\n\n":     "a\r\nb\r\n\r\n",
		"a\r\n\r\nb\n": "a\r\n\r\nb\r\n",
	} {
		if got := string(crlf([]byte(in))); got != want {
			t.Errorf("crlf(%q) = %q, want %q", in, got, want)
		}
	}
}

// The dialogue, pipelined and one command at a time (a server without PIPELINING): the
// marker is committed before the server has the message, refusals keep the server's
// words, and a connection the server closed while idle is dialled again without losing
// the message.
func TestTheDialoguePipelinedAndOneCommandAtATime(t *testing.T) {
	for _, oneByOne := range []bool{false, true} {
		t.Run(map[bool]string{false: "pipelined", true: "one by one"}[oneByOne], func(t *testing.T) {
			ca := testcert.NewCA(t)
			srv := testsmtp.Start(t, testsmtp.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(),
				Users: map[string]string{"a@example.test": "pw"}, ReadTimeout: 300 * time.Millisecond,
				RcptError: func(_ int, rcpt string) error {
					if strings.HasPrefix(rcpt, "nobody") {
						return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"}
					}
					return nil
				}})
			tr := newSMTPTransport(&connect.Dialer{RootCAs: ca.Pool(), Timeout: 5 * time.Second},
				accounts.Server{Host: "127.0.0.1", Port: srv.Port, Security: accounts.StartTLS, Username: "a@example.test"},
				func(context.Context) (accounts.Login, error) { return accounts.PasswordLogin("pw"), nil }, Options{}.withDefaults())
			tr.oneByOne = oneByOne
			defer tr.Close()
			send := func(env Envelope) (string, int, error) {
				held := -1
				reply, err := tr.Send(context.Background(), env, func() error {
					held = len(srv.Messages()) // what the server has when the marker is written
					return nil
				})
				return reply, held, err
			}
			reply, held, err := send(testEnvelope())
			if err != nil || !strings.HasPrefix(reply, "250") || held != 0 || len(srv.Messages()) != 1 {
				t.Fatalf("send: %q %v; the server held %d messages at the marker, %d after", reply, err, held, len(srv.Messages()))
			}
			env := testEnvelope()
			env.To = []string{"nobody@example.org"}
			_, held, err = send(env)
			fe, ok := fault.As(err)
			if !ok || fe.Class != fault.Permanent || !ErrRecipientRefused.Is(err) || fe.Params["recipients"] != "nobody@example.org" ||
				fe.Params["count"] != 1 || !strings.Contains(fe.Detail, "550 5.1.1 User unknown") {
				t.Fatalf("a refused recipient: %v", err)
			}
			// Pipelined, the marker is written while the server answers, so before the
			// refusal is known (the refusal's outcome then replaces it); one by one, the
			// refusal comes first.
			if oneByOne && held != -1 || len(srv.Messages()) != 1 {
				t.Fatalf("a refused recipient: marker written with %d messages on the server, %d after", held, len(srv.Messages()))
			}
			time.Sleep(600 * time.Millisecond) // the server closes the idle connection
			reply, _, err = send(testEnvelope())
			if err != nil || !strings.HasPrefix(reply, "250") {
				t.Fatalf("after the server closed the connection: %q %v", reply, err)
			}
			if n, c := len(srv.Messages()), srv.Connections(); n != 2 || c != 2 {
				t.Fatalf("server: %d messages, %d connections; want 2 and 2", n, c)
			}
		})
	}
}
