// Package accounts is the registry of email accounts: their server settings, who may use
// them, the quota of active accounts and the admins' domain presets (F2, F5, F6, F18).
//
//	reg := accounts.New(db, vault)
//	acc, err := reg.Create(ctx, creatorID, accounts.NewAccount{…}, password) // password → keychain
//	pw, err := reg.Password(ctx, acc.ID)
//	err = reg.SetDisabled(ctx, acc.ID, true) // frees a place in the quota
//	err = reg.Delete(ctx, acc.ID)            // refused while someone has access or mail was processed
//
// Settings live in SQLite; the password lives only in the vault, under a key made from a
// random per-account id (so two databases on one machine never share keychain items).
//
// An account sends through its SMTP server or through an API sender (Postmark, Mailgun;
// Sender): a mailbox that receives over IMAP may send through Postmark ("receive here, send
// there"), and an API sender may be an account of its own, without IMAP (send-only, never
// synced). The API token or key is a second secret in the vault (SenderSecret):
//
//	acc, err := reg.CreateWith(ctx, creatorID, accounts.NewAccount{Email: "ada@example.com",
//		Sender: accounts.Sender{Kind: accounts.Postmark}}, accounts.Secrets{Sender: token})
//	token, err := reg.SenderSecret(ctx, acc.ID)
//
// An account signs in to its servers with a password or, for Google and Microsoft, with
// OAuth (Auth): the grant of a completed sign-in is saved in the vault by the token store
// (SetTokens), and Login gives every connection what it needs — the password, or a source of
// fresh access tokens for XOAUTH2:
//
//	acc, err := reg.CreateWith(ctx, creatorID, accounts.NewAccount{…, Auth: accounts.OAuth,
//		OAuthProvider: oauth.Google}, accounts.Secrets{Grant: grant})
//	login, err := reg.Login(ctx, acc.ID)
package accounts

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/oauth"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

// Security is how a connection is protected. There is no plaintext option.
type Security string

// The two ways to protect a connection.
const (
	TLS      Security = "tls"      // implicit TLS (IMAPS 993, SMTPS 465)
	StartTLS Security = "starttls" // plain connection upgraded with STARTTLS (143, 587); refused if not offered
)

// Securities lists every security mode.
var Securities = []Security{TLS, StartTLS}

// Valid reports whether s is a known security mode.
func (s Security) Valid() bool { return s == TLS || s == StartTLS }

// Server is one server of an account.
type Server struct {
	Host     string
	Port     int
	Security Security
	Username string
}

// SenderKind is how an account sends its mail.
type SenderKind string

// The ways to send.
const (
	SMTPSender SenderKind = "smtp"     // the account's own SMTP server (the default)
	Postmark   SenderKind = "postmark" // Postmark's email API, with a server token
	Mailgun    SenderKind = "mailgun"  // Mailgun's API, with an API key, a sending domain and a region
)

// SenderKinds lists every way to send.
var SenderKinds = []SenderKind{SMTPSender, Postmark, Mailgun}

// Valid reports whether k is a known sender.
func (k SenderKind) Valid() bool { return k == SMTPSender || k == Postmark || k == Mailgun }

// API reports whether k sends through a provider's HTTP API rather than SMTP.
func (k SenderKind) API() bool { return k == Postmark || k == Mailgun }

// Mailgun regions: a Mailgun domain exists in one of them only.
const (
	RegionUS = "us"
	RegionEU = "eu"
)

// Regions lists the Mailgun regions.
var Regions = []string{RegionUS, RegionEU}

// Sender is how an account sends. The token or key is not part of it: it lives in the
// vault (Registry.SenderSecret).
type Sender struct {
	Kind   SenderKind // "" reads as SMTPSender
	Domain string     // Mailgun: the sending domain, e.g. mg.example.com
	Region string     // Mailgun: RegionUS or RegionEU
	Stream string     // Postmark: the message stream; "" = the server's default ("outbound")
}

// AuthKind is how an account signs in to its IMAP and SMTP servers.
type AuthKind string

// The ways to sign in.
const (
	PasswordAuth AuthKind = "password" // a password (or an app password) typed in the wizard
	OAuth        AuthKind = "oauth"    // Sign in with Google or Microsoft: XOAUTH2 with access tokens
)

