package api

import (
	"context"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/discovery"
	"mailroom/backend/probe"
	"mailroom/backend/setup"
)

// networkTimeout bounds a call that talks to mail servers (discovery with verification,
// a connection test, a test email).
const networkTimeout = 3 * time.Minute

// ProbeStepEvent is the Wails event carrying each step of a connection test (StepDTO).
const ProbeStepEvent = "probe:step"

// Accounts connects, tests and manages email accounts (F2, F4, F6, F18).
// The wizard's state and orchestration live in backend/setup (Backend.Setup).
type Accounts struct{ b *Backend }

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
			d := ProviderDTO{ID: p.ID, Name: p.Name, Domains: append([]string{}, p.Domains...), SignIn: p.SignIn,
				SignInOnly: p.Auth.SignInOnly(), Notes: []NoteDTO{}}
			for _, n := range p.Notes {
				d.Notes = append(d.Notes, noteDTO(n))
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
		ctx, cancel := s.b.networkContext()
		defer cancel()
		found, err := s.b.Setup.Discover(ctx, email, password)
		return discoveryDTO(found), err
	})
}

// Test runs the step-by-step connection test, streaming each step as a "probe:step"
// event. For a saved account (AccountID > 0) an empty password or sender secret means the
// stored one, and the result is recorded as the account's status. An account that sends
// through Postmark or Mailgun has the sender's checks in place of the SMTP login (and only
// those when it has no IMAP server); senderSecret is that sender's token or key.
func (s *Accounts) Test(in TestInput, password, senderSecret string) (TestReportDTO, error) {
	return run(s.b, "Accounts.Test", func(_ context.Context, c caller) (TestReportDTO, error) {
		ctx, cancel := s.b.networkContext()
		defer cancel()
		rep, err := s.b.Setup.Test(ctx, setup.TestRequest{RunID: in.RunID, AccountID: in.AccountID, Account: in.Account.account(),
			Credentials: in.Account.credentials(password, senderSecret)},
			func(st probe.Step) { s.b.emit(ProbeStepEvent, stepDTO(in.RunID, st)) })
		if err != nil && len(rep.Steps) == 0 {
			return TestReportDTO{}, err
		}
		out := TestReportDTO{RunID: in.RunID, OK: rep.OK, Steps: []StepDTO{}}
		for _, st := range rep.Steps {
			out.Steps = append(out.Steps, stepDTO(in.RunID, st))
		}
		return out, err
	})
}

// CancelTest stops a connection test or a sign-in under way.
func (s *Accounts) CancelTest(runID string) error {
	return do(s.b, "Accounts.CancelTest", func(ctx context.Context, c caller) error {
		s.b.Setup.Cancel(runID)
		return nil
	})
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

// TrustCertificate trusts a certificate for exactly one host and port. Only a certificate
// that a connection test just presented to the user can be trusted.
func (s *Accounts) TrustCertificate(host string, port int, sha256 string) error {
	return do(s.b, "Accounts.TrustCertificate", func(ctx context.Context, c caller) error {
		return s.b.Setup.TrustCertificate(ctx, host, port, sha256, c.user.ID)
	})
}

// Create saves a new account; its password and its API sender's token or key
// (senderSecret, "" for an SMTP sender) go to the keychain. The creator gets access. A
// Mailgun account's From must be on its sending domain. After a passing test of exactly
// these settings the account starts connected.
func (s *Accounts) Create(in AccountInput, password, senderSecret string) (AccountDTO, error) {
	return run(s.b, "Accounts.Create", func(ctx context.Context, c caller) (AccountDTO, error) {
		a, err := s.b.Setup.Create(ctx, c.user.ID, in.account(), in.credentials(password, senderSecret))
		if a.ID != 0 {
			defer s.b.accountChanged(a.ID)
		}
		if err != nil {
			return AccountDTO{}, err
		}
		return s.dto(ctx, a)
	})
}

// Update changes an account's settings; an empty password or sender secret keeps the
// stored one. Switching the sender to Postmark or Mailgun needs its token or key.
func (s *Accounts) Update(id int64, in AccountInput, password, senderSecret string) (AccountDTO, error) {
	return run(s.b, "Accounts.Update", func(ctx context.Context, c caller) (AccountDTO, error) {
		a, err := s.b.Setup.Update(ctx, id, in.account(), in.credentials(password, senderSecret))
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

// SendTestEmail sends a test email through the outbox, like every message, and waits for
// the outcome, because the wizard shows it at once: sent, with the server's answer;
// refused, as an error with the server's own words; or still queued or sending, for the
// Outbox screen to follow (setup.Wizard.SendTestEmail).
func (s *Accounts) SendTestEmail(id int64, in TestEmailInput) (TestEmailResultDTO, error) {
	return run(s.b, "Accounts.SendTestEmail", func(ctx context.Context, c caller) (TestEmailResultDTO, error) {
		res, err := s.b.Setup.SendTestEmail(ctx, id, c.user.ID, setup.TestEmail{To: in.To, Subject: in.Subject, Body: in.Body})
		if err != nil {
			return TestEmailResultDTO{}, err
		}
		return TestEmailResultDTO{OutboxID: res.OutboxID, MessageID: res.MessageID, State: string(res.State),
			Answer: res.Answer, NextAttempt: stamp(res.NextAttempt)}, nil
	})
}
