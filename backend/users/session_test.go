package users_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

// clock is a settable time for the idle limit and the slowdown.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openAt(t *testing.T, path string, c *clock) (*users.Service, *store.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s := users.New(db)
	s.SetClock(c.now)
	return s, db
}

// office is a workstation with an owner and a colleague, Sophie, whose password is known.
func office(t *testing.T, path string, c *clock) (s *users.Service, db *store.DB, owner, sophie users.User) {
	t.Helper()
	s, db = openAt(t, path, c)
	owner, err := s.CreateOwner(ctx, users.NewUser{Name: "Camille", Email: "camille@atelier.fr", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	sophie, err = s.Create(ctx, users.NewUser{Name: "Sophie", Email: "sophie@atelier.fr", Language: "fr",
		Role: users.Collaborator, Password: "bonjour-sophie"})
	if err != nil {
		t.Fatal(err)
	}
	return s, db, owner, sophie
}

func TestPasswordsAreArgon2idWithOWASPParametersAndARandomSalt(t *testing.T) {
	h1, err := users.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := users.HashPassword("correct horse")
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h1) {
		t.Fatalf("hash %q is not the PHC string of Argon2id m=19 MiB, t=2, p=1 with a 16-byte salt and 32-byte key", h1)
	}
	if h1 == h2 {
		t.Fatal("two hashes of the same password are equal: the salt is not random")
	}
	if !users.VerifyPassword(h1, "correct horse") || !users.VerifyPassword(h2, "correct horse") {
		t.Fatal("the right password does not verify")
	}
	for _, wrong := range []string{"correct horsE", "correct hors", "", "correct horse "} {
		if users.VerifyPassword(h1, wrong) {
			t.Errorf("the wrong password %q verifies", wrong)
		}
	}
	// A damaged or foreign string matches nothing, and a huge memory cost is not attempted.
	parts := strings.Split(h1, "$")
	for name, bad := range map[string]string{
		"bcrypt":       "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":      strings.Replace(h1, "argon2id", "argon2i", 1),
		"other key":    strings.Join(append(parts[:5:5], strings.Repeat("A", 43)), "$"),
		"huge memory":  strings.Replace(h1, "m=19456", "m=4194304", 1),
		"empty":        "",
		"truncated":    h1[:len(h1)-10],
		"bad base64":   strings.Replace(h1, parts[4], "!!!!", 1),
		"zero threads": strings.Replace(h1, "p=1", "p=0", 1),
	} {
		if users.VerifyPassword(bad, "correct horse") {
			t.Errorf("%s: %q verifies", name, bad)
		}
	}
}

func TestPasswordLengthIsEightToSixtyFourCharacters(t *testing.T) {
	s, _, _, sophie := office(t, filepath.Join(t.TempDir(), "m.db"), &clock{t: time.Unix(1_700_000_000, 0)})
	cases := []struct {
		pw     string
		reason *fault.Reason
	}{
		{"seven77", users.ErrPasswordTooShort},
		{strings.Repeat("é", 65), users.ErrPasswordTooLong},
		{"huit8888", nil},
		{strings.Repeat("é", 64), nil}, // 128 bytes, 64 characters
	}
	for _, tc := range cases {
		err := s.ResetPassword(ctx, sophie.ID, tc.pw)
		if tc.reason == nil && err != nil {
			t.Errorf("%d characters refused: %v", len([]rune(tc.pw)), err)
		}
		if tc.reason != nil && !tc.reason.Is(err) {
			t.Errorf("%d characters: %v; want %s", len([]rune(tc.pw)), err, tc.reason.Name)
		}
	}
	if _, err := s.Create(ctx, users.NewUser{Name: "Léa", Email: "lea@atelier.fr", Language: "fr", Role: users.Admin, Password: "court"}); !users.ErrPasswordTooShort.Is(err) {
		t.Fatalf("a user created with a 5-character password: %v", err)
	}
}

func TestOneUserWithoutPasswordOpensStraightAwayASecondOneAsksWhoYouAre(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db := openAt(t, path, c)
	owner, err := s.CreateOwner(ctx, users.NewUser{Name: "Camille", Email: "camille@atelier.fr", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	// A restart with one user and no password: signed in at once.
	s, db = openAt(t, path, c)
	if me, ok, err := s.Current(ctx); err != nil || !ok || me.ID != owner.ID {
		t.Fatalf("one user without a password after a restart: %+v %v %v; want signed in", me, ok, err)
	}
	if _, err := s.Create(ctx, users.NewUser{Name: "Sophie", Email: "sophie@atelier.fr", Language: "fr", Role: users.Collaborator}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// With two users, each start asks who you are.
	s, db = openAt(t, path, c)
	defer db.Close()
	if _, ok, _ := s.Current(ctx); ok {
		t.Fatal("two users: somebody is signed in at start")
	}
	// Choosing a user without a password signs them in.
	if _, err := s.SignIn(ctx, owner.ID, ""); err != nil {
		t.Fatal(err)
	}
	if me, ok, _ := s.Current(ctx); !ok || me.ID != owner.ID {
		t.Fatalf("after signing in: %+v %v", me, ok)
	}
	s.Lock()
	if _, ok, _ := s.Current(ctx); ok {
		t.Fatal("still signed in after Lock")
	}
	if last, idle := s.LastSignedIn(); last != owner.ID || idle {
		t.Fatalf("LastSignedIn = %d %v; want the owner, not by inactivity", last, idle)
	}
}

func TestAPasswordIsAskedAndAWrongOneRefused(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db, _, sophie := office(t, filepath.Join(t.TempDir(), "m.db"), c)
	defer db.Close()
	if !sophie.HasPassword {
		t.Fatal("Sophie has no password after being created with one")
	}
	_, err := s.SignIn(ctx, sophie.ID, "bonjour-louis")
	fe, _ := fault.As(err)
	if !users.ErrWrongPassword.Is(err) || fe.Field != "password" || fe.Params["seconds"] != 1 {
		t.Fatalf("wrong password: %v (%+v); want %s on password, 1 s", err, fe, users.ErrWrongPassword.Name)
	}
	if me, ok, _ := s.Current(ctx); ok && me.ID == sophie.ID {
		t.Fatal("a wrong password signed Sophie in")
	}
	c.add(time.Second)
	if u, err := s.SignIn(ctx, sophie.ID, "bonjour-sophie"); err != nil || u.ID != sophie.ID {
		t.Fatalf("right password: %+v %v", u, err)
	}
	if _, err := s.SignIn(ctx, 999, "x"); !users.ErrUserGone.Is(err) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestWrongPasswordsSlowDownAndTheDelaySurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db, _, sophie := office(t, path, c)

	want := []int{1, 2, 4, 8}
	for i, secs := range want {
		_, err := s.SignIn(ctx, sophie.ID, "wrong-password")
		fe, _ := fault.As(err)
		if !users.ErrWrongPassword.Is(err) || fe.Params["seconds"] != secs {
			t.Fatalf("wrong password #%d: %v %v; want a wait of %d s", i+1, err, fe.Params, secs)
		}
		if i < len(want)-1 {
			c.add(time.Duration(secs) * time.Second)
		}
	}
	// During the wait even the right password is not checked.
	c.add(3 * time.Second)
	_, err := s.SignIn(ctx, sophie.ID, "bonjour-sophie")
	fe, _ := fault.As(err)
	if !users.ErrSignInTooSoon.Is(err) || fe.Params["seconds"] != 5 {
		t.Fatalf("attempt during the wait: %v %v; want %s, 5 s left", err, fe.Params, users.ErrSignInTooSoon.Name)
	}

	// A restart keeps the counter and the wait.
	db.Close()
	s, db = openAt(t, path, c)
	_, err = s.SignIn(ctx, sophie.ID, "bonjour-sophie")
	if fe, _ := fault.As(err); !users.ErrSignInTooSoon.Is(err) || fe.Params["seconds"] != 5 {
		t.Fatalf("after a restart, during the wait: %v; want %s, 5 s left", err, users.ErrSignInTooSoon.Name)
	}
	c.add(5 * time.Second)
	_, err = s.SignIn(ctx, sophie.ID, "still-wrong")
	if fe, _ := fault.As(err); !users.ErrWrongPassword.Is(err) || fe.Params["seconds"] != 16 {
		t.Fatalf("the 5th wrong password after a restart: %v; want a wait of 16 s (the count survived)", err)
	}

	// Nobody is locked out for more than five minutes, however many wrong passwords.
	for i := 0; i < 20; i++ {
		c.add(users.SignInDelay(20))
		_, _ = s.SignIn(ctx, sophie.ID, "wrong-again")
	}
	c.add(5 * time.Minute)
	if _, err := s.SignIn(ctx, sophie.ID, "bonjour-sophie"); err != nil {
		t.Fatalf("five minutes after the last of many wrong passwords: %v", err)
	}
	// A right password starts the count again.
	_, err = s.SignIn(ctx, sophie.ID, "wrong-password")
	if fe, _ := fault.As(err); fe == nil || fe.Params["seconds"] != 1 {
		t.Fatalf("after a right password, a wrong one waits %v; want 1 s", err)
	}
	db.Close()
}

func TestSignInDelayDoublesUpToFiveMinutes(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 0, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		9: 256 * time.Second, 10: 5 * time.Minute, 1000: 5 * time.Minute} {
		if got := users.SignInDelay(n); got != want {
			t.Errorf("SignInDelay(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestParallelWrongPasswordsCannotPassTheSlowdown(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db, _, sophie := office(t, filepath.Join(t.TempDir(), "m.db"), c)
	defer db.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	checked := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SignIn(ctx, sophie.ID, "guess")
			if users.ErrWrongPassword.Is(err) {
				mu.Lock()
				checked++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if checked != 1 {
		t.Fatalf("%d of 8 parallel guesses were checked; want 1 (the others wait)", checked)
	}
}

func TestTheSessionEndsAfterTheIdleLimitUnlessActivityIsReported(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db, owner, sophie := office(t, filepath.Join(t.TempDir(), "m.db"), c)
	defer db.Close()
	if d, _ := s.IdleLimit(ctx); d != 0 {
		t.Fatalf("default idle limit %v; want never", d)
	}
	if err := s.SetIdleLimit(ctx, -time.Second); !users.ErrIdleLockInvalid.Is(err) {
		t.Fatalf("negative idle limit: %v", err)
	}
	if err := s.SetIdleLimit(ctx, 25*time.Hour); !users.ErrIdleLockInvalid.Is(err) {
		t.Fatalf("25 h idle limit: %v", err)
	}
	if err := s.SetIdleLimit(ctx, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, sophie.ID, "bonjour-sophie"); err != nil {
		t.Fatal(err)
	}
	// Activity within the limit keeps the session; calls alone do not count as activity.
	c.add(4 * time.Minute)
	s.Touch()
	c.add(4 * time.Minute)
	if me, ok, _ := s.Current(ctx); !ok || me.ID != sophie.ID {
		t.Fatal("the session ended although activity was reported within the limit")
	}
	c.add(90 * time.Second) // 5 min 30 s since the last activity, with a call in between
	if _, ok, _ := s.Current(ctx); ok {
		t.Fatal("the session is still open past the idle limit")
	}
	if last, idle := s.LastSignedIn(); last != sophie.ID || !idle {
		t.Fatalf("LastSignedIn = %d %v; want Sophie, ended by inactivity", last, idle)
	}
	// Touch after the end does not bring it back.
	s.Touch()
	if _, ok, _ := s.Current(ctx); ok {
		t.Fatal("Touch reopened an ended session")
	}
	// The limit is kept in the database.
	s2 := users.New(db)
	if d, _ := s2.IdleLimit(ctx); d != 5*time.Minute {
		t.Fatalf("idle limit after a restart %v", d)
	}
	// Never: no limit.
	if err := s.SetIdleLimit(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, owner.ID, ""); err != nil {
		t.Fatal(err)
	}
	c.add(100 * time.Hour)
	if _, ok, _ := s.Current(ctx); !ok {
		t.Fatal("the session ended with the idle lock set to never")
	}
}

func TestPasswordChangesAskTheCurrentOneAndAResetClearsTheSlowdown(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db, owner, sophie := office(t, filepath.Join(t.TempDir(), "m.db"), c)
	defer db.Close()
	err := s.ChangePassword(ctx, sophie.ID, "not-hers-at-all", "nouveau-mot-de-passe")
	if fe, _ := fault.As(err); !users.ErrCurrentPasswordWrong.Is(err) || fe.Field != "currentPassword" {
		t.Fatalf("change with a wrong current password: %v", err)
	}
	c.add(time.Second)
	if err := s.ChangePassword(ctx, sophie.ID, "bonjour-sophie", "court"); !users.ErrPasswordTooShort.Is(err) {
		t.Fatalf("a new password too short: %v", err)
	}
	if err := s.ChangePassword(ctx, sophie.ID, "bonjour-sophie", "nouveau-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, sophie.ID, "bonjour-sophie"); !users.ErrWrongPassword.Is(err) {
		t.Fatalf("the old password still works: %v", err)
	}
	// A user without a password sets their first one without a current one.
	if err := s.ChangePassword(ctx, owner.ID, "", "mot-de-passe-camille"); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Get(ctx, owner.ID); !u.HasPassword {
		t.Fatal("the owner has no password after setting one")
	}
	// Sophie forgot it and is slowed down; a super admin's reset lets her in at once.
	for i := 0; i < 5; i++ {
		_, _ = s.SignIn(ctx, sophie.ID, "oublié")
		c.add(users.SignInDelay(i + 1))
	}
	_, _ = s.SignIn(ctx, sophie.ID, "oublié encore")
	if err := s.ResetPassword(ctx, sophie.ID, "remis-a-zero"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, sophie.ID, "remis-a-zero"); err != nil {
		t.Fatalf("right after a reset: %v; the slowdown was not cleared", err)
	}
	if err := s.ResetPassword(ctx, 999, "remis-a-zero"); !users.ErrUserGone.Is(err) {
		t.Fatalf("reset of an unknown user: %v", err)
	}
}

func TestTheProfileKeepsNameTitlePhoneAndLanguage(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	s, db, _, sophie := office(t, filepath.Join(t.TempDir(), "m.db"), c)
	defer db.Close()
	u, err := s.UpdateProfile(ctx, sophie.ID, users.Profile{Name: " Sophie Leroy ", Title: "Comptable", Phone: "+33 1 23 45 67 89", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Sophie Leroy" || u.Title != "Comptable" || u.Phone != "+33 1 23 45 67 89" || u.Language != "en" || !u.HasPassword {
		t.Fatalf("profile saved as %+v", u)
	}
	cases := []struct {
		name   string
		p      users.Profile
		field  string
		reason *fault.Reason
	}{
		{"empty name", users.Profile{Name: " ", Language: "fr"}, "name", users.ErrUserNameMissing},
		{"long title", users.Profile{Name: "S", Title: strings.Repeat("t", 201), Language: "fr"}, "title", users.ErrUserTitleTooLong},
		{"letters in the phone", users.Profile{Name: "S", Phone: "call me", Language: "fr"}, "phone", users.ErrUserPhoneInvalid},
		{"a long phone", users.Profile{Name: "S", Phone: strings.Repeat("1", 41), Language: "fr"}, "phone", users.ErrUserPhoneInvalid},
		{"unknown language", users.Profile{Name: "S", Language: "de"}, "language", users.ErrLanguageInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.UpdateProfile(ctx, sophie.ID, tc.p)
			fe, _ := fault.As(err)
			if !tc.reason.Is(err) || fe.Field != tc.field {
				t.Fatalf("%+v: %v; want %s on %s", tc.p, err, tc.reason.Name, tc.field)
			}
		})
	}
	if _, err := s.UpdateProfile(ctx, 999, users.Profile{Name: "X", Language: "fr"}); !users.ErrUserGone.Is(err) {
		t.Fatalf("profile of an unknown user: %v", err)
	}
}
