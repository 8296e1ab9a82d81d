package api

import (
	"slices"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/oauth"
	"mailroom/backend/probe"
	"mailroom/backend/setup"
)

// ServerDTO is one server's settings.
type ServerDTO struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"` // "tls" | "starttls"
	Username string `json:"username"`
}

func serverDTO(s accounts.Server) ServerDTO {
	return ServerDTO{Host: s.Host, Port: s.Port, Security: string(s.Security), Username: s.Username}
}

func (s ServerDTO) server() accounts.Server {
	return accounts.Server{Host: s.Host, Port: s.Port, Security: accounts.Security(s.Security), Username: s.Username}
}

// SenderDTO is how an account sends: "smtp" (its SMTP server), "postmark" or "mailgun".
// The token or key never travels in it: it is a separate argument of Create, Update and
// Test, and never comes back.
type SenderDTO struct {
	Kind   string `json:"kind"`   // smtp | postmark | mailgun
	Domain string `json:"domain"` // Mailgun's sending domain
	Region string `json:"region"` // Mailgun: us | eu
	Stream string `json:"stream"` // Postmark's message stream ("" = outbound)
}

func senderDTO(s accounts.Sender) SenderDTO {
	k := s.Kind
	if k == "" {
		k = accounts.SMTPSender
	}
	return SenderDTO{Kind: string(k), Domain: s.Domain, Region: s.Region, Stream: s.Stream}
}

func (s SenderDTO) sender() accounts.Sender {
	return accounts.Sender{Kind: accounts.SenderKind(s.Kind), Domain: s.Domain, Region: s.Region, Stream: s.Stream}
}

// AccountDTO is an account as the UI sees it. The password is never part of it: the UI
// shows it masked and an edit leaves it empty to keep it.
type AccountDTO struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	Email          string    `json:"email"`
	FromName       string    `json:"fromName"`
	Provider       string    `json:"provider"`
	SettingsSource string    `json:"settingsSource"`
	IMAP           ServerDTO `json:"imap"` // host "" for a send-only account
	SMTP           ServerDTO `json:"smtp"` // host "" when an API sender needs none
	Sender         SenderDTO `json:"sender"`
	SendOnly       bool      `json:"sendOnly"` // no IMAP: not synced, sends through its API sender
	// Auth is "password" or "oauth" (Sign in with Google or Microsoft: OAuthProvider).
	Auth          string `json:"auth"`
	OAuthProvider string `json:"oauthProvider"` // google | microsoft | ""
	// SignInExpiresAt is when an OAuth account's sign-in stops working, when the provider
	// said (RFC 3339; "" when unknown): the UI warns before it.
	SignInExpiresAt string `json:"signInExpiresAt"`
	Status          string `json:"status"` // ok | error | needs_password | needs_sign_in | unchecked | disabled
	// NeedsSignIn: an OAuth account whose grant was refused or disconnected, disabled or
	// not (Status reads "disabled" for a disabled one).
	NeedsSignIn bool    `json:"needsSignIn"`
	StatusCode  string  `json:"statusCode"`
	LastCheck   string  `json:"lastCheck"` // RFC 3339, "" when never checked
	Disabled    bool    `json:"disabled"`
	CreatedAt   string  `json:"createdAt"`
	Users       []int64 `json:"users"` // ids of the users with access
}

// AccountStatuses lists every AccountDTO.Status: the registry's, needs_sign_in and disabled.
var AccountStatuses = append(slices.Clone(accounts.Statuses), "needs_sign_in", "disabled")

func accountDTO(a accounts.Account, users []int64) AccountDTO {
	d := AccountDTO{ID: a.ID, Name: a.Name, Email: a.Email, FromName: a.FromName, Provider: a.Provider,
		SettingsSource: a.SettingsSource, IMAP: serverDTO(a.IMAP), SMTP: serverDTO(a.SMTP),
		Sender: senderDTO(a.Sender), SendOnly: !a.HasIMAP(), Auth: string(a.Auth), OAuthProvider: string(a.OAuthProvider),
		Status: string(a.Status), StatusCode: a.StatusCode, Disabled: a.Disabled,
		CreatedAt: a.CreatedAt.Format(time.RFC3339), Users: users}
	if d.Users == nil {
		d.Users = []int64{}
	}
	if a.NeedsSignIn() {
		d.Status, d.NeedsSignIn = "needs_sign_in", true
	}
	if a.Disabled {
		d.Status = "disabled"
	}
	if !a.LastCheck.IsZero() {
		d.LastCheck = a.LastCheck.Format(time.RFC3339)
	}
	return d
}

