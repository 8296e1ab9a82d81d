package oauth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"mailroom/backend/fault"
	"mailroom/backend/vault"
)

// The organisation's own client registrations, entered by a super admin in the settings:
// the client IDs are settings in the database; Google's installed-app secret goes to the
// vault only. A provider whose client ID is set in the Config given to New (by the
// environment) keeps it: the settings apply to the others.
//
//	regs := oauth.NewRegistrations(db, v)
//	c.UseRegistrations(regs)
//	err := regs.Save(ctx, oauth.Google, "123-abc.apps.googleusercontent.com", oauth.Replace("GOCSPX-…"))
//	states, err := c.Clients(ctx) // what the settings screen shows: never the secret

// Settings is where the client IDs are kept; *store.DB satisfies it.
type Settings interface {
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	SetSetting(ctx context.Context, key, value string) error
}

// ErrNotConfigured: the provider has no client registration, so no sign-in can start.
var ErrNotConfigured = errors.New("oauth: no client registration")

// The organisation's client registrations: what a super admin may enter, and a sign-in
// with a provider that has none.
var (
	ErrRegistrationProvider = fault.Define("oauth_registration_provider", fault.InvalidInput,
		"the provider must be Google or Microsoft")
	ErrGoogleClientID = fault.Define("oauth_google_client_id_invalid", fault.InvalidInput,
		"a Google client ID ends with .apps.googleusercontent.com")
	ErrMicrosoftClientID = fault.Define("oauth_microsoft_client_id_invalid", fault.InvalidInput,
		"a Microsoft client ID is the application (client) ID of the app registration, a GUID")
	ErrClientSecretInvalid = fault.Define("oauth_client_secret_invalid", fault.InvalidInput,
		"the client secret must be pasted exactly as the Google Cloud console shows it")
	ErrSignInNotSetUp = fault.Define("oauth_not_set_up", fault.InvalidInput,
		"sign in with {provider} is not set up: a super admin must enter the organisation's client ID in Settings")
)

// ClientSecretKey names a provider's installed-app secret in the vault.
func ClientSecretKey(id ProviderID) string { return "oauth/" + string(id) + "/client_secret" }

func clientIDSetting(id ProviderID) string     { return "oauth." + string(id) + ".client_id" }
func secretStoredSetting(id ProviderID) string { return "oauth." + string(id) + ".secret_stored" }

// HasClientSecret reports whether the provider's registration carries a secret: Google's
// installed apps do; Microsoft's public clients have none.
func HasClientSecret(id ProviderID) bool { return id == Google }

// ClientSource says where a provider's client registration comes from.
type ClientSource string

// Sources of a registration.
const (
	SourceNone        ClientSource = ""            // none: the provider is not configured
	SourceEnvironment ClientSource = "environment" // the Config given to New (MAILROOM_GOOGLE_CLIENT_ID…)
	SourceSettings    ClientSource = "settings"    // entered by a super admin
)

// ClientState is what may be shown of one provider's registration: never the secret.
type ClientState struct {
	Provider ProviderID
	Source   ClientSource
	ClientID string
	// SecretStored: an installed-app secret for the settings' registration is in the vault.
	SecretStored bool
}

// Configured reports whether sign-in with the provider can start.
func (s ClientState) Configured() bool { return s.Source != SourceNone }

// SecretChange says what Save does with the stored secret.
type SecretChange struct {
	op     int // 0: keep, 1: replace, 2: remove
	secret string
}

// Keep leaves the stored secret as it is; Remove deletes it; Replace stores a new one.
var (
	Keep   = SecretChange{}
	Remove = SecretChange{op: 2}
)

// Replace stores secret instead of the stored one.
func Replace(secret string) SecretChange { return SecretChange{op: 1, secret: secret} }

// Registrations keeps the organisation's client registrations. It is safe for concurrent
// use; the secret is read from the vault once, when a sign-in or a refresh first needs it.
type Registrations struct {
	settings Settings
	v        vault.Vault

	mu      sync.Mutex
	secrets map[ProviderID]string // read from the vault (or just saved)
}

// NewRegistrations returns the registrations kept in settings and v. It does no I/O.
func NewRegistrations(settings Settings, v vault.Vault) *Registrations {
	return &Registrations{settings: settings, v: v, secrets: map[ProviderID]string{}}
}

// state reads the settings only (no keychain call).
func (r *Registrations) state(ctx context.Context, id ProviderID) (ClientState, error) {
	st := ClientState{Provider: id}
	clientID, _, err := r.settings.Setting(ctx, clientIDSetting(id))
	if err != nil {
		return st, err
	}
	stored, _, err := r.settings.Setting(ctx, secretStoredSetting(id))
	if err != nil {
		return st, err
	}
	if clientID != "" {
		st.Source, st.ClientID = SourceSettings, clientID
	}
	st.SecretStored = stored == "1"
	return st, nil
}

