package setup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
	"mailroom/backend/probe"
)

// TestRequest is one connection test. For a saved account (AccountID > 0) empty
// credentials mean the stored ones, and the result becomes the account's status when the
// settings tested are the saved ones.
type TestRequest struct {
	RunID     string // names the test for Cancel and for its steps
	AccountID int64
	Account   accounts.NewAccount
	Credentials
}

// reasonSMTPAuthDisabled is the status code of an account whose last test met Microsoft
// 365's 535 5.7.139 (the probe's hint code, the outbox's reason).
const reasonSMTPAuthDisabled = "smtp_auth_disabled"

// Test runs the step-by-step connection test, reporting each step to onStep (running, then
// its outcome) as it goes. An account that sends through Postmark or Mailgun has the
// sender's checks in place of the SMTP login (and only those when it has no IMAP server).
// A certificate a failed step presents can then be trusted with TrustCertificate; a passing
// test lets Create mark the account connected.
func (w *Wizard) Test(ctx context.Context, r TestRequest, onStep func(probe.Step)) (probe.Report, error) {
	if r.RunID == "" {
		return probe.Report{}, ErrRunIDMissing.Field("runId", nil)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w.track(r.RunID, cancel)
	defer w.untrack(r.RunID)

	acc := r.Account
	password, senderSecret := r.Password, r.SenderSecret
	api := acc.Sender.Kind.API()
	if api {
		// The sender's checks need its settings as they will be saved (the domain
		// lower-cased, the region defaulted) and a From that can be checked.
		norm, err := acc.Normalised()
		if err != nil {
			return probe.Report{}, err
		}
		acc = norm
	}
	recordOn := int64(0) // the saved account whose status this test reflects
	if r.AccountID > 0 {
		saved, err := w.d.Accounts.Get(ctx, r.AccountID)
		if err != nil {
			return probe.Report{}, err
		}
		if password == "" && senderSecret == "" && saved.IMAP == normalised(acc.IMAP) &&
			(api || saved.SMTP == normalised(acc.SMTP)) && sameSender(saved.Sender, acc.Sender) {
			recordOn = saved.ID
		}
	}
	var login accounts.Login
	switch {
	case acc.Auth == accounts.OAuth && r.SignInID != "":
		// A sign-in of the wizard, not saved yet: its address must be this one.
		g, err := w.pendingGrant(r.SignInID)
		if err != nil {
			return probe.Report{}, err
		}
		if !strings.EqualFold(g.Email, strings.TrimSpace(acc.Email)) || g.Provider != acc.OAuthProvider {
			return probe.Report{}, ErrSignInOtherAddress.Field("email",
				fault.P{"signedIn": g.Email, "address": strings.TrimSpace(acc.Email)})
		}
		login = accounts.Login{Tokens: g.Source()}
		password = r.SignInID // the test's fingerprint names this sign-in
		recordOn = 0
	case acc.Auth == accounts.OAuth:
		if r.AccountID == 0 {
			return probe.Report{}, ErrSignInFirst.Field("auth", nil)
		}
		l, err := w.d.Accounts.Login(ctx, r.AccountID)
		if err != nil {
			return probe.Report{}, err
		}
		login = l
	default:
		needsPassword := acc.IMAP.Host != "" || !api
		if needsPassword && r.AccountID > 0 && password == "" {
			pw, err := w.d.Accounts.Password(ctx, r.AccountID)
			if err != nil {
				return probe.Report{}, err
			}
			password = pw
		}
		if needsPassword && password == "" {
			return probe.Report{}, ErrPasswordMissing.Field("password", nil)
		}
		login = accounts.PasswordLogin(password)
	}
	target := probe.Target{IMAP: acc.IMAP, SMTP: acc.SMTP, Login: login, Provider: acc.Provider, From: strings.TrimSpace(acc.Email)}
	if api {
		secret := strings.TrimSpace(senderSecret)
		if secret == "" && r.AccountID > 0 {
			saved, err := w.d.Accounts.Get(ctx, r.AccountID)
			if err != nil {
				return probe.Report{}, err
			}
			// A stored token is only sent to the provider it was given for.
			if saved.Sender.Kind == acc.Sender.Kind {
				if secret, err = w.d.Accounts.SenderSecret(ctx, r.AccountID); err != nil {
					return probe.Report{}, err
				}
			}
		}
		if secret == "" {
			return probe.Report{}, senderSecretMissing(acc.Sender.Kind)
		}
		checks, err := w.d.Senders.Checks(acc.Sender, acc.Email, secret)
		if err != nil {
			return probe.Report{}, err
		}
		target.API = checks
		senderSecret = secret
	}
	rep := probe.New(w.d.Dialer).Run(ctx, target, func(st probe.Step) {
		if st.Cert != nil && st.Status == probe.Failed && st.Code == fault.TLSUntrusted {
			w.rememberCert(st.Host, st.Port, *st.Cert)
		}
		if onStep != nil {
			onStep(st)
		}
	})
	var failed fault.Code
	for _, st := range rep.Steps {
		if st.Status == probe.Failed {
			failed = st.Code
			// Microsoft's 5.7.139 is kept as the account's status so its page can say
			// what it means and offer an API sender, not just "the server refused".
			if st.HintCode == reasonSMTPAuthDisabled {
				failed = reasonSMTPAuthDisabled
			}
		}
	}
	if recordOn > 0 && ctx.Err() == nil {
		if err := w.d.Accounts.RecordCheck(ctx, recordOn, failed); err != nil {
			return rep, err
		}
	}
	if rep.OK {
		w.rememberPass(acc, password, senderSecret)
	}
	return rep, nil
}

func sameSender(a, b accounts.Sender) bool {
	if a.Kind == "" {
		a.Kind = accounts.SMTPSender
	}
	if b.Kind == "" {
		b.Kind = accounts.SMTPSender
	}
	return a == b
}

func senderSecretMissing(k accounts.SenderKind) error {
	if k == accounts.Mailgun {
		return ErrMailgunKeyMissing.Field("senderSecret", nil)
	}
	return ErrPostmarkTokenMissing.Field("senderSecret", nil)
}

// testFingerprint identifies settings and secrets without keeping the secrets: a SHA-256
// over them, held in memory only.
func testFingerprint(a accounts.NewAccount, password, senderSecret string) string {
	h := sha256.New()
	smtp := normalised(a.SMTP)
	if a.Sender.Kind.API() {
		smtp = accounts.Server{} // not tested: the API sender's checks replace it
	}
	sender := a.Sender
	if norm, err := a.Normalised(); err == nil {
		sender = norm.Sender
	}
	fmt.Fprintf(h, "%v|%v|%v|%d:", normalised(a.IMAP), smtp, sender, len(password))
	h.Write([]byte(password))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSpace(senderSecret)))
	return hex.EncodeToString(h.Sum(nil))
}