// AuthKinds lists every way to sign in.
var AuthKinds = []AuthKind{PasswordAuth, OAuth}

// Status is the result of the last connection check.
type Status string

// Account statuses. Disabled is a separate flag.
const (
	Unchecked Status = "unchecked"
	OK        Status = "ok"
	Failing   Status = "error"
	// NeedsPassword: the server refused the credentials. For an OAuth account it means
	// "needs sign-in": the grant was revoked or expired (NeedsSignIn).
	NeedsPassword Status = "needs_password"
)

// Statuses lists every status of a check.
var Statuses = []Status{Unchecked, OK, Failing, NeedsPassword}

// Account is a connected mailbox.
type Account struct {
	ID             int64
	Name           string
	Email          string
	FromName       string
	Provider       string
	SettingsSource string
	IMAP           Server // Host "" for a send-only account (an API sender without IMAP)
	SMTP           Server // Host "" when an API sender needs none
	Sender         Sender
	Auth           AuthKind         // PasswordAuth or OAuth
	OAuthProvider  oauth.ProviderID // OAuth: google or microsoft
	Status         Status
	StatusCode     string
	LastCheck      time.Time // zero when never checked
	Disabled       bool
	CreatedAt      time.Time
	secretID       string
}

// NewAccount is what the wizard collects (the password travels separately).
type NewAccount struct {
	Name           string
	Email          string
	FromName       string
	Provider       string
	SettingsSource string
	IMAP           Server // zero for a send-only account (API sender only)
	SMTP           Server // may be zero when Sender is an API sender
	Sender         Sender
	Auth           AuthKind         // "" reads as PasswordAuth
	OAuthProvider  oauth.ProviderID // with OAuth: google or microsoft
}

// NeedsSignIn reports whether an OAuth account's grant was refused: only signing in again
// (in the browser) brings it back.
func (a Account) NeedsSignIn() bool { return a.Auth == OAuth && a.Status == NeedsPassword }

// HasIMAP reports whether the account receives mail (is synced): a send-only account,
// whose API sender is all it has, does not.
func (a Account) HasIMAP() bool { return a.IMAP.Host != "" }

// Secrets are the secrets typed in the wizard. On an update, "" keeps the stored one.
type Secrets struct {
	Password string // the IMAP/SMTP password
	Sender   string // the API sender's token (Postmark) or key (Mailgun)
	// Grant is a completed sign-in with Google or Microsoft, for an OAuth account: its
	// address must be the account's.
	Grant *oauth.Grant
}

// Limits on fields.
const (
	maxNameLen   = 200
	maxHostLen   = 253
	maxStreamLen = 100
)

// Placeholders written to a server's port and security columns when the account has no
// such server (Host ""): the columns' CHECKs require values (see migration 0007).
const (
	noIMAPPort = 993
	noSMTPPort = 465
)

// quotaKey is the setting holding the quota of active accounts; absent or 0 means no limit.
const quotaKey = "accounts.quota"

// Registry reads and writes accounts.
type Registry struct {
	db     *store.DB
	vault  vault.Vault
	tokens *oauth.TokenStore // nil: OAuth accounts cannot be created or used
	// onSignIn is told when an OAuth account's grant was refused (SetTokens).
	onSignIn func(id int64)
}

// New returns the registry. It does no I/O.
func New(db *store.DB, v vault.Vault) *Registry { return &Registry{db: db, vault: v} }

// SetTokens gives the registry the store of OAuth grants (refresh tokens in the same vault).
// Without it, OAuth accounts are refused. When the provider refuses a grant, the account is
// marked "needs sign-in" at once — whoever met the refusal (sync, outbox, test) — and
// onNeedsSignIn (may be nil) is told, to stop what uses it.
func (r *Registry) SetTokens(t *oauth.TokenStore, onNeedsSignIn func(id int64)) {
	r.tokens, r.onSignIn = t, onNeedsSignIn
	t.OnNeedsSignIn(r.grantRefused)
}

