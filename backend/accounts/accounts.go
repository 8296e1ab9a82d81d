// Package accounts is the registry of email accounts: their server settings, who may use
// them, the quota of active accounts and the admins' domain presets (F2, F5, F6, F18).
//
//	reg := accounts.New(db, vault)
//	n, err := reg.CleanOrphanedSecrets(ctx) // at start: secrets a crash or a failed delete left
//	acc, err := reg.CreateWith(ctx, creatorID, accounts.NewAccount{…}, accounts.Secrets{Password: pw}) // password → keychain
//	pw, err := reg.Password(ctx, acc.ID)
//	err = reg.SetDisabled(ctx, acc.ID, true) // frees a place in the quota
//	err = reg.Delete(ctx, acc.ID)            // refused while someone has access or mail was processed
//
// Settings live in SQLite; the password lives only in the vault, under a key made from a
// random id (so two databases on one machine never share keychain items). No keychain call
// is made inside a write transaction (see secrets.go): a secret is written first under a new
// id, then the row is committed pointing at it.
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
	"strconv"
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
	secrets        secretIDs
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
	// run names this process's pending secrets (pending_secrets.run): CleanOrphanedSecrets
	// removes only those of earlier runs, never one a Create of this run is writing.
	run string
}

// New returns the registry. It does no I/O.
func New(db *store.DB, v vault.Vault) *Registry {
	return &Registry{db: db, vault: v, run: newSecretID()}
}

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
		err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE oauth_secret=? AND auth='oauth'`, secretID).Scan(&id)
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

func newSecretID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validServer checks one server; field is "imap" or "smtp", the form's group and the
// reasons' {server} param.
func validServer(field string, s Server) (Server, error) {
	s.Host = strings.TrimSpace(strings.ToLower(s.Host))
	s.Username = strings.TrimSpace(s.Username)
	p := fault.P{"server": field}
	switch {
	case s.Host == "" || len(s.Host) > maxHostLen || strings.ContainsAny(s.Host, " /:@"):
		return s, ErrServerHostInvalid.Field(field+".host", p)
	case s.Port < 1 || s.Port > 65535:
		return s, ErrServerPortInvalid.Field(field+".port", p)
	case !s.Security.Valid():
		return s, ErrServerSecurityInvalid.Field(field+".security", p)
	case s.Username == "":
		return s, ErrServerUsernameMissing.Field(field+".username", p)
	}
	return s, nil
}

func (in NewAccount) normalise() (NewAccount, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.FromName = strings.TrimSpace(in.FromName)
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != in.Email || !strings.Contains(in.Email, "@") {
		return in, ErrAccountEmailInvalid.Field("email", nil)
	}
	if in.Name == "" {
		in.Name = in.Email
	}
	if len(in.Name) > maxNameLen {
		return in, ErrAccountNameTooLong.Field("name", fault.P{"max": maxNameLen})
	}
	if len(in.FromName) > maxNameLen {
		return in, ErrAccountNameTooLong.Field("fromName", fault.P{"max": maxNameLen})
	}
	if in.Sender, err = validSender(in.Sender); err != nil {
		return in, err
	}
	switch in.Auth {
	case "", PasswordAuth:
		in.Auth, in.OAuthProvider = PasswordAuth, ""
	case OAuth:
		if in.OAuthProvider != oauth.Google && in.OAuthProvider != oauth.Microsoft {
			return in, ErrAccountOAuthProviderInvalid.Field("oauthProvider", nil)
		}
		if in.Sender.Kind.API() && strings.TrimSpace(in.IMAP.Host) == "" {
			return in, ErrAccountSendOnlyOAuth.Field("auth", nil)
		}
	default:
		return in, ErrAccountAuthInvalid.Field("auth", nil)
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
		return ErrAccountOAuthUnavailable.New(nil)
	}
	p := fault.P{"provider": providerName(in.OAuthProvider)}
	if g == nil || g.Token == nil || g.Token.RefreshToken == "" {
		return ErrAccountSignInFirst.Field("auth", p)
	}
	if g.Provider != in.OAuthProvider {
		return ErrAccountSignInOtherProvider.Field("auth", p)
	}
	if !strings.EqualFold(g.Email, in.Email) {
		return ErrAccountSignInOtherAddress.Field("email", fault.P{"signedIn": g.Email, "address": in.Email})
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
			return s, ErrAccountPostmarkStreamInvalid.Field("sender.stream", nil)
		}
		return Sender{Kind: Postmark, Stream: s.Stream}, nil
	case Mailgun:
		if !validDomain(s.Domain) {
			return s, ErrAccountMailgunDomainInvalid.Field("sender.domain", nil)
		}
		if s.Region == "" {
			s.Region = RegionUS
		}
		if s.Region != RegionUS && s.Region != RegionEU {
			return s, ErrAccountMailgunRegionInvalid.Field("sender.region", nil)
		}
		return Sender{Kind: Mailgun, Domain: s.Domain, Region: s.Region}, nil
	}
	return s, ErrAccountSenderInvalid.Field("sender.kind", nil)
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

// CreateWith adds an account with its secrets: the password when it has a mail server to
// log in to, the API sender's token or key when it sends through one, the grant of an
// OAuth sign-in; its creator gets access. The secrets are written to the vault first, under
// a new id and outside any transaction (a keychain prompt must not hold the store's only
// writer), then the row is committed pointing at them; if the row is refused (the quota is
// reached, the address is already connected) the secrets are deleted again, and nothing is
// kept. A crash in between leaves secrets that CleanOrphanedSecrets removes at the next
// start.
func (r *Registry) CreateWith(ctx context.Context, creatorID int64, in NewAccount, sec Secrets) (Account, error) {
	in, err := in.normalise()
	if err != nil {
		return Account{}, err
	}
	if in.needsPassword() && sec.Password == "" {
		return Account{}, ErrAccountPasswordMissing.Field("password", nil)
	}
	if in.Sender.Kind.API() && strings.TrimSpace(sec.Sender) == "" {
		return Account{}, senderSecretMissing(in.Sender.Kind)
	}
	if in.Auth == OAuth {
		if err := checkGrant(in, sec.Grant, r.tokens); err != nil {
			return Account{}, err
		}
	}
	// The quota is checked again in the transaction; checking it first spares the user a
	// keychain prompt for an account that cannot be created.
	if err := r.checkQuota(ctx, r.db.R); err != nil {
		return Account{}, err
	}
	secretID := newSecretID()
	var ids secretIDs
	var writes []secretWrite
	if sec.Password != "" && in.needsPassword() {
		ids.password = secretID
		writes = append(writes, secretWrite{ref: secretRef{secretID, kindPassword}, value: sec.Password})
	}
	if in.Sender.Kind.API() {
		ids.sender = secretID
		writes = append(writes, secretWrite{ref: secretRef{secretID, kindSender}, value: strings.TrimSpace(sec.Sender)})
	}
	if in.Auth == OAuth {
		ids.oauth = secretID
		writes = append(writes, secretWrite{ref: secretRef{secretID, kindOAuth}, grant: sec.Grant})
	}
	if err := r.writeSecrets(ctx, writes); err != nil {
		return Account{}, err
	}
	written := refsOf(writes)
	now := time.Now().UTC()
	imapHost, imapPort, imapSec, imapUser := columns(in.IMAP, noIMAPPort)
	smtpHost, smtpPort, smtpSec, smtpUser := columns(in.SMTP, noSMTPPort)
	var id int64
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := r.checkQuota(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts(name, email, secret_id, password_secret, sender_secret, oauth_secret,
			from_name, provider, settings_source,
			imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username,
			sender, sender_domain, sender_region, sender_stream, auth, oauth_provider,
			created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.Name, in.Email, secretID, ids.password, ids.sender, ids.oauth,
			in.FromName, in.Provider, in.SettingsSource,
			imapHost, imapPort, imapSec, imapUser, smtpHost, smtpPort, smtpSec, smtpUser,
			string(in.Sender.Kind), in.Sender.Domain, in.Sender.Region, in.Sender.Stream,
			string(in.Auth), string(in.OAuthProvider),
			nullID(creatorID), now.Unix())
		if err != nil {
			if store.IsUnique(err) {
				return ErrEmailConnected.Wrap(err, fault.P{"address": in.Email}).WithField("email")
			}
			return fmt.Errorf("accounts: insert: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("accounts: insert: %w", err)
		}
		if creatorID > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO account_access(account_id, user_id, granted_at) VALUES (?,?,?)`,
				id, creatorID, now.Unix()); err != nil {
				return fmt.Errorf("accounts: grant creator: %w", err)
			}
		}
		// The row names its secrets now: they are no longer pending.
		return settled(ctx, tx, written)
	})
	if err != nil {
		// The keychain errors of the undo stay pending: the next start removes them.
		_ = r.dropSecrets(ctx, written)
		return Account{}, err
	}
	return r.Get(ctx, id)
}