// normalised lower-cases the host as the registry stores it, so a test and a save compare.
func normalised(s accounts.Server) accounts.Server {
	s.Host = strings.ToLower(strings.TrimSpace(s.Host))
	s.Username = strings.TrimSpace(s.Username)
	return s
}

func (w *Wizard) rememberPass(a accounts.NewAccount, password, senderSecret string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.passed) >= maxRemembered {
		w.passed = map[string]time.Time{}
	}
	w.passed[testFingerprint(a, password, senderSecret)] = time.Now()
}

// passedRecently reports whether a test of exactly these settings and secrets passed within
// the pass validity.
func (w *Wizard) passedRecently(a accounts.NewAccount, password, senderSecret string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	at, ok := w.passed[testFingerprint(a, password, senderSecret)]
	return ok && time.Since(at) < w.opts.PassValidity
}

func certKey(host string, port int, sum string) string {
	return fmt.Sprintf("%s:%d:%s", strings.ToLower(host), port, strings.ToLower(sum))
}

func (w *Wizard) rememberCert(host string, port int, cert connect.CertInfo) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.certs) >= maxRemembered {
		w.certs = map[string]connect.CertInfo{}
	}
	w.certs[certKey(host, port, cert.SHA256)] = cert
}

// TrustCertificate trusts a certificate for exactly one host and port, on userID's
// decision. Only a certificate that a connection test just presented can be trusted.
func (w *Wizard) TrustCertificate(ctx context.Context, host string, port int, sha256 string, userID int64) error {
	w.mu.Lock()
	cert, ok := w.certs[certKey(host, port, sha256)]
	w.mu.Unlock()
	if !ok {
		return ErrCertificateNotShown.New(fault.P{"host": host})
	}
	return w.d.Pins.Trust(ctx, host, port, cert, userID)
}
