package api

import (
	"context"

	"mailroom/backend/fault"
	"mailroom/backend/users"
)

// languageKey is the application setting for the language shown before anyone signs in.
const languageKey = "language"

// Session is onboarding and the signed-in user.
type Session struct{ b *Backend }

// State tells the UI whether Mailroom is set up, who is signed in and which language to show.
func (s *Session) State() (SessionState, error) {
	return run(s.b, "Session.State", func(ctx context.Context, c caller) (SessionState, error) {
		var st SessionState
		if s.b.DB == nil {
			return st, nil
		}
		n, err := s.b.Users.Count(ctx)
		if err != nil {
			return st, err
		}
		st.Onboarded = n > 0
		if c.ok {
			u := userDTO(c.user)
			st.User = &u
			st.Language = c.user.Language
			return st, nil
		}
		lang, _, err := s.b.DB.Setting(ctx, languageKey)
		st.Language = lang
		return st, err
	})
}

// Onboard creates the owner (super admin) on first run and signs them in. Refused once
// Mailroom is set up.
func (s *Session) Onboard(in OnboardInput) (UserDTO, error) {
	return run(s.b, "Session.Onboard", func(ctx context.Context, c caller) (UserDTO, error) {
		u, err := s.b.Users.CreateOwner(ctx, users.NewUser{Name: in.Name, Email: in.Email, Language: in.Language})
		if err != nil {
			return UserDTO{}, err
		}
		return userDTO(u), nil
	})
}

// SetLanguage switches the interface language and remembers it (for the signed-in user,
// and for this workstation before onboarding).
func (s *Session) SetLanguage(lang string) error {
	return do(s.b, "Session.SetLanguage", func(ctx context.Context, c caller) error {
		if !users.ValidLanguage(lang) {
			return errLanguage.Field("language", nil)
		}
		if s.b.DB == nil {
			return fault.ErrStoreUnavailable.Wrap(s.b.BootErr, nil)
		}
		if c.ok {
			if err := s.b.Users.SetLanguage(ctx, c.user.ID, lang); err != nil {
				return err
			}
		}
		return s.b.DB.SetSetting(ctx, languageKey, lang)
	})
}

// Me returns the signed-in user.
func (s *Session) Me() (UserDTO, error) {
	return run(s.b, "Session.Me", func(ctx context.Context, c caller) (UserDTO, error) {
		return userDTO(c.user), nil
	})
}
