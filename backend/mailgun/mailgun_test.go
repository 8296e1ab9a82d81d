package mailgun

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"mailroom/backend/fault"
)

const domain = "mg.example.com"

var pdfBytes = []byte("%PDF-1.4\n\x00\x01\xfe\xff binary \r\n%%EOF\n")

func rendered(withBcc bool) []byte {
	lines := []string{
		`From: "Ada Lovelace" <ada@example.com>`,
		`To: Charles Babbage <charles@example.org>`,
		`Cc: mary@example.net`,
	}
	if withBcc {
		lines = append(lines, `Bcc: hidden@example.com,`, ` other-hidden@example.com`) // folded on purpose
	}
	lines = append(lines,
		`Subject: =?utf-8?q?R=C3=A9sum=C3=A9?=`,
		`Date: Mon, 02 Jan 2006 15:04:05 +0000`,
		`Message-ID: <20060102150405.abc123@example.com>`,
		`MIME-Version: 1.0`,
		`Content-Type: multipart/mixed; boundary="mixed"`,
		``,
		`--mixed`,
		`Content-Type: text/plain; charset=utf-8`,
		``,
		`Bonjour Charles.`,
		`--mixed`,
		`Content-Type: application/pdf`,
		`Content-Transfer-Encoding: base64`,
		`Content-Disposition: attachment; filename="engine.pdf"`,
		``,
		base64.StdEncoding.EncodeToString(pdfBytes),
		`--mixed--`,
		``,
	)
	return []byte(strings.Join(lines, "\r\n"))
}

var recipients = []string{"charles@example.org", "mary@example.net", "hidden@example.com", "other-hidden@example.com"}

func newClient(t *testing.T, f *fakeMailgun, opts Options) *Client {
	t.Helper()
	opts.BaseURL = f.URL
	c, err := New(f.key, domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSendPostsTheMIMEMessage(t *testing.T) {
	f := newFakeMailgun(t)
	f.addDomain("", domain, fakeDomain{State: "active"})
	c := newClient(t, f, Options{})

	res, err := c.Send(context.Background(), recipients, rendered(true))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := f.requestLog()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v3/"+domain+"/messages.mime" {
		t.Errorf("request %s %s, want POST /v3/%s/messages.mime", r.Method, r.Path, domain)
	}
	if r.User != "api" || r.Password != testKey {
		t.Errorf("basic auth %q:%q, want api:<key>", r.User, r.Password)
	}
	if !strings.HasPrefix(r.ContentType, "multipart/form-data; boundary=") {
		t.Errorf("Content-Type %q, want multipart/form-data", r.ContentType)
	}
	if strings.Join(r.To, ",") != strings.Join(recipients, ",") {
		t.Errorf("to fields %q, want every envelope recipient %q", r.To, recipients)
	}

	// Mailgun gets the message as rendered, minus its Bcc header.
	want := bytes.Replace(rendered(true), []byte("Bcc: hidden@example.com,\r\n other-hidden@example.com\r\n"), nil, 1)
	if !bytes.Equal(r.Message, want) {
		t.Errorf("message sent:\n%s\nwant:\n%s", r.Message, want)
	}
	mr, err := mail.CreateReader(bytes.NewReader(r.Message))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := mr.Header.Subject(); subj != "Résumé" {
		t.Errorf("Subject %q", subj)
	}
	if id, _ := mr.Header.MessageID(); id != "20060102150405.abc123@example.com" {
		t.Errorf("Message-ID %q, want ours", id)
	}
	var gotPDF []byte
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
			if name, _ := ah.Filename(); name == "engine.pdf" {
				gotPDF, _ = io.ReadAll(p.Body)
			}
		}
	}
	if !bytes.Equal(gotPDF, pdfBytes) {
		t.Errorf("attachment %q, want %q", gotPDF, pdfBytes)
	}

	if res.ProviderID != "20111114174239.25659.1@"+domain {
		t.Errorf("ProviderID %q, want Mailgun's id without brackets", res.ProviderID)
	}
	if res.MessageID != "20060102150405.abc123@example.com" {
		t.Errorf("MessageID %q", res.MessageID)
	}
	if time.Since(res.SubmittedAt) > time.Minute {
		t.Errorf("SubmittedAt %v", res.SubmittedAt)
	}
}

