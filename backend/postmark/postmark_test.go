package postmark

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailroom/backend/fault"
)

// pdfBytes is binary on purpose: a NUL, high bytes and a CRLF must survive base64 both ways.
var pdfBytes = []byte("%PDF-1.4\n\x00\x01\x02\xfe\xff binary \r\n%%EOF\n")

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fake image")

// wrap76 folds base64 at 76 characters, as MIME writers do.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

// rendered is a message as the outbox renders it: a text and an HTML body, an inline image
// the HTML shows by Content-ID, a PDF attachment, and every header Postmark must get.
func rendered() []byte {
	lines := []string{
		`From: "Ada Lovelace" <ada@example.com>`,
		`To: Charles Babbage <charles@example.org>, mary@example.net`,
		`Cc: "Somerville, Mary" <somerville@example.net>`,
		`Bcc: hidden@example.com`,
		`Reply-To: replies@example.com`,
		`Subject: =?utf-8?q?R=C3=A9sum=C3=A9_of_the_engine?=`,
		`Date: Mon, 02 Jan 2006 15:04:05 +0000`,
		`Message-ID: <20060102150405.abc123@example.com>`,
		`In-Reply-To: <earlier@example.org>`,
		`References: <first@example.org> <earlier@example.org>`,
		`X-Mailroom-Queue: 42`,
		`MIME-Version: 1.0`,
		`Content-Type: multipart/mixed; boundary="mixed"`,
		``,
		`--mixed`,
		`Content-Type: multipart/related; boundary="related"`,
		``,
		`--related`,
		`Content-Type: multipart/alternative; boundary="alt"`,
		``,
		`--alt`,
		`Content-Type: text/plain; charset=utf-8`,
		`Content-Transfer-Encoding: quoted-printable`,
		``,
		`Bonjour Charles, voici le r=C3=A9sum=C3=A9.`,
		`--alt`,
		`Content-Type: text/html; charset=utf-8`,
		`Content-Transfer-Encoding: quoted-printable`,
		``,
		`<p>Bonjour Charles, voici le r=C3=A9sum=C3=A9.<img src=3D"cid:logo@example.com"></p>`,
		`--alt--`,
		`--related`,
		`Content-Type: image/png`,
		`Content-Transfer-Encoding: base64`,
		`Content-ID: <logo@example.com>`,
		`Content-Disposition: inline`,
		``,
		wrap76(base64.StdEncoding.EncodeToString(pngBytes)),
		`--related--`,
		`--mixed`,
		`Content-Type: application/pdf; name="engine.pdf"`,
		`Content-Transfer-Encoding: base64`,
		`Content-Disposition: attachment; filename="engine.pdf"`,
		``,
		wrap76(base64.StdEncoding.EncodeToString(pdfBytes)),
		`--mixed--`,
		``,
	}
	return []byte(strings.Join(lines, "\r\n"))
}

