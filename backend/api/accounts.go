package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/oauth"
	"mailroom/backend/outbox"
	"mailroom/backend/probe"
	"mailroom/backend/senders"
)

// networkTimeout bounds a call that talks to mail servers (discovery with verification,
// a connection test, a test email).
const networkTimeout = 3 * time.Minute

// ProbeStepEvent is the Wails event carrying each step of a connection test (StepDTO).
const ProbeStepEvent = "probe:step"

// Accounts connects, tests and manages email accounts (F2, F4, F6, F18).
type Accounts struct {
	b *Backend

	mu     sync.Mutex
	runs   map[string]context.CancelFunc // connection tests under way, by run id
	certs  map[string]connect.CertInfo   // untrusted certificates shown to the user, by host:port:sha256
	passed map[string]time.Time          // fingerprints of settings+password whose test passed
	flows  map[string]*oauth.Flow        // sign-ins waiting for the browser, by run id
	grants map[string]pendingGrant       // completed sign-ins not saved yet, by run id
}

func (s *Accounts) networkContext() (context.Context, context.CancelFunc) {
	return s.b.networkContext()
}

func (s *Accounts) dto(ctx context.Context, a accounts.Account) (AccountDTO, error) {
	users, err := s.b.Accounts.Access(ctx, a.ID)
	if err != nil {
		return AccountDTO{}, err
	}
	d := accountDTO(a, users)
	if a.Auth == accounts.OAuth && !a.NeedsSignIn() {
		// The known end of the sign-in, for the warning before it; an unreadable grant
		// shows when the account is next used.
		if info, err := s.b.Accounts.GrantInfo(ctx, a.ID); err == nil && !info.RefreshExpiresAt.IsZero() {
			d.SignInExpiresAt = info.RefreshExpiresAt.UTC().Format(time.RFC3339)
		}
	}
	return d, nil
}