// AccountInput is the wizard's or the edit form's settings (the password is a separate
// argument of the methods that take one).
type AccountInput struct {
	Name           string    `json:"name"`
	Email          string    `json:"email"`
	FromName       string    `json:"fromName"`
	Provider       string    `json:"provider"`
	SettingsSource string    `json:"settingsSource"`
	IMAP           ServerDTO `json:"imap"` // empty host: a send-only account (API sender only)
	SMTP           ServerDTO `json:"smtp"`
	Sender         SenderDTO `json:"sender"` // kind "" = smtp
	// Auth "oauth" signs in with OAuthProvider; SignInID is the run id of a completed
	// Accounts.SignIn whose grant (kept in the backend, never sent here) the test and the
	// creation use. "" or "password": the password argument.
	Auth          string `json:"auth"`
	OAuthProvider string `json:"oauthProvider"`
	SignInID      string `json:"signInId"`
}

func (in AccountInput) account() accounts.NewAccount {
	return accounts.NewAccount{Name: in.Name, Email: in.Email, FromName: in.FromName, Provider: in.Provider,
		SettingsSource: in.SettingsSource, IMAP: in.IMAP.server(), SMTP: in.SMTP.server(), Sender: in.Sender.sender(),
		Auth: accounts.AuthKind(in.Auth), OAuthProvider: oauth.ProviderID(in.OAuthProvider)}
}

// credentials are the form's secrets for the wizard: the password and API sender's secret
// arguments, and the sign-in the settings name.
func (in AccountInput) credentials(password, senderSecret string) setup.Credentials {
	return setup.Credentials{Password: password, SenderSecret: senderSecret, SignInID: in.SignInID}
}

// NoteDTO is advice from discovery; the UI words Code. Detail is the provider's own
// instruction (an autoconfig document's), shown verbatim; "" for most notes. URL is the
// provider's page for what the note asks (where IMAP is turned on), opened in the browser.
type NoteDTO struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	URL    string `json:"url"`
}

func noteDTO(n discovery.Note) NoteDTO { return NoteDTO{Code: n.Code, Detail: n.Detail, URL: n.URL} }

// errorDTOOf is err as the UI receives it (nil for no error); one without a reason of its
// own is "internal", as in FormatError.
func errorDTOOf(err error) *ErrorDTO {
	if err == nil {
		return nil
	}
	fe, ok := fault.As(err)
	if !ok {
		fe = fault.ErrInternal.Wrap(err, nil)
	}
	d := faultDTO(fe)
	return &d
}

// CandidateDTO is a set of discovered settings.
type CandidateDTO struct {
	IMAP     ServerDTO         `json:"imap"`
	SMTP     ServerDTO         `json:"smtp"`
	Source   string            `json:"source"` // preset | catalog | autoconfig | srv | mx | guess
	Origin   map[string]string `json:"origin"` // where exactly, as the params of its source's sentence (discovery.Origin)
	Provider string            `json:"provider"`
	SignIn   string            `json:"signIn"` // google | microsoft | ""
	// SignInOnly: the servers accept only their provider's sign-in; no password form is
	// offered (SignIn says which, or "" when Mailroom has none: a sign_in_unsupported note).
	SignInOnly bool      `json:"signInOnly"`
	Notes      []NoteDTO `json:"notes"`
}