func newClient(t *testing.T, f *fakePostmark, opts Options) *Client {
	t.Helper()
	opts.BaseURL = f.URL
	c, err := New(f.token, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// headerValue finds a header by name, spelled as the message spelled it.
func headerValue(hs []header, name string) (string, bool) {
	for _, h := range hs {
		if h.Name == name {
			return h.Value, true
		}
	}
	return "", false
}

func hasHeader(hs []header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

func TestSendConvertsTheMessageToPostmarkJSON(t *testing.T) {
	f := newFakePostmark(t)
	f.AddSignature("ada@example.com", true)
	c := newClient(t, f, Options{})

	res, err := c.Send(context.Background(), rendered())
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := f.requestLog()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/email" {
		t.Errorf("request %s %s, want POST /email", r.Method, r.Path)
	}
	for k, want := range map[string]string{
		"X-Postmark-Server-Token": testToken,
		"Accept":                  "application/json",
		"Content-Type":            "application/json",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}

	e := r.Email
	for _, c := range []struct{ field, got, want string }{
		{"From", e.From, `"Ada Lovelace" <ada@example.com>`},
		{"To", e.To, `"Charles Babbage" <charles@example.org>, mary@example.net`},
		{"Cc", e.Cc, `"Somerville, Mary" <somerville@example.net>`},
		{"Bcc", e.Bcc, `hidden@example.com`},
		{"ReplyTo", e.ReplyTo, `replies@example.com`},
		{"Subject", e.Subject, "Résumé of the engine"},
		{"TextBody", e.TextBody, "Bonjour Charles, voici le résumé."},
		{"HtmlBody", e.HTMLBody, `<p>Bonjour Charles, voici le résumé.<img src="cid:logo@example.com"></p>`},
		{"MessageStream", e.MessageStream, "outbound"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}

	for name, want := range map[string]string{
		"Message-ID":       "<20060102150405.abc123@example.com>",
		"In-Reply-To":      "<earlier@example.org>",
		"References":       "<first@example.org> <earlier@example.org>",
		"X-Mailroom-Queue": "42",
	} {
		if got, ok := headerValue(e.Headers, name); !ok || got != want {
			t.Errorf("Headers[%s] = %q (present %v), want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"From", "To", "Bcc", "Subject", "Date", "MIME-Version", "Content-Type"} {
		if hasHeader(e.Headers, name) {
			t.Errorf("Headers repeats %s (Postmark writes it from the fields)", name)
		}
	}

	if len(e.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2 (inline image and PDF): %+v", len(e.Attachments), e.Attachments)
	}
	byType := map[string]attachment{}
	for _, a := range e.Attachments {
		byType[a.ContentType] = a
	}
	png, pdf := byType["image/png"], byType["application/pdf"]
	if png.ContentID != "cid:logo@example.com" {
		t.Errorf("inline image ContentID = %q, want cid:logo@example.com", png.ContentID)
	}
	if png.Name == "" {
		t.Error("inline image has no Name; Postmark requires one")
	}
	if got, _ := base64.StdEncoding.DecodeString(png.Content); !bytes.Equal(got, pngBytes) {
		t.Errorf("inline image content decodes to %q, want %q", got, pngBytes)
	}
	if pdf.Name != "engine.pdf" || pdf.ContentID != "" {
		t.Errorf("PDF Name %q ContentID %q, want engine.pdf and none", pdf.Name, pdf.ContentID)
	}
	if got, _ := base64.StdEncoding.DecodeString(pdf.Content); !bytes.Equal(got, pdfBytes) {
		t.Errorf("PDF content decodes to %q, want %q", got, pdfBytes)
	}

	if res.ProviderID != "0a129aee-e1cd-480d-b08d-4f48548ff401" {
		t.Errorf("ProviderID = %q, want Postmark's MessageID", res.ProviderID)
	}
	if res.MessageID != "20060102150405.abc123@example.com" {
		t.Errorf("MessageID = %q, want ours without brackets", res.MessageID)
	}
	want := time.Date(2014, 2, 17, 12, 25, 1, 417864500, time.UTC)
	if !res.SubmittedAt.Equal(want) {
		t.Errorf("SubmittedAt = %v, want %v (Postmark's SubmittedAt)", res.SubmittedAt, want)
	}
}

func TestSendUsesTheConfiguredMessageStream(t *testing.T) {
	f := newFakePostmark(t)
	f.AddSignature("example.com", true) // a verified domain covers every address on it
	c := newClient(t, f, Options{MessageStream: "billing-notices"})
	if _, err := c.Send(context.Background(), rendered()); err != nil {
		t.Fatal(err)
	}
	if got := f.requestLog()[0].Email.MessageStream; got != "billing-notices" {
		t.Errorf("MessageStream = %q, want billing-notices", got)
	}
}

func TestSendOfASingleTextPartMessage(t *testing.T) {
	f := newFakePostmark(t)
	f.AddSignature("example.com", true)
	c := newClient(t, f, Options{})
	raw := "From: ada@example.com\r\nTo: charles@example.org\r\nSubject: Plain\r\nMessage-ID: <plain@example.com>\r\n\r\nJust text.\r\n"
	res, err := c.Send(context.Background(), []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	e := f.requestLog()[0].Email
	if e.TextBody != "Just text.\r\n" || e.HTMLBody != "" || len(e.Attachments) != 0 {
		t.Errorf("TextBody %q HtmlBody %q attachments %d, want the text alone", e.TextBody, e.HTMLBody, len(e.Attachments))
	}
	if res.MessageID != "plain@example.com" {
		t.Errorf("MessageID = %q", res.MessageID)
	}
}

func TestSendRefusesAMessageItCannotConvertWithoutCallingPostmark(t *testing.T) {
	for _, tc := range []struct{ name, raw string }{
		{"no From", "To: charles@example.org\r\nSubject: x\r\n\r\nbody\r\n"},
		{"two From addresses", "From: a@example.com, b@example.com\r\nTo: charles@example.org\r\n\r\nbody\r\n"},
		{"no recipient", "From: ada@example.com\r\nSubject: x\r\n\r\nbody\r\n"},
		{"no text or HTML body", "From: ada@example.com\r\nTo: c@example.org\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n"},
		{"unknown transfer encoding", "From: ada@example.com\r\nTo: c@example.org\r\nContent-Transfer-Encoding: x-rot13\r\n\r\nbody\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePostmark(t)
			c := newClient(t, f, Options{})
			_, err := c.Send(context.Background(), []byte(tc.raw))
			if fault.CodeOf(err) != fault.InvalidInput || fault.ClassOf(err) != fault.Permanent {
				t.Fatalf("err = %v (code %s, class %s), want a permanent invalid_input", err, fault.CodeOf(err), fault.ClassOf(err))
			}
			if n := len(f.requestLog()); n != 0 {
				t.Errorf("%d requests reached Postmark, want none", n)
			}
		})
	}
}

// TestSendMapsPostmarkErrors covers each documented error Postmark answers /email with:
// the fault code, whether the outbox may retry, how to fix it, and Postmark's own words.
func TestSendMapsPostmarkErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		code     int
		words    string
		wantCode fault.Code
		class    fault.Class
		reason   string
	}{
		{"bad server token", 401, 10, "The Server Token you provided in the X-Postmark-Server-Token request header was invalid.", fault.AuthFailed, fault.Permanent, "postmark_token"},
		{"invalid email request", 422, 300, "Invalid 'To' address: 'charles@'.", fault.InvalidInput, fault.Permanent, "postmark_invalid_message"},
		{"sender signature not found", 422, 400, "The 'From' address you supplied (ada@example.com) is not a Sender Signature on your account.", fault.ProviderRejected, fault.Permanent, "postmark_sender"},
		{"sender signature not confirmed", 422, 401, "The 'From' address you supplied (ada@example.com) has not been confirmed.", fault.ProviderRejected, fault.Permanent, "postmark_sender_unconfirmed"},
		{"not allowed to send", 422, 405, "You are not allowed to send: your account has run out of credits.", fault.ProviderRejected, fault.Permanent, "postmark_account_cannot_send"},
		{"inactive recipient", 422, 406, "You tried to send to a recipient that has been marked as inactive. Found inactive addresses: charles@example.org.", fault.ProviderRejected, fault.Permanent, "postmark_recipient_inactive"},
		{"forbidden attachment type", 422, 411, "Forbidden attachment type: engine.exe", fault.ProviderRejected, fault.Permanent, "postmark_attachment_type"},
		{"account pending approval", 422, 412, "While your account is pending approval, all recipient addresses must share the same domain as the 'From' address.", fault.ProviderRejected, fault.Permanent, "postmark_pending_approval"},
		{"inactive server", 422, 413, "This server is inactive and may not send.", fault.ProviderRejected, fault.Permanent, "postmark_server_inactive"},
		{"rate limited", 429, 429, "Rate limit exceeded.", fault.ProviderRejected, fault.Temporary, "postmark_rate_limited"},
		{"internal server error", 500, 0, "Internal Server Error", fault.Network, fault.Temporary, "postmark_unavailable"},
		{"maintenance", 503, 100, "Maintenance", fault.Network, fault.Temporary, "postmark_unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePostmark(t)
			f.SetScript(func(*http.Request, int) (int, int, string, bool) { return tc.status, tc.code, tc.words, true })
			c := newClient(t, f, Options{})

			_, err := c.Send(context.Background(), rendered())
			if got := fault.CodeOf(err); got != tc.wantCode {
				t.Errorf("code = %s, want %s (err %v)", got, tc.wantCode, err)
			}
			if got := fault.ClassOf(err); got != tc.class {
				t.Errorf("class = %s, want %s", got, tc.class)
			}
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err %v is not a fault error", err)
			}
			if fe.Reason != tc.reason {
				t.Errorf("reason %q, want %q", fe.Reason, tc.reason)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error text holds the token: %v", err)
			}
			wantReply := "HTTP " + strconv.Itoa(tc.status)
			if tc.code != 0 {
				wantReply += ", ErrorCode " + strconv.Itoa(tc.code)
			}
			wantReply += ": " + tc.words
			if got := detailOf(err); got != wantReply {
				t.Errorf("reply %q, want %q", got, wantReply)
			}
		})
	}
}

func TestSendToAPayloadTooLargeAnswer(t *testing.T) {
	f := newFakePostmark(t)
	// Postmark's overview: "413 — Payload Too Large" for a request over its 10 MB limit.
	f.SetScript(func(*http.Request, int) (int, int, string, bool) {
		return http.StatusRequestEntityTooLarge, 0, "", true
	})
	c := newClient(t, f, Options{})
	_, err := c.Send(context.Background(), rendered())
	if fault.ClassOf(err) != fault.Permanent || fault.CodeOf(err) != fault.ProviderRejected || !ErrTooLarge.Is(err) {
		t.Errorf("err = %v (class %s), want a permanent 'too large' refusal", err, fault.ClassOf(err))
	}
}

func TestSendNamesTheSenderToFix(t *testing.T) {
	f := newFakePostmark(t) // no signature at all
	c := newClient(t, f, Options{})
	_, err := c.Send(context.Background(), rendered())
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	if fe.Field != "from" || fe.Reason != "postmark_sender" || fe.Params["from"] != "ada@example.com" || fe.Params["domain"] != "example.com" {
		t.Errorf("%+v: want the From field, the address and its domain", fe)
	}
}

func TestTheTokenNeverAppearsInAnError(t *testing.T) {
	// A server that quotes the token back in its message, for every kind of failure.
	for _, status := range []int{401, 422, 429, 500} {
		f := newFakePostmark(t)
		f.SetScript(func(*http.Request, int) (int, int, string, bool) {
			return status, 10, "Token " + testToken + " is not valid here", true
		})
		c := newClient(t, f, Options{})
		_, sendErr := c.Send(context.Background(), rendered())
		checkErr := c.CheckSender(context.Background(), "ada@example.com")
		for _, err := range []error{sendErr, checkErr} {
			if err == nil {
				t.Fatalf("HTTP %d: no error", status)
			}
			var fe *fault.Error
			errors.As(err, &fe)
			for _, text := range []string{err.Error(), fe.Message, fe.Err.Error(), detailOf(err), fmt.Sprint(fe.Params)} {
				if strings.Contains(text, testToken) {
					t.Errorf("HTTP %d: token in error text %q", status, text)
				}
			}
		}
	}
}

func TestRedirectsAreNotFollowedSoTheTokenGoesNowhereElse(t *testing.T) {
	elsewhere := make(chan string, 1)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere <- r.Header.Get("X-Postmark-Server-Token")
	}))
	defer other.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/email", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()

	c, _ := New(testToken, Options{BaseURL: redirecting.URL})
	_, err := c.Send(context.Background(), rendered())
	if fault.ClassOf(err) != fault.Permanent {
		t.Errorf("err = %v (class %s), want a permanent failure", err, fault.ClassOf(err))
	}
	select {
	case tok := <-elsewhere:
		t.Errorf("the redirect was followed; the other host got token %q", tok)
	default:
	}
}

