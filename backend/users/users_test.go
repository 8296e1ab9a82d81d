package users_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"mailroom/backend/fault"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

func newService(t *testing.T) *users.Service {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return users.New(db)
}

var ctx = context.Background()

func TestOnboardingCreatesOneSignedInSuperAdminOnce(t *testing.T) {
	s := newService(t)
	if _, ok, _ := s.Current(ctx); ok {
		t.Fatal("a session exists before onboarding")
	}
	owner, err := s.CreateOwner(ctx, users.NewUser{Name: " Amélie Durand ", Email: "amelie@boutique.fr", Language: "fr", Role: users.Collaborator})
	if err != nil {
		t.Fatal(err)
	}
	if owner.Role != users.SuperAdmin || owner.Name != "Amélie Durand" {
		t.Fatalf("owner = %+v; want a trimmed super admin whatever role was asked", owner)
	}
	me, ok, err := s.Current(ctx)
	if err != nil || !ok || me.ID != owner.ID {
		t.Fatalf("Current = %+v %v %v", me, ok, err)
	}
	_, err = s.CreateOwner(ctx, users.NewUser{Name: "Mallory", Email: "m@evil.test", Language: "en"})
	if !users.ErrAlreadySetUp.Is(err) {
		t.Fatalf("second onboarding: %v; want %s", err, users.ErrAlreadySetUp.Name)
	}
	if n, _ := s.Count(ctx); n != 1 {
		t.Fatalf("%d users after a refused second onboarding", n)
	}
}

func TestRejectsInvalidUsersNamingTheField(t *testing.T) {
	s := newService(t)
	cases := []struct {
		name   string
		in     users.NewUser
		field  string
		reason *fault.Reason
	}{
		{"empty name", users.NewUser{Name: "  ", Email: "a@b.fr", Language: "fr", Role: users.Admin}, "name", users.ErrUserNameMissing},
		{"long name", users.NewUser{Name: strings.Repeat("n", 201), Email: "a@b.fr", Language: "fr", Role: users.Admin}, "name", users.ErrUserNameTooLong},
		{"bad email", users.NewUser{Name: "A", Email: "not-an-address", Language: "fr", Role: users.Admin}, "email", users.ErrUserEmailInvalid},
		{"display-name email", users.NewUser{Name: "A", Email: "A <a@b.fr>", Language: "fr", Role: users.Admin}, "email", users.ErrUserEmailInvalid},
		{"unknown language", users.NewUser{Name: "A", Email: "a@b.fr", Language: "de", Role: users.Admin}, "language", users.ErrLanguageInvalid},
		{"unknown role", users.NewUser{Name: "A", Email: "a@b.fr", Language: "en", Role: "root"}, "role", users.ErrRoleInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Create(ctx, tc.in)
			fe, ok := fault.As(err)
			if !ok || fe.Code != fault.InvalidInput || fe.Field != tc.field || !tc.reason.Is(err) {
				t.Fatalf("Create(%+v) = %v; want %s on %q", tc.in, err, tc.reason.Name, tc.field)
			}
		})
	}
}

func TestDuplicateEmailIsAConflictWhateverTheCase(t *testing.T) {
	s := newService(t)
	if _, err := s.Create(ctx, users.NewUser{Name: "A", Email: "a@b.fr", Language: "fr", Role: users.Admin}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Create(ctx, users.NewUser{Name: "B", Email: "A@B.FR", Language: "fr", Role: users.Admin})
	fe, _ := fault.As(err)
	if !users.ErrUserEmailTaken.Is(err) || fe.Field != "email" || fe.Params["address"] != "A@B.FR" {
		t.Fatalf("duplicate email: %v; want %s on email with the address", err, users.ErrUserEmailTaken.Name)
	}
}

func TestTheLastSuperAdminCannotBeDemotedOrRemoved(t *testing.T) {
	s := newService(t)
	owner, _ := s.CreateOwner(ctx, users.NewUser{Name: "O", Email: "o@b.fr", Language: "fr"})
	if err := s.SetRole(ctx, owner.ID, users.Admin); !users.ErrLastSuperAdmin.Is(err) {
		t.Fatalf("demote last super admin: %v", err)
	}
	if err := s.Remove(ctx, owner.ID); !users.ErrLastSuperAdmin.Is(err) {
		t.Fatalf("remove last super admin: %v", err)
	}
	second, err := s.Create(ctx, users.NewUser{Name: "S", Email: "s@b.fr", Language: "en", Role: users.Collaborator})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, second.ID, users.SuperAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, owner.ID, users.Admin); err != nil {
		t.Fatalf("demote with another super admin present: %v", err)
	}
	if err := s.Remove(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Current(ctx); ok {
		t.Fatal("the removed user is still signed in")
	}
	if err := s.Remove(ctx, owner.ID); !users.ErrUserGone.Is(err) {
		t.Fatalf("remove twice: %v", err)
	}
}

func TestLanguageIsRemembered(t *testing.T) {
	s := newService(t)
	owner, _ := s.CreateOwner(ctx, users.NewUser{Name: "O", Email: "o@b.fr", Language: "fr"})
	if err := s.SetLanguage(ctx, owner.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLanguage(ctx, owner.ID, "xx"); !users.ErrLanguageInvalid.Is(err) {
		t.Fatalf("unknown language: %v", err)
	}
	me, _, _ := s.Current(ctx)
	if me.Language != "en" {
		t.Fatalf("language = %q", me.Language)
	}
}
