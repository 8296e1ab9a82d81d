package api

import (
	"context"
	"time"

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
		st.UserCount = n
		st.LastUserID, st.LockedIdle = s.b.Users.LastSignedIn()
		idle, err := s.b.Users.IdleLimit(ctx)
		if err != nil {
			return st, err
		}
		st.IdleLockSeconds = int(idle / time.Second)
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
			return users.ErrLanguageInvalid.Field("language", nil)
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

// SignInUsers lists the users to sign in as: names only, and whether a password is asked.
func (s *Session) SignInUsers() ([]SignInUserDTO, error) {
	return run(s.b, "Session.SignInUsers", func(ctx context.Context, c caller) ([]SignInUserDTO, error) {
		us, err := s.b.Users.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]SignInUserDTO, 0, len(us))
		for _, u := range us {
			out = append(out, SignInUserDTO{ID: u.ID, Name: u.Name, Protected: u.HasPassword})
		}
		return out, nil
	})
}

// SignIn signs a user in with their password (none is asked of a user without one). Wrong
// passwords slow the next attempts down; the error says how long to wait. The language
// shown becomes theirs.
func (s *Session) SignIn(id int64, password string) (UserDTO, error) {
	return run(s.b, "Session.SignIn", func(ctx context.Context, c caller) (UserDTO, error) {
		u, err := s.b.Users.SignIn(ctx, id, password)
		if err != nil {
			return UserDTO{}, err
		}
		if err := s.b.DB.SetSetting(ctx, languageKey, u.Language); err != nil {
			return UserDTO{}, err
		}
		return userDTO(u), nil
	})
}

// Lock ends the session (to lock the screen, or to switch user): until someone signs in,
// every call but signing in is refused.
func (s *Session) Lock() error {
	return do(s.b, "Session.Lock", func(ctx context.Context, c caller) error {
		s.b.Users.Lock()
		return nil
	})
}

// Touch reports the user's activity (keyboard, mouse), which keeps the session open. Calls
// alone do not: a window left open that only refreshes itself is idle.
func (s *Session) Touch() error {
	return do(s.b, "Session.Touch", func(ctx context.Context, c caller) error {
		s.b.Users.Touch()
		return nil
	})
}

// SetIdleLock chooses after how many seconds without activity Mailroom locks (0: never).
func (s *Session) SetIdleLock(seconds int) error {
	return do(s.b, "Session.SetIdleLock", func(ctx context.Context, c caller) error {
		return s.b.Users.SetIdleLimit(ctx, time.Duration(seconds)*time.Second)
	})
}

// UpdateProfile saves the signed-in user's name, title, phone and language.
func (s *Session) UpdateProfile(in ProfileInput) (UserDTO, error) {
	return run(s.b, "Session.UpdateProfile", func(ctx context.Context, c caller) (UserDTO, error) {
		u, err := s.b.Users.UpdateProfile(ctx, c.user.ID, users.Profile{Name: in.Name, Title: in.Title, Phone: in.Phone, Language: in.Language})
		if err != nil {
			return UserDTO{}, err
		}
		if err := s.b.DB.SetSetting(ctx, languageKey, u.Language); err != nil {
			return UserDTO{}, err
		}
		return userDTO(u), nil
	})
}

// ChangePassword changes the signed-in user's password; the current one is asked (and
// slowed down when wrong, as signing in is). A user without a password sets their first.
func (s *Session) ChangePassword(current, next string) error {
	return do(s.b, "Session.ChangePassword", func(ctx context.Context, c caller) error {
		return s.b.Users.ChangePassword(ctx, c.user.ID, current, next)
	})
}