func (r *Registry) grantRefused(secretID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var id int64
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE secret_id=? AND auth='oauth'`, secretID).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET status='needs_password', status_code=?, last_check_at=? WHERE id=?`,
			string(fault.AuthFailed), time.Now().Unix(), id)
		return err
	})
	if err != nil {
		return // a grant not saved as an account yet, or an account deleted meanwhile
	}
	if r.onSignIn != nil {
		r.onSignIn(id)
	}
}

func passwordKey(secretID string) string { return "account/" + secretID + "/password" }

// senderKey names the API sender's token or key in the vault.
func senderKey(secretID string) string { return "account/" + secretID + "/sender" }

func newSecretID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validServer(field string, s Server) (Server, error) {
	s.Host = strings.TrimSpace(strings.ToLower(s.Host))
	s.Username = strings.TrimSpace(s.Username)
	switch {
	case s.Host == "" || len(s.Host) > maxHostLen || strings.ContainsAny(s.Host, " /:@"):
		return s, fault.Invalid(field+".host", "Enter the server's name, such as imap.example.com.")
	case s.Port < 1 || s.Port > 65535:
		return s, fault.Invalid(field+".port", "Enter a port between 1 and 65535.")
	case !s.Security.Valid():
		return s, fault.Invalid(field+".security", "Choose TLS or STARTTLS.")
	case s.Username == "":
		return s, fault.Invalid(field+".username", "Enter the username (often your email address).")
	}
	return s, nil
}

func (in NewAccount) normalise() (NewAccount, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.FromName = strings.TrimSpace(in.FromName)
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != in.Email || !strings.Contains(in.Email, "@") {
		return in, fault.Invalid("email", "Enter an email address such as name@example.com.")
	}
	if in.Name == "" {
		in.Name = in.Email
	}
	if len(in.Name) > maxNameLen || len(in.FromName) > maxNameLen {
		return in, fault.Invalid("name", fmt.Sprintf("The name is too long (at most %d characters).", maxNameLen))
	}
	if in.Sender, err = validSender(in.Sender); err != nil {
		return in, err
	}
	switch in.Auth {
	case "", PasswordAuth:
		in.Auth, in.OAuthProvider = PasswordAuth, ""
	case OAuth:
		if in.OAuthProvider != oauth.Google && in.OAuthProvider != oauth.Microsoft {
			return in, fault.Invalid("oauthProvider", "Choose Google or Microsoft to sign in with.")
		}
		if in.Sender.Kind.API() && strings.TrimSpace(in.IMAP.Host) == "" {
			return in, fault.Invalid("auth", "An account that only sends through Postmark or Mailgun has nothing to sign in to.")
		}
	default:
		return in, fault.Invalid("auth", "Choose how this account signs in: a password, or Google or Microsoft.")
	}
	// An API sender may be all an account has (send-only); an SMTP sender needs a mailbox
	// and its SMTP server. A send-only account keeps no SMTP settings: nothing would use them.
	api := in.Sender.Kind.API()
	if !api || strings.TrimSpace(in.IMAP.Host) != "" {
		if in.IMAP, err = validServer("imap", in.IMAP); err != nil {
			return in, err
		}
	} else {
		in.IMAP = Server{}
	}
	switch {
	case !api:
		if in.SMTP, err = validServer("smtp", in.SMTP); err != nil {
			return in, err
		}
	case in.IMAP.Host == "" || strings.TrimSpace(in.SMTP.Host) == "":
		in.SMTP = Server{}
	default:
		// Receive here, send there: the SMTP settings are kept for a switch back, and
		// checked so that one would work.
		if in.SMTP, err = validServer("smtp", in.SMTP); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Normalised returns the account as Create would store it (trimmed, lower-cased hosts, the
// sender's defaults), or the first invalid field.
func (in NewAccount) Normalised() (NewAccount, error) { return in.normalise() }

// NeedsPassword reports whether the account logs in to a mail server with a password (a
// send-only account does not).
func (in NewAccount) NeedsPassword() bool { return in.needsPassword() }

// needsPassword reports whether the account logs in to a mail server with a password.
func (in NewAccount) needsPassword() bool {
	return in.Auth != OAuth && in.usesServers()
}

// usesServers reports whether the account logs in to a mail server at all.
func (in NewAccount) usesServers() bool {
	return in.IMAP.Host != "" || (in.SMTP.Host != "" && !in.Sender.Kind.API())
}

// checkGrant refuses a sign-in that is missing, or made with another address than the
// account's.
func checkGrant(in NewAccount, g *oauth.Grant, tokens *oauth.TokenStore) error {
	if tokens == nil {
		return fault.New(fault.Internal, "Signing in with Google or Microsoft is not available in this build.")
	}
	if g == nil || g.Token == nil || g.Token.RefreshToken == "" {
		return fault.Invalid("auth", "Sign in with "+providerName(in.OAuthProvider)+" first.")
	}
	if g.Provider != in.OAuthProvider {
		return fault.Invalid("auth", "This sign-in was made with another provider: sign in with "+providerName(in.OAuthProvider)+" again.")
	}
	if !strings.EqualFold(g.Email, in.Email) {
		return &fault.Error{Code: fault.InvalidInput, Field: "email",
			Message: fmt.Sprintf("You signed in as %s, but this account is %s. Sign in again with %s.", g.Email, in.Email, in.Email)}
	}
	return nil
}

func providerName(p oauth.ProviderID) string {
	if p == oauth.Microsoft {
		return "Microsoft"
	}
	return "Google"
}

func validSender(s Sender) (Sender, error) {
	if s.Kind == "" {
		s.Kind = SMTPSender
	}
	s.Domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s.Domain), "."))
	s.Region = strings.ToLower(strings.TrimSpace(s.Region))
	s.Stream = strings.TrimSpace(s.Stream)
	switch s.Kind {
	case SMTPSender:
		return Sender{Kind: SMTPSender}, nil
	case Postmark:
		if len(s.Stream) > maxStreamLen || strings.ContainsAny(s.Stream, " /?#\t\n") {
			return s, fault.Invalid("sender.stream", "Enter the message stream's ID as Postmark shows it (for example outbound), or leave it empty.")
		}
		return Sender{Kind: Postmark, Stream: s.Stream}, nil
	case Mailgun:
		if !validDomain(s.Domain) {
			return s, fault.Invalid("sender.domain", "Enter the sending domain as Mailgun shows it (for example mg.example.com).")
		}
		if s.Region == "" {
			s.Region = RegionUS
		}
		if s.Region != RegionUS && s.Region != RegionEU {
			return s, fault.Invalid("sender.region", "Choose the region of the Mailgun domain: US or EU.")
		}
		return Sender{Kind: Mailgun, Domain: s.Domain, Region: s.Region}, nil
	}
	return s, fault.Invalid("sender.kind", "Choose how this account sends: its SMTP server, Postmark or Mailgun.")
}