func TestNetworkFailures(t *testing.T) {
	t.Run("a closed server is transient and not possibly sent", func(t *testing.T) {
		f := newFakePostmark(t)
		url := f.URL
		f.Close()
		c, _ := New(testToken, Options{BaseURL: url})
		_, err := c.Send(context.Background(), rendered())
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.Temporary {
			t.Errorf("err = %v (code %s, class %s), want transient network", err, fault.CodeOf(err), fault.ClassOf(err))
		}
	})

	t.Run("a timeout after the request went out is possibly sent", func(t *testing.T) {
		f := newFakePostmark(t)
		f.SetScript(func(r *http.Request, _ int) (int, int, string, bool) {
			<-r.Context().Done() // Postmark took the request and never answered
			return 0, 0, "", false
		})
		c := newClient(t, f, Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := c.Send(ctx, rendered())
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.PossiblySent {
			t.Errorf("err = %v (code %s, class %s), want network, possibly sent", err, fault.CodeOf(err), fault.ClassOf(err))
		}
		if !ErrPossiblySent.Is(err) {
			t.Errorf("err = %v, want postmark_possibly_sent", err)
		}
	})

	t.Run("a connection cut before the answer is possibly sent", func(t *testing.T) {
		cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // read the request, then cut: its error changes nothing
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}))
		defer cut.Close()
		c, _ := New(testToken, Options{BaseURL: cut.URL})
		_, err := c.Send(context.Background(), rendered())
		if fault.ClassOf(err) != fault.PossiblySent {
			t.Errorf("err = %v (class %s), want possibly sent", err, fault.ClassOf(err))
		}
	})

	t.Run("a check that times out is transient", func(t *testing.T) {
		f := newFakePostmark(t)
		f.SetScript(func(r *http.Request, _ int) (int, int, string, bool) {
			<-r.Context().Done()
			return 0, 0, "", false
		})
		c := newClient(t, f, Options{HTTPClient: &http.Client{Timeout: 200 * time.Millisecond}})
		err := c.CheckSender(context.Background(), "ada@example.com")
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.Temporary {
			t.Errorf("err = %v (code %s, class %s), want transient network", err, fault.CodeOf(err), fault.ClassOf(err))
		}
		if !ErrTimeout.Is(err) {
			t.Errorf("err = %v, want postmark_timeout", err)
		}
	})

	t.Run("a 200 answer that is not Postmark's is possibly sent", func(t *testing.T) {
		portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<html>Sign in to the hotel wifi</html>")
		}))
		defer portal.Close()
		c, _ := New(testToken, Options{BaseURL: portal.URL})
		_, err := c.Send(context.Background(), rendered())
		if fault.ClassOf(err) != fault.PossiblySent {
			t.Errorf("err = %v (class %s), want possibly sent", err, fault.ClassOf(err))
		}
	})
}