// List returns the accounts the caller may see: every account for admins, the granted
// ones for collaborators.
func (s *Accounts) List() ([]AccountDTO, error) {
	return run(s.b, "Accounts.List", func(ctx context.Context, c caller) ([]AccountDTO, error) {
		var only int64
		if !c.isAdmin() {
			only = c.user.ID
		}
		list, err := s.b.Accounts.List(ctx, only)
		if err != nil {
			return nil, err
		}
		out := make([]AccountDTO, 0, len(list))
		for _, a := range list {
			d, err := s.dto(ctx, a)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// Get returns one account with who has access to it.
func (s *Accounts) Get(id int64) (AccountDTO, error) {
	return run(s.b, "Accounts.Get", func(ctx context.Context, c caller) (AccountDTO, error) {
		a, err := s.b.Accounts.Get(ctx, id)
		if err != nil {
			return AccountDTO{}, err
		}
		return s.dto(ctx, a)
	})
}

// Providers lists the wizard's provider tiles.
func (s *Accounts) Providers() ([]ProviderDTO, error) {
	return run(s.b, "Accounts.Providers", func(ctx context.Context, c caller) ([]ProviderDTO, error) {
		var out []ProviderDTO
		for _, p := range discovery.Providers() {
			d := ProviderDTO{ID: p.ID, Name: p.Name, Domains: append([]string{}, p.Domains...), SignIn: p.SignIn, Notes: []NoteDTO{}}
			for _, n := range p.Notes {
				d.Notes = append(d.Notes, NoteDTO{Code: n.Code, Text: n.Text})
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// Discover finds the servers of an address. With a password, candidates are verified by
// a real IMAP login and the first that passes is returned; without one, the candidates
// are returned unverified, best first.
func (s *Accounts) Discover(email, password string) (DiscoveryDTO, error) {
	return run(s.b, "Accounts.Discover", func(_ context.Context, c caller) (DiscoveryDTO, error) {
		ctx, cancel := s.networkContext()
		defer cancel()
		out := DiscoveryDTO{Candidates: []CandidateDTO{}, Attempts: []AttemptDTO{}}
		domain := email[strings.LastIndex(email, "@")+1:]
		if p, err := s.b.Accounts.PresetFor(ctx, domain); err == nil && p != nil && p.ExchangeURL != "" {
			out.ExchangeURL = p.ExchangeURL
			return out, nil
		}
		if password == "" {
			cands, err := s.b.Discovery.Discover(ctx, email)
			if err != nil {
				return out, err
			}
			for _, cd := range cands {
				out.Candidates = append(out.Candidates, candidateDTO(cd))
			}
			if len(cands) > 0 {
				best := out.Candidates[0]
				out.Best = &best
			}
			return out, nil
		}
		best, attempts, err := s.b.Discovery.DiscoverVerified(ctx, email, probe.Verifier{Dialer: s.b.Dialer, Password: password})
		for _, at := range attempts {
			a := AttemptDTO{Source: string(at.Candidate.Source), Host: at.Candidate.IMAP.Host, Port: at.Candidate.IMAP.Port}
			if at.Err != nil {
				a.Code = string(fault.CodeOf(at.Err))
				var fe *fault.Error
				if errors.As(at.Err, &fe) {
					a.Message = fe.Message
				}
			}
			out.Attempts = append(out.Attempts, a)
		}
		switch {
		case err == nil:
			bd := candidateDTO(best)
			out.Best, out.Verified = &bd, true
		case errors.Is(err, discovery.ErrAuth):
			bd := candidateDTO(best)
			out.Best, out.AuthFailed = &bd, true
		case fault.Is(err, fault.InvalidInput):
			return out, err
		default:
			// Nothing passed: offer the best unverified candidate to edit by hand.
			if cands, derr := s.b.Discovery.Discover(ctx, email); derr == nil {
				for _, cd := range cands {
					out.Candidates = append(out.Candidates, candidateDTO(cd))
				}
				if len(cands) > 0 {
					b0 := out.Candidates[0]
					out.Best = &b0
				}
			}
		}
		return out, nil
	})
}

// Test runs the step-by-step connection test, streaming each step as a "probe:step"
// event. For a saved account (AccountID > 0) an empty password or sender secret means the
// stored one, and the result is recorded as the account's status. An account that sends
// through Postmark or Mailgun has the sender's checks in place of the SMTP login (and only
// those when it has no IMAP server); senderSecret is that sender's token or key.
func (s *Accounts) Test(in TestInput, password, senderSecret string) (TestReportDTO, error) {
	return run(s.b, "Accounts.Test", func(_ context.Context, c caller) (TestReportDTO, error) {
		ctx, cancel := s.networkContext()
		defer cancel()
		if in.RunID == "" {
			return TestReportDTO{}, fault.Invalid("runId", "A connection test needs a run id.")
		}
		s.track(in.RunID, cancel)
		defer s.untrack(in.RunID)

		acc := in.Account.account()
		api := acc.Sender.Kind.API()
		if api {
			// The sender's checks need its settings as they will be saved (the domain
			// lower-cased, the region defaulted) and a From that can be checked.
			norm, err := acc.Normalised()
			if err != nil {
				return TestReportDTO{}, err
			}
			acc = norm
		}
		recordOn := int64(0) // the saved account whose status this test reflects
		if in.AccountID > 0 {
			saved, err := s.b.Accounts.Get(ctx, in.AccountID)
			if err != nil {
				return TestReportDTO{}, err
			}
			if password == "" && senderSecret == "" && saved.IMAP == normalised(acc.IMAP) &&
				(api || saved.SMTP == normalised(acc.SMTP)) && sameSender(saved.Sender, acc.Sender) {
				recordOn = saved.ID
			}
		}
		var login accounts.Login
		switch {
		case acc.Auth == accounts.OAuth && in.Account.SignInID != "":
			// A sign-in of the wizard, not saved yet: its address must be this one.
			g, err := s.pendingGrant(in.Account)
			if err != nil {
				return TestReportDTO{}, err
			}
			if !strings.EqualFold(g.Email, strings.TrimSpace(acc.Email)) || g.Provider != acc.OAuthProvider {
				return TestReportDTO{}, &fault.Error{Code: fault.InvalidInput, Field: "email",
					Message: fmt.Sprintf("You signed in as %s, but this account is %s. Sign in again with %s.", g.Email, acc.Email, acc.Email)}
			}
			login = accounts.Login{Tokens: g.Source()}
			password = in.Account.SignInID // the test's fingerprint names this sign-in
			recordOn = 0
		case acc.Auth == accounts.OAuth:
			if in.AccountID == 0 {
				return TestReportDTO{}, fault.Invalid("auth", "Sign in first.")
			}
			l, err := s.b.Accounts.Login(ctx, in.AccountID)
			if err != nil {
				return TestReportDTO{}, err
			}
			login = l
		default:
			needsPassword := acc.IMAP.Host != "" || !api
			if needsPassword && in.AccountID > 0 && password == "" {
				pw, err := s.b.Accounts.Password(ctx, in.AccountID)
				if err != nil {
					return TestReportDTO{}, err
				}
				password = pw
			}
			if needsPassword && password == "" {
				return TestReportDTO{}, fault.Invalid("password", "Enter the password.")
			}
			login = accounts.PasswordLogin(password)
		}
		target := probe.Target{IMAP: acc.IMAP, SMTP: acc.SMTP, Login: login, Provider: acc.Provider, From: strings.TrimSpace(acc.Email)}
		if api {
			secret := strings.TrimSpace(senderSecret)
			if secret == "" && in.AccountID > 0 {
				saved, err := s.b.Accounts.Get(ctx, in.AccountID)
				if err != nil {
					return TestReportDTO{}, err
				}
				// A stored token is only sent to the provider it was given for.
				if saved.Sender.Kind == acc.Sender.Kind {
					if secret, err = s.b.Accounts.SenderSecret(ctx, in.AccountID); err != nil {
						return TestReportDTO{}, err
					}
				}
			}
			if secret == "" {
				return TestReportDTO{}, senderSecretMissing(acc.Sender.Kind)
			}
			checks, err := s.senders().Checks(acc.Sender, acc.Email, secret)
			if err != nil {
				return TestReportDTO{}, err
			}
			target.API = checks
			senderSecret = secret
		}
		rep := probe.New(s.b.Dialer).Run(ctx, target,
			func(st probe.Step) {
				if st.Cert != nil && st.Status == probe.Failed && st.Code == fault.TLSUntrusted {
					s.remember(st.Host, st.Port, *st.Cert)
				}
				s.b.emit(ProbeStepEvent, stepDTO(in.RunID, st))
			})
		out := TestReportDTO{RunID: in.RunID, OK: rep.OK, Steps: []StepDTO{}}
		var failed fault.Code
		for _, st := range rep.Steps {
			out.Steps = append(out.Steps, stepDTO(in.RunID, st))
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
			if err := s.b.Accounts.RecordCheck(ctx, recordOn, failed); err != nil {
				return out, err
			}
		}
		if rep.OK {
			s.rememberPass(acc, password, senderSecret)
		}
		return out, nil
	})
}

// reasonSMTPAuthDisabled is the status code of an account whose last test met Microsoft
// 365's 535 5.7.139 (the probe's hint code, the outbox's reason).
const reasonSMTPAuthDisabled = "smtp_auth_disabled"

// senders builds the API senders' checks, with the endpoints from the environment.
func (s *Accounts) senders() *senders.Factory {
	return senders.New(s.b.Accounts, senders.FromEnv())
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
		return fault.Invalid("senderSecret", "Enter the Mailgun API key.")
	}
	return fault.Invalid("senderSecret", "Enter the Postmark server's API token.")
}

// CancelTest stops a connection test under way.
func (s *Accounts) CancelTest(runID string) error {
	return do(s.b, "Accounts.CancelTest", func(ctx context.Context, c caller) error {
		s.mu.Lock()
		cancel := s.runs[runID]
		s.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		return nil
	})
}

func (s *Accounts) track(id string, cancel context.CancelFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs == nil {
		s.runs = map[string]context.CancelFunc{}
	}
	s.runs[id] = cancel
}

func (s *Accounts) untrack(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.runs, id)
}

// passValidity is how long a passing connection test lets Create mark an account connected.
const passValidity = 10 * time.Minute

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

func (s *Accounts) rememberPass(a accounts.NewAccount, password, senderSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.passed == nil || len(s.passed) >= maxRememberedCerts {
		s.passed = map[string]time.Time{}
	}
	s.passed[testFingerprint(a, password, senderSecret)] = time.Now()
}

func (s *Accounts) passedRecently(a accounts.NewAccount, password, senderSecret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.passed[testFingerprint(a, password, senderSecret)]
	return ok && time.Since(at) < passValidity
}

// ProviderSettings returns the catalogue's settings of a provider for an address, for a
// tile picked by hand (e.g. OVH for one's own domain).
func (s *Accounts) ProviderSettings(providerID, email string) (CandidateDTO, error) {
	return run(s.b, "Accounts.ProviderSettings", func(ctx context.Context, c caller) (CandidateDTO, error) {
		cand, err := discovery.ProviderCandidate(providerID, email)
		if err != nil {
			return CandidateDTO{}, err
		}
		return candidateDTO(cand), nil
	})
}

// maxRememberedCerts bounds the untrusted certificates kept for TrustCertificate.
const maxRememberedCerts = 64

func certKey(host string, port int, sum string) string {
	return fmt.Sprintf("%s:%d:%s", strings.ToLower(host), port, strings.ToLower(sum))
}

func (s *Accounts) remember(host string, port int, cert connect.CertInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.certs == nil || len(s.certs) >= maxRememberedCerts {
		s.certs = map[string]connect.CertInfo{}
	}
	s.certs[certKey(host, port, cert.SHA256)] = cert
}

// TrustCertificate trusts a certificate for exactly one host and port. Only a certificate
// that a connection test just presented to the user can be trusted.
func (s *Accounts) TrustCertificate(host string, port int, sha256 string) error {
	return do(s.b, "Accounts.TrustCertificate", func(ctx context.Context, c caller) error {
		s.mu.Lock()
		cert, ok := s.certs[certKey(host, port, sha256)]
		s.mu.Unlock()
		if !ok {
			return fault.New(fault.NotFound, "Test the connection again: Mailroom only trusts a certificate it has just shown you.")
		}
		return s.b.Pins.Trust(ctx, host, port, cert, c.user.ID)
	})
}

// Create saves a new account; its password and its API sender's token or key
// (senderSecret, "" for an SMTP sender) go to the keychain. The creator gets access. A
// Mailgun account's From must be on its sending domain.
func (s *Accounts) Create(in AccountInput, password, senderSecret string) (AccountDTO, error) {
	return run(s.b, "Accounts.Create", func(ctx context.Context, c caller) (AccountDTO, error) {
		if err := senders.CheckFrom(in.account().Sender, strings.TrimSpace(in.Email)); err != nil {
			return AccountDTO{}, err
		}
		sec := accounts.Secrets{Password: password, Sender: senderSecret}
		if in.Auth == string(accounts.OAuth) {
			g, err := s.pendingGrant(in)
			if err != nil {
				return AccountDTO{}, err
			}
			sec = accounts.Secrets{Grant: g, Sender: senderSecret}
			password = in.SignInID
		}
		a, err := s.b.Accounts.CreateWith(ctx, c.user.ID, in.account(), sec)
		if err != nil {
			return AccountDTO{}, err
		}
		if sec.Grant != nil {
			s.dropGrant(in.SignInID) // in the keychain now
		}
		defer s.b.accountChanged(a.ID)
		// A connection test of exactly these settings and password (or sign-in) just
		// passed: the account starts as connected rather than unchecked, without a second
		// login.
		if s.passedRecently(in.account(), password, senderSecret) {
			if err := s.b.Accounts.RecordCheck(ctx, a.ID, ""); err != nil {
				return AccountDTO{}, err
			}
			if a, err = s.b.Accounts.Get(ctx, a.ID); err != nil {
				return AccountDTO{}, err
			}
		}
		return s.dto(ctx, a)
	})
}

// Update changes an account's settings; an empty password or sender secret keeps the
// stored one. Switching the sender to Postmark or Mailgun needs its token or key.
func (s *Accounts) Update(id int64, in AccountInput, password, senderSecret string) (AccountDTO, error) {
	return run(s.b, "Accounts.Update", func(ctx context.Context, c caller) (AccountDTO, error) {
		if err := senders.CheckFrom(in.account().Sender, strings.TrimSpace(in.Email)); err != nil {
			return AccountDTO{}, err
		}
		sec := accounts.Secrets{Password: password, Sender: senderSecret}
		if in.Auth == string(accounts.OAuth) && in.SignInID != "" {
			g, err := s.pendingGrant(in)
			if err != nil {
				return AccountDTO{}, err
			}
			sec = accounts.Secrets{Grant: g, Sender: senderSecret}
		}
		a, err := s.b.Accounts.UpdateWith(ctx, id, in.account(), sec)
		if err != nil {
			return AccountDTO{}, err
		}
		s.b.accountChanged(id)
		return s.dto(ctx, a)
	})
}

// SetDisabled disables or enables an account.
func (s *Accounts) SetDisabled(id int64, disabled bool) error {
	return do(s.b, "Accounts.SetDisabled", func(ctx context.Context, c caller) error {
		if err := s.b.Accounts.SetDisabled(ctx, id, disabled); err != nil {
			return err
		}
		s.b.accountChanged(id)
		return nil
	})
}

// Delete removes an account and its secrets, when nobody has access and none of its mail
// was processed; otherwise it is refused with the reason.
func (s *Accounts) Delete(id int64) error {
	return do(s.b, "Accounts.Delete", func(ctx context.Context, c caller) error {
		if err := s.b.Accounts.Delete(ctx, id); err != nil {
			return err
		}
		s.b.accountChanged(id)
		return nil
	})
}

// Grant gives a user access to an account.
func (s *Accounts) Grant(accountID, userID int64) error {
	return do(s.b, "Accounts.Grant", func(ctx context.Context, c caller) error {
		return s.b.Accounts.Grant(ctx, accountID, userID)
	})
}

// Revoke removes a user's access to an account.
func (s *Accounts) Revoke(accountID, userID int64) error {
	return do(s.b, "Accounts.Revoke", func(ctx context.Context, c caller) error {
		return s.b.Accounts.Revoke(ctx, accountID, userID)
	})
}

// Quota returns the quota of active accounts.
func (s *Accounts) Quota() (QuotaDTO, error) {
	return run(s.b, "Accounts.Quota", func(ctx context.Context, c caller) (QuotaDTO, error) {
		limit, active, err := s.b.Accounts.Quota(ctx)
		return QuotaDTO{Limit: limit, Active: active}, err
	})
}

// SetQuota sets the quota of active accounts (0: no limit).
func (s *Accounts) SetQuota(limit int) error {
	return do(s.b, "Accounts.SetQuota", func(ctx context.Context, c caller) error {
		return s.b.Accounts.SetQuota(ctx, limit)
	})
}

// testEmailLimits bound the test email's fields.
const (
	maxTestSubject = 200
	maxTestBody    = 10000
)

// SendTestEmail sends a test email through the outbox, like every message, and waits up
// to testEmailWait for the outcome, because the wizard shows it at once: sent, with the
// server's answer; refused, as an error in the server's own words (the message is then
// cancelled in the outbox: the wizard has reported it, and a test email is not worth a
// later retry); or, when the server has not settled it in time (a temporary refusal
// retried later, a slow server), queued or sending, with the last answer, for the Outbox
// screen to follow.
func (s *Accounts) SendTestEmail(id int64, in TestEmailInput) (TestEmailResultDTO, error) {
	return run(s.b, "Accounts.SendTestEmail", func(ctx context.Context, c caller) (TestEmailResultDTO, error) {
		a, err := s.b.Accounts.Get(ctx, id)
		if err != nil {
			return TestEmailResultDTO{}, err
		}
		if len(in.Subject) > maxTestSubject || len(in.Body) > maxTestBody {
			return TestEmailResultDTO{}, fault.Invalid("body", "The test email is too long.")
		}
		to := strings.TrimSpace(in.To)
		if to == "" {
			return TestEmailResultDTO{}, fault.Invalid("to", "Enter the recipient's email address.")
		}
		env, err := outbox.Render(outbox.Compose{From: outbox.Address{Name: a.FromName, Email: a.Email},
			To: []outbox.Address{{Email: to}}, Subject: in.Subject, Text: in.Body})
		if err != nil { // an address that cannot be used: invalid_input on its field
			return TestEmailResultDTO{}, err
		}
		env.QueuedBy = c.user.ID
		oid, err := s.b.Outbox.Enqueue(ctx, a.ID, env)
		if err != nil {
			return TestEmailResultDTO{}, err
		}
		it, err := s.b.awaitOutcome(ctx, oid, testEmailWait)
		if err != nil {
			return TestEmailResultDTO{}, err
		}
		res := TestEmailResultDTO{OutboxID: oid, MessageID: env.MessageID, State: string(it.State)}
		switch it.State {
		case outbox.Sent:
			res.Answer = it.Reply
		case outbox.Failed:
			if err := s.b.Outbox.Cancel(ctx, oid); err != nil {
				s.b.logger().Warn("outbox: cancel a refused test email", "id", oid, "err", err)
			}
			return TestEmailResultDTO{}, outcomeError(it)
		default: // queued (waiting for a retry), sending, possibly sent: the Outbox follows it
			res.Answer = it.Error.Detail
			if it.State == outbox.Queued && it.NextAttempt.After(time.Now()) {
				res.NextAttempt = it.NextAttempt.Format(time.RFC3339)
			}
		}
		return res, nil
	})
}