// validDomain accepts a DNS name of at least two labels, letters, digits and hyphens.
func validDomain(d string) bool {
	if len(d) == 0 || len(d) > maxHostLen || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// columns returns a server's column values, with the placeholders for a missing server.
func columns(s Server, placeholderPort int) (host string, port int, security, username string) {
	if s.Host == "" {
		return "", placeholderPort, string(TLS), ""
	}
	return s.Host, s.Port, string(s.Security), s.Username
}

// Create adds an account, stores its password in the vault and grants access to its
// creator. Nothing is kept if the vault refuses the password or the quota is reached.
func (r *Registry) Create(ctx context.Context, creatorID int64, in NewAccount, password string) (Account, error) {
	return r.CreateWith(ctx, creatorID, in, Secrets{Password: password})
}

// CreateWith adds an account with its secrets: the password when it has a mail server to
// log in to, the API sender's token or key when it sends through one. Nothing is kept if
// the vault refuses a secret or the quota is reached.
func (r *Registry) CreateWith(ctx context.Context, creatorID int64, in NewAccount, sec Secrets) (Account, error) {
	in, err := in.normalise()
	if err != nil {
		return Account{}, err
	}
	if in.needsPassword() && sec.Password == "" {
		return Account{}, fault.Invalid("password", "Enter the password.")
	}
	if in.Sender.Kind.API() && strings.TrimSpace(sec.Sender) == "" {
		return Account{}, senderSecretMissing(in.Sender.Kind)
	}
	if in.Auth == OAuth {
		if err := checkGrant(in, sec.Grant, r.tokens); err != nil {
			return Account{}, err
		}
	}
	secretID := newSecretID()
	now := time.Now().UTC()
	imapHost, imapPort, imapSec, imapUser := columns(in.IMAP, noIMAPPort)
	smtpHost, smtpPort, smtpSec, smtpUser := columns(in.SMTP, noSMTPPort)
	var id int64
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := r.checkQuota(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts(name, email, secret_id, from_name, provider, settings_source,
			imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username,
			sender, sender_domain, sender_region, sender_stream, auth, oauth_provider,
			created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.Name, in.Email, secretID, in.FromName, in.Provider, in.SettingsSource,
			imapHost, imapPort, imapSec, imapUser, smtpHost, smtpPort, smtpSec, smtpUser,
			string(in.Sender.Kind), in.Sender.Domain, in.Sender.Region, in.Sender.Stream,
			string(in.Auth), string(in.OAuthProvider),
			nullID(creatorID), now.Unix())
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed") {
				return &fault.Error{Code: fault.Conflict, Field: "email", Message: "This address is already connected."}
			}
			return fmt.Errorf("accounts: insert: %w", err)
		}
		id, _ = res.LastInsertId()
		if creatorID > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO account_access(account_id, user_id, granted_at) VALUES (?,?,?)`,
				id, creatorID, now.Unix()); err != nil {
				return fmt.Errorf("accounts: grant creator: %w", err)
			}
		}
		// The secrets go to the vault inside the transaction: if the vault refuses, the
		// account row is rolled back and nothing is half-created.
		if sec.Password != "" && in.needsPassword() {
			if err := r.vault.Set(passwordKey(secretID), sec.Password); err != nil {
				return err
			}
		}
		if in.Sender.Kind.API() {
			if err := r.vault.Set(senderKey(secretID), strings.TrimSpace(sec.Sender)); err != nil {
				return err
			}
		}
		if in.Auth == OAuth {
			return r.tokens.Save(secretID, sec.Grant)
		}
		return nil
	})
	if err != nil {
		// In case the commit itself failed after the vault took them.
		_ = r.vault.Delete(passwordKey(secretID))
		_ = r.vault.Delete(senderKey(secretID))
		if r.tokens != nil {
			_ = r.tokens.Delete(secretID)
		}
		return Account{}, err
	}
	return r.Get(ctx, id)
}

func senderSecretMissing(k SenderKind) error {
	if k == Mailgun {
		return fault.Invalid("senderSecret", "Enter the Mailgun API key.")
	}
	return fault.Invalid("senderSecret", "Enter the Postmark server's API token.")
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Update changes an account's settings; an empty password keeps the stored one.
func (r *Registry) Update(ctx context.Context, id int64, in NewAccount, password string) (Account, error) {
	return r.UpdateWith(ctx, id, in, Secrets{Password: password})
}

// UpdateWith changes an account's settings and, when given, its secrets ("" keeps the
// stored one). Switching to an API sender needs its token or key unless one is stored;
// switching back to SMTP removes it from the vault.
func (r *Registry) UpdateWith(ctx context.Context, id int64, in NewAccount, sec Secrets) (Account, error) {
	in, err := in.normalise()
	if err != nil {
		return Account{}, err
	}
	cur, err := r.Get(ctx, id)
	if err != nil {
		return Account{}, err
	}
	sec.Sender = strings.TrimSpace(sec.Sender)
	// An OAuth account keeps its grant unless a new sign-in comes with the update; one
	// that becomes OAuth needs a sign-in.
	if in.Auth == OAuth && (sec.Grant != nil || cur.Auth != OAuth || cur.OAuthProvider != in.OAuthProvider) {
		if err := checkGrant(in, sec.Grant, r.tokens); err != nil {
			return Account{}, err
		}
	}
	if in.Auth == OAuth && cur.Auth == OAuth && sec.Grant == nil && !strings.EqualFold(in.Email, cur.Email) {
		return Account{}, &fault.Error{Code: fault.InvalidInput, Field: "email",
			Message: fmt.Sprintf("This account signed in as %s: to use another address, sign in again with it.", cur.Email)}
	}
	if in.needsPassword() && sec.Password == "" {
		// A send-only account given a mailbox needs the mailbox's password.
		if _, err := r.vault.Get(passwordKey(cur.secretID)); errors.Is(err, vault.ErrNotFound) {
			return Account{}, fault.Invalid("password", "Enter the password.")
		}
	}
	if in.Sender.Kind.API() && sec.Sender == "" {
		if _, err := r.vault.Get(senderKey(cur.secretID)); errors.Is(err, vault.ErrNotFound) {
			return Account{}, senderSecretMissing(in.Sender.Kind)
		} else if err != nil {
			return Account{}, err
		}
	}
	// A token for a different sender (a Postmark token kept when switching to Mailgun)
	// would be sent to the wrong provider.
	if in.Sender.Kind != cur.Sender.Kind && in.Sender.Kind.API() && cur.Sender.Kind.API() && sec.Sender == "" {
		return Account{}, senderSecretMissing(in.Sender.Kind)
	}
	changed := sec.Password != "" || sec.Sender != "" || sec.Grant != nil || in.IMAP != cur.IMAP || in.SMTP != cur.SMTP ||
		in.Sender != cur.Sender || in.Auth != cur.Auth
	imapHost, imapPort, imapSec, imapUser := columns(in.IMAP, noIMAPPort)
	smtpHost, smtpPort, smtpSec, smtpUser := columns(in.SMTP, noSMTPPort)
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET name=?, email=?, from_name=?, provider=?, settings_source=?,
			imap_host=?, imap_port=?, imap_security=?, imap_username=?, smtp_host=?, smtp_port=?, smtp_security=?, smtp_username=?,
			sender=?, sender_domain=?, sender_region=?, sender_stream=?, auth=?, oauth_provider=?,
			status = CASE WHEN ? THEN 'unchecked' ELSE status END
			WHERE id=?`,
			in.Name, in.Email, in.FromName, in.Provider, in.SettingsSource,
			imapHost, imapPort, imapSec, imapUser, smtpHost, smtpPort, smtpSec, smtpUser,
			string(in.Sender.Kind), in.Sender.Domain, in.Sender.Region, in.Sender.Stream,
			string(in.Auth), string(in.OAuthProvider),
			changed, id)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed") {
				return &fault.Error{Code: fault.Conflict, Field: "email", Message: "This address is already connected."}
			}
			return fmt.Errorf("accounts: update %d: %w", id, err)
		}
		if sec.Password != "" && in.needsPassword() {
			if err := r.vault.Set(passwordKey(cur.secretID), sec.Password); err != nil {
				return err
			}
		}
		if sec.Sender != "" && in.Sender.Kind.API() {
			if err := r.vault.Set(senderKey(cur.secretID), sec.Sender); err != nil {
				return err
			}
		}
		if in.Auth == OAuth && sec.Grant != nil {
			return r.tokens.Save(cur.secretID, sec.Grant)
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	if in.Auth != OAuth && cur.Auth == OAuth && r.tokens != nil {
		_ = r.tokens.Delete(cur.secretID)
	}
	// Secrets nothing uses any more leave the keychain (after the commit: a failed update
	// must not lose them).
	if !in.Sender.Kind.API() && cur.Sender.Kind.API() {
		_ = r.vault.Delete(senderKey(cur.secretID))
	}
	if !in.needsPassword() {
		_ = r.vault.Delete(passwordKey(cur.secretID))
	}
	return r.Get(ctx, id)
}

