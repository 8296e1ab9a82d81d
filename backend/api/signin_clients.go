package api

import (
	"context"
	"mailroom/backend/config"

	"mailroom/backend/fault"
	"mailroom/backend/oauth"
	"mailroom/backend/users"
)

// SignInClientDTO is one provider's sign-in setup ("Sign in with Google and Microsoft" in
// the settings), never its secret.
type SignInClientDTO struct {
	Provider string `json:"provider"` // google | microsoft
	// Configured: a sign-in with this provider can start; otherwise the wizard explains why
	// not and offers the password way.
	Configured bool `json:"configured"`
	// Source: "environment" (set on this computer, not changeable here), "settings" (entered
	// by a super admin) or "" (none).
	Source string `json:"source"`
	// ClientID is shown to super admins only ("" for everyone else).
	ClientID string `json:"clientId"`
	// KeyStored: Google's installed-app secret is in the keychain (super admins only).
	KeyStored bool `json:"keyStored"`
}

// SignInClientInput is what a super admin saves for one provider. Google's installed-app
// secret itself travels beside it, as SetSignInClient's second argument.
type SignInClientInput struct {
	Provider string `json:"provider"`
	// ClientID is the organisation's client ID; "" removes its registration (secret included).
	ClientID string `json:"clientId"`
	// Key says what happens to the stored secret: "keep" (or ""), "replace" (with the
	// secret argument) or "remove".
	Key string `json:"key"`
}

// SignInClients says, for Google and Microsoft, whether a sign-in can start; super admins
// also see the client ID and whether a secret is stored.
func (s *System) SignInClients() ([]SignInClientDTO, error) {
	return run(s.b, "System.SignInClients", func(ctx context.Context, c caller) ([]SignInClientDTO, error) {
		return s.signInClients(ctx, c)
	})
}

// The refusals of System.SetSignInClient that are the API's own (argument checks).
var (
	errSignInUnavailable = fault.Define("signin_clients_unavailable", fault.Internal,
		"signing in with Google or Microsoft is not available in this build")
	errSignInClientFromEnvironment = fault.Define("signin_client_from_environment", fault.Conflict,
		"this computer's environment sets the {provider} client ({setting}): change it there")
	errSignInSecretChange = fault.Define("signin_secret_change_invalid", fault.InvalidInput,
		"the client secret can be kept, replaced or removed")
)

// SetSignInClient saves the organisation's client registration with one provider and
// returns the new state. The secret goes to the keychain only; a registration the
// environment sets cannot be changed here.
func (s *System) SetSignInClient(in SignInClientInput, clientSecret string) ([]SignInClientDTO, error) {
	return run(s.b, "System.SetSignInClient", func(ctx context.Context, c caller) ([]SignInClientDTO, error) {
		if s.b.OAuth == nil || s.b.OAuth.Registrations() == nil {
			return nil, errSignInUnavailable.New(nil)
		}
		id := oauth.ProviderID(in.Provider)
		states, err := s.b.OAuth.Clients(ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range states {
			if st.Provider == id && st.Source == oauth.SourceEnvironment {
				name, env := "Google", config.GoogleClientID
				if id == oauth.Microsoft {
					name, env = "Microsoft", config.MicrosoftClientID
				}
				return nil, errSignInClientFromEnvironment.New(fault.P{"provider": name, "setting": env})
			}
		}
		var change oauth.SecretChange
		switch in.Key {
		case "", "keep":
			change = oauth.Keep
		case "replace":
			change = oauth.Replace(clientSecret)
		case "remove":
			change = oauth.Remove
		default:
			return nil, errSignInSecretChange.Field("key", nil)
		}
		if err := s.b.OAuth.Registrations().Save(ctx, id, in.ClientID, change); err != nil {
			return nil, err
		}
		s.b.logger().Info("sign-in client saved", "provider", in.Provider, "configured", in.ClientID != "", "key", in.Key)
		return s.signInClients(ctx, c)
	})
}

func (s *System) signInClients(ctx context.Context, c caller) ([]SignInClientDTO, error) {
	if s.b.OAuth == nil {
		return []SignInClientDTO{{Provider: string(oauth.Google)}, {Provider: string(oauth.Microsoft)}}, nil
	}
	states, err := s.b.OAuth.Clients(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SignInClientDTO, 0, len(states))
	for _, st := range states {
		d := SignInClientDTO{Provider: string(st.Provider), Configured: st.Configured(), Source: string(st.Source)}
		if c.user.Role == users.SuperAdmin {
			d.ClientID, d.KeyStored = st.ClientID, st.SecretStored
		}
		out = append(out, d)
	}
	return out, nil
}