func TestCheckSender(t *testing.T) {
	t.Run("a confirmed signature passes after reading the server and sending to the black hole", func(t *testing.T) {
		f := newFakePostmark(t)
		f.AddSignature("ada@example.com", true)
		c := newClient(t, f, Options{})
		if err := c.CheckSender(context.Background(), "Ada Lovelace <ada@example.com>"); err != nil {
			t.Fatalf("CheckSender: %v", err)
		}
		reqs := f.requestLog()
		if len(reqs) != 2 {
			t.Fatalf("%d requests, want GET /server then POST /email", len(reqs))
		}
		if reqs[0].Method != http.MethodGet || reqs[0].Path != "/server" || reqs[0].Header.Get("X-Postmark-Server-Token") != testToken {
			t.Errorf("first request %s %s token %q, want GET /server with the token", reqs[0].Method, reqs[0].Path, reqs[0].Header.Get("X-Postmark-Server-Token"))
		}
		e := reqs[1].Email
		if reqs[1].Path != "/email" || e.From != "ada@example.com" || e.To != CheckRecipient || e.Cc != "" || e.Bcc != "" {
			t.Errorf("check message %s From %q To %q Cc %q Bcc %q: want from the address to the black hole only", reqs[1].Path, e.From, e.To, e.Cc, e.Bcc)
		}
		if e.Tag != checkTag || e.TrackOpens == nil || *e.TrackOpens || e.TrackLinks != "None" {
			t.Errorf("check message Tag %q TrackOpens %v TrackLinks %q: want tagged and untracked", e.Tag, e.TrackOpens, e.TrackLinks)
		}
	})

	t.Run("a verified domain covers the address", func(t *testing.T) {
		f := newFakePostmark(t)
		f.AddSignature("example.com", true)
		if err := newClient(t, f, Options{}).CheckSender(context.Background(), "billing@example.com"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("an unconfirmed sender says how to confirm it", func(t *testing.T) {
		f := newFakePostmark(t)
		f.AddSignature("ada@example.com", false)
		err := newClient(t, f, Options{}).CheckSender(context.Background(), "ada@example.com")
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.ProviderRejected || fe.Field != "from" {
			t.Fatalf("err = %v, want provider_rejected on the from field", err)
		}
		if fe.Reason != "postmark_sender_unconfirmed" || fe.Params["from"] != "ada@example.com" || !strings.Contains(fe.Detail, "has not been confirmed") {
			t.Errorf("%+v: want postmark_sender_unconfirmed for the address, with Postmark's words", fe)
		}
		if fault.ClassOf(err) != fault.Permanent {
			t.Errorf("class %s, want permanent", fault.ClassOf(err))
		}
	})

	t.Run("an unknown sender says to add it or verify the domain", func(t *testing.T) {
		f := newFakePostmark(t)
		err := newClient(t, f, Options{}).CheckSender(context.Background(), "ada@example.com")
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Reason != "postmark_sender" || fe.Params["domain"] != "example.com" {
			t.Errorf("err = %v, want postmark_sender with the domain to verify", err)
		}
	})

	t.Run("a bad token stops before anything is sent", func(t *testing.T) {
		f := newFakePostmark(t)
		f.AddSignature("ada@example.com", true)
		c, _ := New("not-the-token", Options{BaseURL: f.URL})
		err := c.CheckSender(context.Background(), "ada@example.com")
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.AuthFailed || fe.Field != "token" {
			t.Fatalf("err = %v, want auth_failed on the token field", err)
		}
		if fe.Reason != "postmark_token" {
			t.Errorf("reason %q, want postmark_token", fe.Reason)
		}
		if reqs := f.requestLog(); len(reqs) != 1 || reqs[0].Path != "/server" {
			t.Errorf("requests %+v, want only GET /server", reqs)
		}
	})

	t.Run("a malformed address is refused without a request", func(t *testing.T) {
		f := newFakePostmark(t)
		err := newClient(t, f, Options{}).CheckSender(context.Background(), "ada at example")
		if fault.CodeOf(err) != fault.InvalidInput || len(f.requestLog()) != 0 {
			t.Errorf("err = %v, %d requests; want invalid_input and none", err, len(f.requestLog()))
		}
	})
}

func TestNew(t *testing.T) {
	if _, err := New("  ", Options{}); fault.CodeOf(err) != fault.InvalidInput {
		t.Errorf("an empty token: err = %v, want invalid_input", err)
	}
	c, err := New("tok", Options{})
	if err != nil || c.BaseURL() != DefaultBaseURL || c.stream != DefaultMessageStream {
		t.Errorf("defaults: %v base %q stream %q", err, c.BaseURL(), c.stream)
	}
	if c.http.Timeout != requestTimeout {
		t.Errorf("default client timeout %v, want %v", c.http.Timeout, requestTimeout)
	}
	c, _ = New("tok", Options{BaseURL: "http://127.0.0.1:1/"})
	if c.BaseURL() != "http://127.0.0.1:1" {
		t.Errorf("BaseURL %q: the trailing slash should go", c.BaseURL())
	}
}

// detailOf is the provider's answer carried by err, or "".
func detailOf(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Detail
	}
	return ""
}