const selectAccount = `SELECT id, name, email, secret_id, from_name, provider, settings_source,
	imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username,
	sender, sender_domain, sender_region, sender_stream, auth, oauth_provider,
	status, status_code, COALESCE(last_check_at, 0), disabled, created_at FROM accounts`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var imapSec, smtpSec, sender, status, auth, oauthProvider string
	var lastCheck, created int64
	err := row.Scan(&a.ID, &a.Name, &a.Email, &a.secretID, &a.FromName, &a.Provider, &a.SettingsSource,
		&a.IMAP.Host, &a.IMAP.Port, &imapSec, &a.IMAP.Username, &a.SMTP.Host, &a.SMTP.Port, &smtpSec, &a.SMTP.Username,
		&sender, &a.Sender.Domain, &a.Sender.Region, &a.Sender.Stream, &auth, &oauthProvider,
		&status, &a.StatusCode, &lastCheck, &a.Disabled, &created)
	if err != nil {
		return Account{}, err
	}
	a.IMAP.Security, a.SMTP.Security, a.Status = Security(imapSec), Security(smtpSec), Status(status)
	a.Sender.Kind = SenderKind(sender)
	a.Auth, a.OAuthProvider = AuthKind(auth), oauth.ProviderID(oauthProvider)
	// A missing server reads as the zero Server, not as its placeholder columns.
	if a.IMAP.Host == "" {
		a.IMAP = Server{}
	}
	if a.SMTP.Host == "" {
		a.SMTP = Server{}
	}
	if lastCheck > 0 {
		a.LastCheck = time.Unix(lastCheck, 0).UTC()
	}
	a.CreatedAt = time.Unix(created, 0).UTC()
	return a, nil
}

