package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/accounts"
	"mailroom/backend/internal/testkit/testenv"
)

// TestATestEmailThroughTheRealSMTPServerArrives connects an account to the project's
// Dovecot and Postfix through the API, as the wizard does, sends the test email to a
// colleague and finds it in the colleague's real INBOX.
func TestATestEmailThroughTheRealSMTPServerArrives(t *testing.T) {
	env := testenv.Mail(t)
	sender, rcpt := env.NewUser(t), env.NewUser(t)
	h := newHarness(t)
	h.as(t, admin)
	h.b.Dialer.RootCAs = env.RootCAs
	h.b.Dialer.Timeout = 10 * time.Second
	imapHost, imapPort := testenv.HostPort(env.IMAPSAddr)
	smtpHost, smtpPort := testenv.HostPort(env.SMTPAddr)
	in := AccountInput{Name: "Boutique", Email: sender.Address, FromName: "La Boutique",
		IMAP: ServerDTO{Host: imapHost, Port: imapPort, Security: "tls", Username: sender.Address},
		SMTP: ServerDTO{Host: smtpHost, Port: smtpPort, Security: "starttls", Username: sender.Address}}

	rep, err := h.svcs.Accounts.Test(TestInput{RunID: "real", Account: in}, sender.Password, "")
	if err != nil || !rep.OK {
		t.Fatalf("connection test against the real servers: %+v, %v", rep, err)
	}
	acc, err := h.svcs.Accounts.Create(in, sender.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	subject := "Test Mailroom " + testenv.UniqueID()
	res, err := h.svcs.Accounts.SendTestEmail(acc.ID, TestEmailInput{To: rcpt.Address, Subject: subject, Body: "Bonjour, ceci est un e-mail de test."})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Answer, "queued") {
		t.Fatalf("Postfix's answer = %q", res.Answer)
	}

	// The recipient logs in to the real Dovecot and finds it.
	c, err := h.b.Dialer.IMAP(context.Background(), accounts.Server{Host: imapHost, Port: imapPort, Security: accounts.TLS, Username: rcpt.Address}, accounts.PasswordLogin(rcpt.Password), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if len(data.AllUIDs()) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test email did not arrive in %s's INBOX within 15 s", rcpt.Address)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// A wrong recipient domain is accepted by Postfix and discarded; a refused recipient
	// (an unknown user of the test domain) comes back in the server's own words.
	_, err = h.svcs.Accounts.SendTestEmail(acc.ID, TestEmailInput{To: "nobody-here@" + env.Domain, Subject: "x", Body: "x"})
	if err == nil || !strings.Contains(err.Error(), "nobody-here@") {
		t.Fatalf("unknown recipient: %v; want the server's refusal naming the address", err)
	}
}