func TestSendWithoutBccSendsTheMessageByteForByte(t *testing.T) {
	f := newFakeMailgun(t)
	f.addDomain("", domain, fakeDomain{State: "active"})
	c := newClient(t, f, Options{})
	if _, err := c.Send(context.Background(), recipients[:2], rendered(false)); err != nil {
		t.Fatal(err)
	}
	if got := f.requestLog()[0].Message; !bytes.Equal(got, rendered(false)) {
		t.Errorf("message changed on the way:\n%s", got)
	}
}

func TestSendWithoutRecipientsCallsNobody(t *testing.T) {
	f := newFakeMailgun(t)
	c := newClient(t, f, Options{})
	_, err := c.Send(context.Background(), nil, rendered(false))
	if fault.CodeOf(err) != fault.InvalidInput || fault.ClassOf(err) != fault.Permanent {
		t.Errorf("err = %v, want a permanent invalid_input", err)
	}
	if n := len(f.requestLog()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestSendMapsMailgunErrors covers the HTTP codes Mailgun documents for its API: the fault
// code, whether the outbox may retry, how to fix it, and Mailgun's own words.
func TestSendMapsMailgunErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		words    string
		wantCode fault.Code
		class    fault.Class
		reason   string
	}{
		{"invalid message", 400, `{"message": "to parameter is not a valid address. please check documentation"}`, "to parameter is not a valid address. please check documentation", fault.InvalidInput, fault.Permanent, "mailgun_invalid_request"},
		{"bad API key", 401, "Forbidden", "Forbidden", fault.AuthFailed, fault.Permanent, "mailgun_key"},
		{"sandbox recipient not authorized", 403, `{"message": "Domain mg.example.com is not allowed to send: Free accounts are for test purposes only. Please upgrade or add the address to authorized recipients in Account Settings."}`, "Domain mg.example.com is not allowed to send: Free accounts are for test purposes only.", fault.ProviderRejected, fault.Permanent, "mailgun_forbidden"},
		{"domain not found", 404, `{"message": "Domain not found: mg.example.com"}`, "Domain not found: mg.example.com", fault.ProviderRejected, fault.Permanent, "mailgun_domain"},
		{"too large", 413, `{"message": "Message size exceeds the limit"}`, "Message size exceeds the limit", fault.ProviderRejected, fault.Permanent, "mailgun_too_large"},
		{"rate limited", 429, `{"message": "Too many requests"}`, "Too many requests", fault.ProviderRejected, fault.Temporary, "mailgun_rate_limited"},
		{"internal error", 500, `{"message": "Internal Server Error"}`, "Internal Server Error", fault.Network, fault.Temporary, "mailgun_unavailable"},
		{"bad gateway page", 502, `<html><body>502 Bad Gateway</body></html>`, "", fault.Network, fault.Temporary, "mailgun_unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeMailgun(t)
			f.script = func(*http.Request) (int, string, bool) { return tc.status, tc.body, true }
			c := newClient(t, f, Options{})
			_, err := c.Send(context.Background(), recipients, rendered(true))
			if got := fault.CodeOf(err); got != tc.wantCode {
				t.Errorf("code %s, want %s (err %v)", got, tc.wantCode, err)
			}
			if got := fault.ClassOf(err); got != tc.class {
				t.Errorf("class %s, want %s", got, tc.class)
			}
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err %v is not a fault error", err)
			}
			if fe.Reason != tc.reason {
				t.Errorf("reason %q, want %q", fe.Reason, tc.reason)
			}
			if strings.Contains(fe.Detail, "<html>") {
				t.Errorf("detail %q quotes an HTML page", fe.Detail)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error text holds the key: %v", err)
			}
			wantReply := "HTTP " + strconv.Itoa(tc.status)
			if tc.words != "" {
				wantReply += ": " + tc.words
			}
			if got := detailOf(err); !strings.HasPrefix(got, wantReply) {
				t.Errorf("reply %q, want it to start with %q", got, wantReply)
			}
		})
	}
}

func TestTheKeyNeverAppearsInAnError(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 429, 500} {
		f := newFakeMailgun(t)
		f.script = func(*http.Request) (int, string, bool) {
			return status, `{"message": "key ` + testKey + ` refused"}`, true
		}
		c := newClient(t, f, Options{})
		_, sendErr := c.Send(context.Background(), recipients, rendered(true))
		checkErr := c.CheckDomain(context.Background())
		for _, err := range []error{sendErr, checkErr} {
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("HTTP %d: err %v", status, err)
			}
			for _, text := range []string{err.Error(), fe.Message, fe.Err.Error(), detailOf(err)} {
				if strings.Contains(text, testKey) {
					t.Errorf("HTTP %d: key in error text %q", status, text)
				}
			}
		}
	}
	// And on the network path, where the cause is mailgun-go's own error text.
	f := newFakeMailgun(t)
	base := f.URL
	f.Close()
	c, _ := New(testKey, domain, Options{BaseURL: base})
	_, err := c.Send(context.Background(), recipients, rendered(true))
	if err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("network error %v: want an error without the key", err)
	}
}