var errGone = fault.New(fault.NotFound, "This account no longer exists.")

// Get returns one account.
func (r *Registry) Get(ctx context.Context, id int64) (Account, error) {
	a, err := scanAccount(r.db.R.QueryRowContext(ctx, selectAccount+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, errGone
	}
	if err != nil {
		return Account{}, fmt.Errorf("accounts: get %d: %w", id, err)
	}
	return a, nil
}

// List returns every account; with userID > 0, only those the user has access to.
func (r *Registry) List(ctx context.Context, userID int64) ([]Account, error) {
	q, args := selectAccount+` ORDER BY name COLLATE NOCASE, id`, []any{}
	if userID > 0 {
		q = selectAccount + ` WHERE id IN (SELECT account_id FROM account_access WHERE user_id = ?) ORDER BY name COLLATE NOCASE, id`
		args = append(args, userID)
	}
	rows, err := r.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: list: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("accounts: list: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Password returns the account's password from the vault.
func (r *Registry) Password(ctx context.Context, id int64) (string, error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return "", err
	}
	pw, err := r.vault.Get(passwordKey(a.secretID))
	if errors.Is(err, vault.ErrNotFound) {
		return "", fault.New(fault.AuthFailed, "Mailroom has no password for this account: enter it again.")
	}
	return pw, err
}

// SenderSecret returns the account's API sender token or key from the vault.
func (r *Registry) SenderSecret(ctx context.Context, id int64) (string, error) {
	a, err := r.Get(ctx, id)
	if err != nil {
		return "", err
	}
	if !a.Sender.Kind.API() {
		return "", fault.New(fault.InvalidInput, "This account sends through its SMTP server, not an API sender.")
	}
	s, err := r.vault.Get(senderKey(a.secretID))
	if errors.Is(err, vault.ErrNotFound) {
		what := "Postmark server token"
		if a.Sender.Kind == Mailgun {
			what = "Mailgun API key"
		}
		return "", &fault.Error{Code: fault.AuthFailed, Field: "senderSecret",
			Message: fmt.Sprintf("Mailroom has no %s for this account: enter it again in the account's settings.", what)}
	}
	return s, err
}

// RecordCheck stores the result of a connection check: code is "" on success.
func (r *Registry) RecordCheck(ctx context.Context, id int64, code fault.Code) error {
	status, c := OK, ""
	if code != "" {
		status, c = Failing, string(code)
		if code == fault.AuthFailed {
			status = NeedsPassword
		}
	}
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET status=?, status_code=?, last_check_at=? WHERE id=?`,
			string(status), c, time.Now().Unix(), id)
		if err != nil {
			return fmt.Errorf("accounts: record check %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errGone
		}
		return nil
	})
}

// SetDisabled disables (no sync, hidden from inboxes, not counted in the quota) or enables
// an account. Enabling needs a free place in the quota.
func (r *Registry) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		var cur bool
		err := tx.QueryRowContext(ctx, `SELECT disabled FROM accounts WHERE id=?`, id).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return errGone
		}
		if err != nil || cur == disabled {
			return err
		}
		if !disabled {
			if err := r.checkQuota(ctx, tx); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET disabled=? WHERE id=?`, disabled, id)
		return err
	})
}

