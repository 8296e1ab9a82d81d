package api

import (
	"context"

	"mailroom/backend/users"
)

// Users manages the people of this workstation (super admins; admins may list them to
// grant access).
type Users struct{ b *Backend }

// List returns every user.
func (s *Users) List() ([]UserDTO, error) {
	return run(s.b, "Users.List", func(ctx context.Context, c caller) ([]UserDTO, error) {
		us, err := s.b.Users.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]UserDTO, 0, len(us))
		for _, u := range us {
			out = append(out, userDTO(u))
		}
		return out, nil
	})
}

// Create adds a user with a role, and a password if one is given ("" = none).
func (s *Users) Create(in NewUserInput, password string) (UserDTO, error) {
	return run(s.b, "Users.Create", func(ctx context.Context, c caller) (UserDTO, error) {
		u, err := s.b.Users.Create(ctx, users.NewUser{Name: in.Name, Email: in.Email, Role: users.Role(in.Role), Language: in.Language,
			Password: password})
		if err != nil {
			return UserDTO{}, err
		}
		return userDTO(u), nil
	})
}

// SetRole changes a user's role.
func (s *Users) SetRole(id int64, role string) error {
	return do(s.b, "Users.SetRole", func(ctx context.Context, c caller) error {
		return s.b.Users.SetRole(ctx, id, users.Role(role))
	})
}

// Remove deletes a user.
func (s *Users) Remove(id int64) error {
	return do(s.b, "Users.Remove", func(ctx context.Context, c caller) error {
		if id == c.user.ID {
			return errRemoveSelf.New(nil)
		}
		return s.b.Users.Remove(ctx, id)
	})
}

// ResetPassword sets a user's password without the current one, and clears the slowdown
// of their wrong attempts.
func (s *Users) ResetPassword(id int64, password string) error {
	return do(s.b, "Users.ResetPassword", func(ctx context.Context, c caller) error {
		return s.b.Users.ResetPassword(ctx, id, password)
	})
}