func senderSecretMissing(k SenderKind) error {
	if k == Mailgun {
		return ErrAccountMailgunKeyMissing.Field("senderSecret", nil)
	}
	return ErrAccountPostmarkTokenMissing.Field("senderSecret", nil)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// UpdateWith changes an account's settings and, when given, its secrets ("" keeps the
// stored one). Switching to an API sender needs its token or key unless one is stored;
// switching back to SMTP removes it from the vault.
//
// A new secret is written to the vault first, under a new id and outside any transaction;
// the row is then committed pointing at it, and only then is the secret it replaces
// deleted. A refused update deletes the new secrets and keeps the old ones; an old secret
// the keychain fails to delete is removed at the next start (CleanOrphanedSecrets).
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
		return Account{}, ErrAccountOAuthAddressChange.Field("email", fault.P{"address": cur.Email})
	}
	if in.needsPassword() && sec.Password == "" {
		// A send-only account given a mailbox needs the mailbox's password.
		if ok, err := r.stored(secretRef{cur.secrets.password, kindPassword}); err != nil {
			return Account{}, err
		} else if !ok {
			return Account{}, ErrAccountPasswordMissing.Field("password", nil)
		}
	}
	if in.Sender.Kind.API() && sec.Sender == "" {
		if ok, err := r.stored(secretRef{cur.secrets.sender, kindSender}); err != nil {
			return Account{}, err
		} else if !ok {
			return Account{}, senderSecretMissing(in.Sender.Kind)
		}
	}
	// A token for a different sender (a Postmark token kept when switching to Mailgun)
	// would be sent to the wrong provider.
	if in.Sender.Kind != cur.Sender.Kind && in.Sender.Kind.API() && cur.Sender.Kind.API() && sec.Sender == "" {
		return Account{}, senderSecretMissing(in.Sender.Kind)
	}
	changed := sec.Password != "" || sec.Sender != "" || sec.Grant != nil || in.IMAP != cur.IMAP || in.SMTP != cur.SMTP ||
		in.Sender != cur.Sender || in.Auth != cur.Auth

	// Which secrets the row names after the update: a new one under a new id, the current
	// one, or none ("") when nothing uses it any more.
	newID := newSecretID()
	next := cur.secrets
	var writes []secretWrite
	switch {
	case sec.Password != "" && in.needsPassword():
		next.password = newID
		writes = append(writes, secretWrite{ref: secretRef{newID, kindPassword}, value: sec.Password})
	case !in.needsPassword():
		next.password = ""
	}
	switch {
	case sec.Sender != "" && in.Sender.Kind.API():
		next.sender = newID
		writes = append(writes, secretWrite{ref: secretRef{newID, kindSender}, value: sec.Sender})
	case !in.Sender.Kind.API():
		next.sender = ""
	}
	switch {
	case in.Auth == OAuth && sec.Grant != nil:
		next.oauth = newID
		writes = append(writes, secretWrite{ref: secretRef{newID, kindOAuth}, grant: sec.Grant})
	case in.Auth != OAuth:
		next.oauth = ""
	}
	replaced := cur.secrets.replacedBy(next)
	if err := r.writeSecrets(ctx, writes); err != nil {
		return Account{}, err
	}
	written := refsOf(writes)
	imapHost, imapPort, imapSec, imapUser := columns(in.IMAP, noIMAPPort)
	smtpHost, smtpPort, smtpSec, smtpUser := columns(in.SMTP, noSMTPPort)
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		// Another update may have replaced a secret since cur was read: its secret would
		// be lost under this one's.
		var now secretIDs
		err := tx.QueryRowContext(ctx, `SELECT password_secret, sender_secret, oauth_secret FROM accounts WHERE id=?`, id).
			Scan(&now.password, &now.sender, &now.oauth)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrAccountGone.New(nil)
		}
		if err != nil {
			return fmt.Errorf("accounts: update %d: %w", id, err)
		}
		if now != cur.secrets {
			return ErrAccountChanged.New(nil)
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET name=?, email=?, from_name=?, provider=?, settings_source=?,
			imap_host=?, imap_port=?, imap_security=?, imap_username=?, smtp_host=?, smtp_port=?, smtp_security=?, smtp_username=?,
			sender=?, sender_domain=?, sender_region=?, sender_stream=?, auth=?, oauth_provider=?,
			password_secret=?, sender_secret=?, oauth_secret=?,
			status = CASE WHEN ? THEN 'unchecked' ELSE status END
			WHERE id=?`,
			in.Name, in.Email, in.FromName, in.Provider, in.SettingsSource,
			imapHost, imapPort, imapSec, imapUser, smtpHost, smtpPort, smtpSec, smtpUser,
			string(in.Sender.Kind), in.Sender.Domain, in.Sender.Region, in.Sender.Stream,
			string(in.Auth), string(in.OAuthProvider),
			next.password, next.sender, next.oauth,
			changed, id)
		if err != nil {
			if store.IsUnique(err) {
				return ErrEmailConnected.Wrap(err, fault.P{"address": in.Email}).WithField("email")
			}
			return fmt.Errorf("accounts: update %d: %w", id, err)
		}
		if err := settled(ctx, tx, written); err != nil {
			return err
		}
		// The secrets the row stopped naming are pending until the keychain deleted them.
		return r.pending(ctx, tx, replaced)
	})
	if err != nil {
		_ = r.dropSecrets(ctx, written)
		return Account{}, err
	}
	// After the commit: a failed update must not lose them. A keychain that refuses now
	// leaves them pending for the next start.
	_ = r.dropSecrets(ctx, replaced)
	return r.Get(ctx, id)
}

const selectAccount = `SELECT id, name, email, password_secret, sender_secret, oauth_secret, from_name, provider, settings_source,
	imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username,
	sender, sender_domain, sender_region, sender_stream, auth, oauth_provider,
	status, status_code, COALESCE(last_check_at, 0), disabled, created_at FROM accounts`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var imapSec, smtpSec, sender, status, auth, oauthProvider string
	var lastCheck, created int64
	err := row.Scan(&a.ID, &a.Name, &a.Email, &a.secrets.password, &a.secrets.sender, &a.secrets.oauth, &a.FromName, &a.Provider, &a.SettingsSource,
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

// Get returns one account.
func (r *Registry) Get(ctx context.Context, id int64) (Account, error) {
	a, err := scanAccount(r.db.R.QueryRowContext(ctx, selectAccount+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, ErrAccountGone.New(nil)
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
	pw, err := r.get(secretRef{a.secrets.password, kindPassword})
	if errors.Is(err, vault.ErrNotFound) {
		return "", ErrAccountNoPassword.Wrap(err, fault.P{"address": a.Email})
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
		return "", ErrAccountNotAPISender.New(fault.P{"address": a.Email})
	}
	s, err := r.get(secretRef{a.secrets.sender, kindSender})
	if errors.Is(err, vault.ErrNotFound) {
		missing := ErrAccountNoPostmarkToken
		if a.Sender.Kind == Mailgun {
			missing = ErrAccountNoMailgunKey
		}
		return "", missing.Wrap(err, fault.P{"address": a.Email}).WithField("senderSecret")
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
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrAccountGone.New(nil)
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
			return ErrAccountGone.New(nil)
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
//
// The row goes first, recording its secrets as pending in the same transaction; the secrets
// leave the keychain after the commit. A keychain that fails then does not fail the delete:
// the secrets stay pending and CleanOrphanedSecrets removes them at the next start.
func (r *Registry) Delete(ctx context.Context, id int64) error {
	var secrets []secretRef
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		var address string
		var ids secretIDs
		err := tx.QueryRowContext(ctx, `SELECT email, password_secret, sender_secret, oauth_secret FROM accounts WHERE id=?`, id).
			Scan(&address, &ids.password, &ids.sender, &ids.oauth)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrAccountGone.New(nil)
		}
		if err != nil {
			return fmt.Errorf("accounts: delete %d: %w", id, err)
		}
		var users, processed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM account_access WHERE account_id=?`, id).Scan(&users); err != nil {
			return err
		}
		if users > 0 {
			return ErrDeleteHasAccess.New(fault.P{"address": address, "count": users})
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE account_id=? AND processed_at IS NOT NULL`, id).Scan(&processed); err != nil {
			return err
		}
		if processed > 0 {
			return ErrDeleteProcessedMail.New(fault.P{"address": address})
		}
		// Deleting the account would delete its outbox rows with it: a message still
		// waiting to go (or whose fate is unknown) must be dealt with first.
		var waiting int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE account_id=? AND state IN ('queued','sending','failed','possibly_sent')`, id).Scan(&waiting); err != nil {
			return err
		}
		if waiting > 0 {
			return ErrDeleteOutboxWaiting.New(fault.P{"address": address, "count": waiting})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id=?`, id); err != nil {
			return fmt.Errorf("accounts: delete %d: %w", id, err)
		}
		secrets = ids.refs()
		return r.pending(ctx, tx, secrets)
	})
	if err != nil {
		return err
	}
	// The account is gone whatever the keychain says now; what it refuses stays pending.
	_ = r.dropSecrets(ctx, secrets)
	return nil
}

// Grant gives a user access to an account.
func (r *Registry) Grant(ctx context.Context, accountID, userID int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_access(account_id, user_id, granted_at) VALUES (?,?,?)
			ON CONFLICT DO NOTHING`, accountID, userID, time.Now().Unix())
		if store.IsForeignKey(err) {
			return ErrAccountOrUserGone.Wrap(err, nil)
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
	return store.Int64s(r.db.R.QueryContext(ctx, `SELECT user_id FROM account_access WHERE account_id=? ORDER BY user_id`, accountID))
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
	if limit, err = parseQuota(v); err != nil {
		return 0, 0, err
	}
	err = r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE disabled = 0`).Scan(&active)
	return limit, active, err
}

// maxQuota is the highest quota of active accounts.
const maxQuota = 10000

// parseQuota reads the quota setting: "" (never set) is no limit.
func parseQuota(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	limit, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("accounts: the quota setting %q is not a number: %w", v, err)
	}
	return limit, nil
}

// SetQuota sets the quota of active accounts; 0 removes the limit. A quota below the
// number of active accounts is allowed (nothing is disabled) but blocks new ones.
func (r *Registry) SetQuota(ctx context.Context, limit int) error {
	if limit < 0 || limit > maxQuota {
		return ErrQuotaInvalid.Field("quota", fault.P{"max": maxQuota})
	}
	return r.db.SetSetting(ctx, quotaKey, fmt.Sprint(limit))
}

// querier is a transaction or the read pool.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkQuota refuses one more active account when the quota is reached.
func (r *Registry) checkQuota(ctx context.Context, q querier) error {
	var v string
	var active int
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, quotaKey).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	limit, err := parseQuota(v)
	if err != nil || limit == 0 {
		return err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE disabled = 0`).Scan(&active); err != nil {
		return err
	}
	if active >= limit {
		return ErrQuotaReached.New(fault.P{"limit": limit})
	}
	return nil
}