// Delete removes an account and its secrets. It is refused while a user has access to it,
// when any of its messages was processed, or while its Outbox holds a message not settled
// (queued, sending, failed or possibly sent); disable it instead.
func (r *Registry) Delete(ctx context.Context, id int64) error {
	a, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		var users, processed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM account_access WHERE account_id=?`, id).Scan(&users); err != nil {
			return err
		}
		if users > 0 {
			return fault.New(fault.Conflict, fmt.Sprintf("This account cannot be deleted: %d user(s) still have access to it. Remove their access first, or disable the account.", users))
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE account_id=? AND processed_at IS NOT NULL`, id).Scan(&processed); err != nil {
			return err
		}
		if processed > 0 {
			return fault.New(fault.Conflict, "This account cannot be deleted: some of its messages have been filed or sent. Disable it instead.")
		}
		// Deleting the account would delete its outbox rows with it: a message still
		// waiting to go (or whose fate is unknown) must be dealt with first.
		var waiting int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE account_id=? AND state IN ('queued','sending','failed','possibly_sent')`, id).Scan(&waiting); err != nil {
			return err
		}
		if waiting > 0 {
			return fault.New(fault.Conflict, fmt.Sprintf("This account cannot be deleted: %d of its messages are still in the Outbox (waiting, failed or possibly sent). Send or cancel them first, or disable the account.", waiting))
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id=?`, id)
		return err
	})
	if err != nil {
		return err
	}
	if err := r.vault.Delete(passwordKey(a.secretID)); err != nil {
		return err
	}
	if r.tokens != nil {
		if err := r.tokens.Delete(a.secretID); err != nil {
			return err
		}
	}
	return r.vault.Delete(senderKey(a.secretID))
}