func candidateDTO(c discovery.Candidate) CandidateDTO {
	d := CandidateDTO{IMAP: serverDTO(probe.ServerOf(c.IMAP)), SMTP: serverDTO(probe.ServerOf(c.SMTP)),
		Source: string(c.Source), Origin: c.Origin, Provider: c.Provider, SignIn: c.SignIn,
		SignInOnly: c.Auth.SignInOnly(), Notes: []NoteDTO{}}
	if d.Origin == nil {
		d.Origin = map[string]string{}
	}
	for _, n := range c.Notes {
		d.Notes = append(d.Notes, noteDTO(n))
	}
	return d
}

// AttemptDTO is one candidate tried during discovery and why it failed (error nil: it
// passed), as a reason with its params and the server's own words.
type AttemptDTO struct {
	Source string            `json:"source"`
	Origin map[string]string `json:"origin"`
	Host   string            `json:"host"`
	Port   int               `json:"port"`
	Error  *ErrorDTO         `json:"error"`
}

func attemptDTO(at discovery.Attempt) AttemptDTO {
	o := at.Candidate.Origin
	if o == nil {
		o = map[string]string{}
	}
	return AttemptDTO{Source: string(at.Candidate.Source), Origin: o, Host: at.Candidate.IMAP.Host,
		Port: at.Candidate.IMAP.Port, Error: errorDTOOf(at.Err)}
}

func discoveryDTO(f setup.Found) DiscoveryDTO {
	out := DiscoveryDTO{Verified: f.Verified, AuthFailed: f.AuthFailed, ExchangeURL: f.ExchangeURL,
		Candidates: []CandidateDTO{}, Attempts: []AttemptDTO{}}
	if f.Best != nil {
		b := candidateDTO(*f.Best)
		out.Best = &b
	}
	for _, c := range f.Candidates {
		out.Candidates = append(out.Candidates, candidateDTO(c))
	}
	for _, at := range f.Attempts {
		out.Attempts = append(out.Attempts, attemptDTO(at))
	}
	out.Failure = errorDTOOf(f.Failure)
	return out
}

// DiscoveryDTO is what the wizard gets for an address: the verified settings when a
// password was given and a login succeeded (Verified), else the best candidates.
type DiscoveryDTO struct {
	Verified    bool           `json:"verified"`
	Best        *CandidateDTO  `json:"best"`
	Candidates  []CandidateDTO `json:"candidates"`
	Attempts    []AttemptDTO   `json:"attempts"`
	ExchangeURL string         `json:"exchangeUrl"` // the domain's preset is Exchange: no IMAP settings
	AuthFailed  bool           `json:"authFailed"`  // the servers were found; the password was refused
	// Failure says why no settings are offered as verified: discovery_nothing_found,
	// discovery_none_worked; nil otherwise.
	Failure *ErrorDTO `json:"failure"`
}

// ProviderDTO is a wizard tile.
type ProviderDTO struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	SignIn  string   `json:"signIn"`
	// SignInOnly: its servers accept only its sign-in (Outlook.com, Microsoft 365): no
	// password path is offered.
	SignInOnly bool      `json:"signInOnly"`
	Notes      []NoteDTO `json:"notes"`
}

// CertDTO is a server certificate shown before the user trusts it.
type CertDTO struct {
	Subject   string   `json:"subject"`
	Issuer    string   `json:"issuer"`
	DNSNames  []string `json:"dnsNames"`
	NotBefore string   `json:"notBefore"`
	NotAfter  string   `json:"notAfter"`
	SHA256    string   `json:"sha256"`
}

func certDTO(c *connect.CertInfo) *CertDTO {
	if c == nil {
		return nil
	}
	return &CertDTO{Subject: c.Subject, Issuer: c.Issuer, DNSNames: append([]string{}, c.DNSNames...),
		NotBefore: c.NotBefore.Format(time.RFC3339), NotAfter: c.NotAfter.Format(time.RFC3339), SHA256: c.SHA256}
}