// registration returns the client ID and secret saved for id ("" when none).
func (r *Registrations) registration(ctx context.Context, id ProviderID) (string, string, error) {
	st, err := r.state(ctx, id)
	if err != nil || st.ClientID == "" || !st.SecretStored {
		return st.ClientID, "", err
	}
	r.mu.Lock()
	secret, ok := r.secrets[id]
	r.mu.Unlock()
	if ok {
		return st.ClientID, secret, nil
	}
	secret, err = r.v.Get(ClientSecretKey(id))
	if errors.Is(err, vault.ErrNotFound) {
		// Removed from the keychain behind Mailroom's back: sign in without it, and Google
		// says its client needs one (the settings then offer to enter it again).
		return st.ClientID, "", nil
	}
	if err != nil {
		return "", "", err
	}
	r.mu.Lock()
	r.secrets[id] = secret
	r.mu.Unlock()
	return st.ClientID, secret, nil
}

// Client ID formats: Google's end in .apps.googleusercontent.com; Microsoft's application
// (client) ID is a GUID.
var (
	googleClientID    = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]*\.apps\.googleusercontent\.com$`)
	microsoftClientID = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
)

const maxSecretLen = 512

// Save sets the organisation's client ID for id ("" removes its registration, secret
// included) and changes the installed-app secret as asked. The secret goes to the vault
// before the setting that says it is there, and that setting goes before the secret leaves:
// no keychain call happens inside a database write.
func (r *Registrations) Save(ctx context.Context, id ProviderID, clientID string, change SecretChange) error {
	if id != Google && id != Microsoft {
		return ErrRegistrationProvider.Field("provider", nil)
	}
	clientID = strings.TrimSpace(clientID)
	switch {
	case clientID == "":
		change = Remove
	case id == Google && !googleClientID.MatchString(clientID):
		return ErrGoogleClientID.Field("clientId", nil)
	case id == Microsoft && (!microsoftClientID.MatchString(clientID) || clientID == "00000000-0000-0000-0000-000000000000"):
		return ErrMicrosoftClientID.Field("clientId", nil)
	}
	if change.op != 0 && !HasClientSecret(id) {
		change = Keep // Microsoft's public client has no secret
	}
	if change.op == 1 {
		secret := strings.TrimSpace(change.secret)
		if secret == "" || len(secret) > maxSecretLen || strings.ContainsAny(secret, " \t\r\n") {
			return ErrClientSecretInvalid.Field("clientSecret", nil)
		}
		if err := r.v.Set(ClientSecretKey(id), secret); err != nil {
			return err
		}
		r.mu.Lock()
		r.secrets[id] = secret
		r.mu.Unlock()
		if err := r.settings.SetSetting(ctx, secretStoredSetting(id), "1"); err != nil {
			return err
		}
	}
	if change.op == 2 {
		st, err := r.state(ctx, id)
		if err != nil {
			return err
		}
		r.mu.Lock()
		delete(r.secrets, id)
		r.mu.Unlock()
		if st.SecretStored {
			if err := r.settings.SetSetting(ctx, secretStoredSetting(id), ""); err != nil {
				return err
			}
			if err := r.v.Delete(ClientSecretKey(id)); err != nil {
				return err
			}
		}
	}
	if err := r.settings.SetSetting(ctx, clientIDSetting(id), clientID); err != nil {
		return fmt.Errorf("oauth: save the %s client ID: %w", id, err)
	}
	return nil
}

// UseRegistrations makes the client use the organisation's registrations for the providers
// its Config leaves without a client ID. A saved change applies from the next sign-in or
// refresh. Call it before the client is used.
func (c *Client) UseRegistrations(r *Registrations) { c.regs = r }

// Registrations returns the registrations the client uses; nil: none.
func (c *Client) Registrations() *Registrations { return c.regs }

// provider returns id's settings with the organisation's registration when the Config has
// no client ID. The secret may come from the vault: never call it inside a database write.
func (c *Client) provider(ctx context.Context, id ProviderID) (Provider, error) {
	p, err := c.cfg.Provider(id)
	if err != nil || p.Configured() || c.regs == nil {
		return p, err
	}
	clientID, secret, err := c.regs.registration(ctx, id)
	if err != nil {
		return p, err
	}
	p.ClientID, p.ClientSecret = clientID, secret
	return p, nil
}

// Clients reports each provider's registration, Google first, without reading the vault.
func (c *Client) Clients(ctx context.Context) ([]ClientState, error) {
	out := make([]ClientState, 0, 2)
	for _, id := range []ProviderID{Google, Microsoft} {
		p, err := c.cfg.Provider(id)
		if err != nil {
			return nil, err
		}
		st := ClientState{Provider: id}
		switch {
		case p.Configured():
			st.Source, st.ClientID = SourceEnvironment, p.ClientID
		case c.regs != nil:
			if st, err = c.regs.state(ctx, id); err != nil {
				return nil, err
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// notConfigured is the error of a sign-in or refresh with a provider that has no client
// registration.
func notConfigured(p Provider) error {
	return ErrSignInNotSetUp.Wrap(ErrNotConfigured, fault.P{"provider": p.Name})
}