// Grant gives a user access to an account.
func (r *Registry) Grant(ctx context.Context, accountID, userID int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_access(account_id, user_id, granted_at) VALUES (?,?,?)
			ON CONFLICT DO NOTHING`, accountID, userID, time.Now().Unix())
		if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
			return fault.New(fault.NotFound, "This account or user no longer exists.")
		}
		return err
	})
}

// Revoke removes a user's access to an account.
func (r *Registry) Revoke(ctx context.Context, accountID, userID int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM account_access WHERE account_id=? AND user_id=?`, accountID, userID)
		return err
	})
}

// Access lists the ids of the users who may use an account.
func (r *Registry) Access(ctx context.Context, accountID int64) ([]int64, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT user_id FROM account_access WHERE account_id=? ORDER BY user_id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CanUse reports whether a user has access to an account.
func (r *Registry) CanUse(ctx context.Context, accountID, userID int64) (bool, error) {
	var ok bool
	err := r.db.R.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM account_access WHERE account_id=? AND user_id=?)`,
		accountID, userID).Scan(&ok)
	return ok, err
}

// Quota returns the quota of active accounts (0: no limit) and how many are active.
func (r *Registry) Quota(ctx context.Context) (limit, active int, err error) {
	v, _, err := r.db.Setting(ctx, quotaKey)
	if err != nil {
		return 0, 0, err
	}
	fmt.Sscan(v, &limit)
	err = r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE disabled = 0`).Scan(&active)
	return limit, active, err
}

// SetQuota sets the quota of active accounts; 0 removes the limit. A quota below the
// number of active accounts is allowed (nothing is disabled) but blocks new ones.
func (r *Registry) SetQuota(ctx context.Context, limit int) error {
	if limit < 0 || limit > 10000 {
		return fault.Invalid("quota", "Enter a number of accounts between 0 (no limit) and 10000.")
	}
	return r.db.SetSetting(ctx, quotaKey, fmt.Sprint(limit))
}

func (r *Registry) checkQuota(ctx context.Context, tx *sql.Tx) error {
	var v string
	var limit, active int
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, quotaKey).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	fmt.Sscan(v, &limit)
	if limit == 0 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE disabled = 0`).Scan(&active); err != nil {
		return err
	}
	if active >= limit {
		return fault.New(fault.QuotaReached, fmt.Sprintf("The quota of %d active accounts is reached. Disable an account, or ask the super admin to raise the quota.", limit))
	}
	return nil
}