// StepDTO is one step of a connection test, streamed as the "probe:step" event.
type StepDTO struct {
	RunID      string            `json:"runId"`
	Name       string            `json:"name"`   // dns | tcp | tls | imap_login | capabilities | smtp_login | postmark_sender | mailgun_domain | mailgun_from
	Status     string            `json:"status"` // running | ok | failed | skipped
	Detail     string            `json:"detail"`
	Code       string            `json:"code"`
	Error      *ErrorDTO         `json:"error"`    // a failed step's reason, params and the server's words
	HintCode   string            `json:"hintCode"` // how to fix it, worded by the UI with params
	Params     map[string]string `json:"params"`
	Cert       *CertDTO          `json:"cert"`
	CertReason string            `json:"certReason"` // unknown_authority | expired | wrong_host | changed | invalid
	TLSVersion string            `json:"tlsVersion"`
	Trusted    bool              `json:"trusted"` // accepted through a certificate the user trusted
	Host       string            `json:"host"`
	Port       int               `json:"port"`
	ElapsedMs  int64             `json:"elapsedMs"`
}

func stepDTO(runID string, s probe.Step) StepDTO {
	p := s.Params
	if p == nil {
		p = map[string]string{}
	}
	d := StepDTO{RunID: runID, Name: string(s.Name), Status: string(s.Status), Detail: s.Detail, Code: string(s.Code),
		HintCode: s.HintCode, Params: p, Cert: certDTO(s.Cert),
		CertReason: s.CertReason, TLSVersion: s.TLSVersion, Trusted: s.Trusted,
		Host: s.Host, Port: s.Port, ElapsedMs: s.Elapsed.Milliseconds()}
	if s.Err != nil {
		d.Error = errorDTOOf(s.Err)
	}
	return d
}

// TestReportDTO is a finished connection test.
type TestReportDTO struct {
	RunID string    `json:"runId"`
	OK    bool      `json:"ok"`
	Steps []StepDTO `json:"steps"`
}

// TestInput says what to test: an unsaved form (AccountID 0) or a saved account, whose
// stored password is used when none is typed.
type TestInput struct {
	RunID     string       `json:"runId"`
	AccountID int64        `json:"accountId"`
	Account   AccountInput `json:"account"`
}

// TestEmailInput is the optional test email.
type TestEmailInput struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// TestEmailResultDTO is the outcome of the test email: sent, with the server's answer; or
// still in the outbox after SendTestEmail stopped waiting (queued for a later attempt,
// sending, possibly sent), with the server's last answer if it gave one. A refusal is an
// error, not a result.
type TestEmailResultDTO struct {
	OutboxID    int64  `json:"outboxId"`
	MessageID   string `json:"messageId"`
	State       string `json:"state"`       // sent, queued, sending, possibly_sent
	Answer      string `json:"answer"`      // the server's words
	NextAttempt string `json:"nextAttempt"` // RFC 3339, when queued for a later attempt
}

// QuotaDTO is the quota of active accounts (Limit 0: no limit).
type QuotaDTO struct {
	Limit  int `json:"limit"`
	Active int `json:"active"`
}

// PresetDTO is a domain preset: IMAP+SMTP (both non-nil) or an Exchange URL.
type PresetDTO struct {
	Domain       string     `json:"domain"`
	IMAP         *ServerDTO `json:"imap"`
	SMTP         *ServerDTO `json:"smtp"`
	UsernameForm string     `json:"usernameForm"` // email | local
	ExchangeURL  string     `json:"exchangeUrl"`
	UpdatedAt    string     `json:"updatedAt"`
}

func presetDTO(p accounts.Preset) PresetDTO {
	d := PresetDTO{Domain: p.Domain, UsernameForm: p.UsernameForm, ExchangeURL: p.ExchangeURL, UpdatedAt: p.UpdatedAt.Format(time.RFC3339)}
	if p.IMAP != nil {
		i, s := serverDTO(*p.IMAP), serverDTO(*p.SMTP)
		d.IMAP, d.SMTP = &i, &s
	}
	return d
}

func (d PresetDTO) preset() accounts.Preset {
	p := accounts.Preset{Domain: d.Domain, UsernameForm: d.UsernameForm, ExchangeURL: d.ExchangeURL}
	if d.IMAP != nil {
		s := d.IMAP.server()
		p.IMAP = &s
	}
	if d.SMTP != nil {
		s := d.SMTP.server()
		p.SMTP = &s
	}
	return p
}