func TestRegions(t *testing.T) {
	t.Run("EU uses the EU endpoint", func(t *testing.T) {
		c, err := New(testKey, domain, Options{Region: EU})
		if err != nil {
			t.Fatal(err)
		}
		if c.BaseURL() != "https://api.eu.mailgun.net" || c.mg.APIBase() != "https://api.eu.mailgun.net/v3" {
			t.Errorf("BaseURL %q, mailgun-go base %q", c.BaseURL(), c.mg.APIBase())
		}
	})
	t.Run("US is the default", func(t *testing.T) {
		c, _ := New(testKey, domain, Options{})
		if c.Region() != US || c.BaseURL() != "https://api.mailgun.net" || c.mg.APIBase() != "https://api.mailgun.net/v3" {
			t.Errorf("region %q BaseURL %q, mailgun-go base %q", c.Region(), c.BaseURL(), c.mg.APIBase())
		}
	})
	t.Run("an overridden base keeps mailgun-go's path shape", func(t *testing.T) {
		f := newFakeMailgun(t)
		f.addDomain("", domain, fakeDomain{State: "active"})
		c := newClient(t, f, Options{Region: EU})
		if err := c.CheckDomain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Send(context.Background(), recipients, rendered(false)); err != nil {
			t.Fatal(err)
		}
		reqs := f.requestLog()
		if reqs[0].Path != "/v3/domains/"+domain || reqs[1].Path != "/v3/"+domain+"/messages.mime" {
			t.Errorf("paths %q and %q", reqs[0].Path, reqs[1].Path)
		}
	})

	for _, tc := range []struct {
		region   Region
		wantHost string
	}{{EU, "api.eu.mailgun.net"}, {US, "api.mailgun.net"}} {
		t.Run(string(tc.region)+" requests go to "+tc.wantHost, func(t *testing.T) {
			f := newFakeMailgun(t)
			f.addDomain(tc.wantHost, domain, fakeDomain{State: "active"})
			target, _ := url.Parse(f.URL)
			net := &regionNet{target: target}
			c, err := New(testKey, domain, Options{Region: tc.region, HTTPClient: &http.Client{Transport: net}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckDomain(context.Background()); err != nil {
				t.Fatalf("CheckDomain: %v", err)
			}
			if _, err := c.Send(context.Background(), recipients, rendered(false)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			want := []string{
				"https://" + tc.wantHost + "/v3/domains/" + domain,
				"https://" + tc.wantHost + "/v3/" + domain + "/messages.mime",
			}
			if got := net.called(); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("called %q, want %q", got, want)
			}
		})
	}

	t.Run("a domain of the other region is not found, and the error says to switch", func(t *testing.T) {
		f := newFakeMailgun(t)
		f.addDomain("api.eu.mailgun.net", domain, fakeDomain{State: "active"})
		target, _ := url.Parse(f.URL)
		c, _ := New(testKey, domain, Options{Region: US, HTTPClient: &http.Client{Transport: &regionNet{target: target}}})
		err := c.CheckDomain(context.Background())
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Field != "region" || fe.Reason != "mailgun_domain" || fe.Params["region"] != "US" || fe.Params["other"] != "EU" || fe.Params["domain"] != "mg.example.com" {
			t.Errorf("err = %v, want the region hint", err)
		}
		if fault.ClassOf(err) != fault.Permanent {
			t.Errorf("class %s, want permanent", fault.ClassOf(err))
		}
	})

	t.Run("an unknown region is refused", func(t *testing.T) {
		if _, err := New(testKey, domain, Options{Region: "ap"}); fault.CodeOf(err) != fault.InvalidInput {
			t.Errorf("err = %v, want invalid_input", err)
		}
	})
}

func TestCheckDomain(t *testing.T) {
	spf := map[string]any{"record_type": "TXT", "name": domain, "value": "v=spf1 include:mailgun.org ~all", "valid": "unknown", "cached": []string{}}
	dkim := map[string]any{"record_type": "TXT", "name": "pic._domainkey." + domain, "value": "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GN", "valid": "invalid", "cached": []string{}}
	tracking := map[string]any{"record_type": "CNAME", "name": "email." + domain, "value": "mailgun.org", "valid": "valid", "cached": []string{"mailgun.org"}}

	t.Run("an active domain passes", func(t *testing.T) {
		f := newFakeMailgun(t)
		f.addDomain("", domain, fakeDomain{State: "active"})
		c := newClient(t, f, Options{})
		if err := c.CheckDomain(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := f.requestLog()[0]
		if r.Method != http.MethodGet || r.Path != "/v3/domains/"+domain || r.User != "api" || r.Password != testKey {
			t.Errorf("request %s %s auth %s:%s", r.Method, r.Path, r.User, r.Password)
		}
	})

	t.Run("an unverified domain lists the DNS records still missing", func(t *testing.T) {
		f := newFakeMailgun(t)
		f.addDomain("", domain, fakeDomain{State: "unverified", Sending: []map[string]any{spf, dkim, tracking}})
		err := newClient(t, f, Options{}).CheckDomain(context.Background())
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.ProviderRejected || fault.ClassOf(err) != fault.Permanent {
			t.Fatalf("err = %v, want a permanent provider_rejected", err)
		}
		if fe.Reason != "mailgun_domain_unverified" || fe.Params["domain"] != "mg.example.com" || fe.Params["count"] != 2 {
			t.Errorf("%+v: want mailgun_domain_unverified with 2 records", fe)
		}
		for _, want := range []string{
			"TXT (SPF) mg.example.com v=spf1 include:mailgun.org ~all",
			"TXT (DKIM) pic._domainkey.mg.example.com k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GN",
		} {
			if !strings.Contains(fe.Detail, want) {
				t.Errorf("detail %q lacks %q", fe.Detail, want)
			}
		}
		if strings.Contains(fe.Detail, "email.mg.example.com") {
			t.Errorf("detail %q lists the tracking record, which is already valid", fe.Detail)
		}
	})

	t.Run("a disabled domain says so", func(t *testing.T) {
		f := newFakeMailgun(t)
		f.addDomain("", domain, fakeDomain{State: "disabled"})
		err := newClient(t, f, Options{}).CheckDomain(context.Background())
		if !ErrDisabled.Is(err) || fault.ClassOf(err) != fault.Permanent {
			t.Errorf("err = %v (class %s)", err, fault.ClassOf(err))
		}
	})

	t.Run("a refused key mentions sending keys", func(t *testing.T) {
		f := newFakeMailgun(t)
		f.addDomain("", domain, fakeDomain{State: "active"})
		c, _ := New("key-wrong", domain, Options{BaseURL: f.URL})
		err := c.CheckDomain(context.Background())
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.AuthFailed || fe.Field != "api_key" || fe.Reason != "mailgun_key" || fe.Params["action"] != "check" {
			t.Errorf("err = %v, want auth_failed on api_key with the sending-key hint", err)
		}
	})
}

func TestCheckFrom(t *testing.T) {
	c, _ := New(testKey, domain, Options{})
	for _, tc := range []struct {
		from string
		ok   bool
	}{
		{"ada@mg.example.com", true},
		{"Ada Lovelace <Ada@MG.Example.com>", true},
		{"ada@example.com", true},      // the registered domain mg.example.com sends for
		{"ada@news.example.com", true}, // same registered domain: relaxed DMARC alignment
		{"ada@eu.mg.example.com", true},
		{"ada@example.org", false},
		{"ada@notexample.com", false},
		{"ada@mg.example.com.evil.test", false},
		{"ada@co.uk", false},
		{"not an address", false},
	} {
		err := c.CheckFrom(tc.from)
		if (err == nil) != tc.ok {
			t.Errorf("CheckFrom(%q) = %v, want ok=%v", tc.from, err, tc.ok)
		}
		if err != nil && (fault.CodeOf(err) != fault.InvalidInput || fault.ClassOf(err) != fault.Permanent) {
			t.Errorf("CheckFrom(%q) = %v: want a permanent invalid_input", tc.from, err)
		}
	}
	err := c.CheckFrom("ada@example.org")
	if fe, _ := fault.As(err); fe == nil || fe.Reason != "mailgun_from_off_domain" || fe.Params["fromDomain"] != "example.org" || fe.Params["org"] != "example.com" {
		t.Errorf("err = %v: should say how to fix it", err)
	}

	uk, _ := New(testKey, "mg.shop.co.uk", Options{})
	if err := uk.CheckFrom("ada@shop.co.uk"); err != nil {
		t.Errorf("shop.co.uk for mg.shop.co.uk: %v", err)
	}
	if err := uk.CheckFrom("ada@other.co.uk"); err == nil {
		t.Error("other.co.uk passed for mg.shop.co.uk: a public suffix is not a shared domain")
	}
}

func TestNetworkFailures(t *testing.T) {
	t.Run("a closed server is transient", func(t *testing.T) {
		f := newFakeMailgun(t)
		base := f.URL
		f.Close()
		c, _ := New(testKey, domain, Options{BaseURL: base})
		_, err := c.Send(context.Background(), recipients, rendered(true))
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.Temporary {
			t.Errorf("Send: err = %v (code %s, class %s), want transient network", err, fault.CodeOf(err), fault.ClassOf(err))
		}
		err = c.CheckDomain(context.Background())
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.Temporary {
			t.Errorf("CheckDomain: err = %v, want transient network", err)
		}
	})

	hang := func(f *fakeMailgun) {
		f.script = func(r *http.Request) (int, string, bool) {
			<-r.Context().Done() // Mailgun took the request and never answered
			return 0, "", false
		}
	}

	t.Run("a send that times out after going out is possibly sent", func(t *testing.T) {
		f := newFakeMailgun(t)
		hang(f)
		c := newClient(t, f, Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := c.Send(ctx, recipients, rendered(true))
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.PossiblySent {
			t.Errorf("err = %v (code %s, class %s), want network, possibly sent", err, fault.CodeOf(err), fault.ClassOf(err))
		}
	})

	t.Run("a domain check that times out is transient", func(t *testing.T) {
		f := newFakeMailgun(t)
		hang(f)
		c := newClient(t, f, Options{HTTPClient: &http.Client{Timeout: 200 * time.Millisecond}})
		err := c.CheckDomain(context.Background())
		if fault.CodeOf(err) != fault.Network || fault.ClassOf(err) != fault.Temporary || !ErrTimeout.Is(err) {
			t.Errorf("err = %v (class %s), want transient 'did not answer in time'", err, fault.ClassOf(err))
		}
	})

	t.Run("a connection cut before the answer is possibly sent", func(t *testing.T) {
		cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // read the request, then cut: its error changes nothing
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}))
		defer cut.Close()
		c, _ := New(testKey, domain, Options{BaseURL: cut.URL})
		_, err := c.Send(context.Background(), recipients, rendered(true))
		if fault.ClassOf(err) != fault.PossiblySent {
			t.Errorf("err = %v (class %s), want possibly sent", err, fault.ClassOf(err))
		}
	})

	t.Run("a redirect is not followed", func(t *testing.T) {
		elsewhere := make(chan string, 1)
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			elsewhere <- r.URL.Path
		}))
		defer other.Close()
		redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}))
		defer redirecting.Close()
		c, _ := New(testKey, domain, Options{BaseURL: redirecting.URL})
		_, err := c.Send(context.Background(), recipients, rendered(true))
		if fault.ClassOf(err) != fault.Permanent {
			t.Errorf("err = %v (class %s), want permanent", err, fault.ClassOf(err))
		}
		select {
		case p := <-elsewhere:
			t.Errorf("the redirect was followed to %s", p)
		default:
		}
	})
}

func TestNew(t *testing.T) {
	for _, tc := range []struct{ key, domain, field string }{
		{"", domain, "api_key"},
		{testKey, "", "domain"},
		{testKey, "ada@example.com", "domain"},
		{testKey, "localhost", "domain"},
		{testKey, "bad_domain.com", "domain"},
	} {
		_, err := New(tc.key, tc.domain, Options{})
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("New(%q, %q) = %v, want invalid %s", tc.key, tc.domain, err, tc.field)
		}
	}
	c, err := New(" "+testKey+" ", " MG.Example.com. ", Options{})
	if err != nil || c.Domain() != domain {
		t.Errorf("New trims and lowercases: %v, domain %q", err, c.Domain())
	}
	if c.mg.Client().Timeout != requestTimeout || c.mg.Client().CheckRedirect == nil {
		t.Errorf("default HTTP client: timeout %v, redirects checked %v", c.mg.Client().Timeout, c.mg.Client().CheckRedirect != nil)
	}
}

// detailOf is the provider's answer carried by err, or "".
func detailOf(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Detail
	}
	return ""
}
