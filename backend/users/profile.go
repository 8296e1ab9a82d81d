package users

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"mailroom/backend/fault"
)

// Profile is what each user edits about themselves: their name, title, phone and language
// (their password has its own method: the current one is asked).
type Profile struct {
	Name     string
	Title    string
	Phone    string
	Language string
}

var (
	// ErrUserTitleTooLong: a title over the limit.
	ErrUserTitleTooLong = fault.Define("user_title_too_long", fault.InvalidInput,
		"the title is too long (at most {max} characters)")
	// ErrUserPhoneInvalid: a phone number with other characters than digits, spaces and + - . ( ).
	ErrUserPhoneInvalid = fault.Define("user_phone_invalid", fault.InvalidInput,
		"enter a phone number with digits, spaces and + - . ( ) only, at most {max} characters")
)

func (p Profile) normalise() (Profile, error) {
	p.Name = strings.TrimSpace(p.Name)
	p.Title = strings.TrimSpace(p.Title)
	p.Phone = strings.TrimSpace(p.Phone)
	if p.Name == "" {
		return p, ErrUserNameMissing.Field("name", nil)
	}
	if len(p.Name) > maxNameLen {
		return p, ErrUserNameTooLong.Field("name", fault.P{"max": maxNameLen})
	}
	if utf8.RuneCountInString(p.Title) > maxTitleLen {
		return p, ErrUserTitleTooLong.Field("title", fault.P{"max": maxTitleLen})
	}
	if !validPhone(p.Phone) {
		return p, ErrUserPhoneInvalid.Field("phone", fault.P{"max": maxPhoneLen})
	}
	if !ValidLanguage(p.Language) {
		return p, ErrLanguageInvalid.Field("language", nil)
	}
	return p, nil
}

// validPhone accepts "" and numbers written as people write them: +33 1 23 45 67 89,
// (555) 010-0199, 01.23.45.67.89.
func validPhone(s string) bool {
	if len(s) > maxPhoneLen {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-.()", r):
		default:
			return false
		}
	}
	return s == "" || digits >= 3
}

// UpdateProfile saves id's profile and returns the user as saved.
func (s *Service) UpdateProfile(ctx context.Context, id int64, p Profile) (User, error) {
	p, err := p.normalise()
	if err != nil {
		return User{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, title = ?, phone = ?, language = ? WHERE id = ?`,
			p.Name, p.Title, p.Phone, p.Language, id)
		if err != nil {
			return fmt.Errorf("users: update profile: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrUserGone.New(nil)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}
