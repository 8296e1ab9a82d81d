package api

import (
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/users"
)

func TestNobodySignedInIsRefusedWithTheReasonAndSignsInWithAPassword(t *testing.T) {
	h := newHarness(t)
	sophie, err := h.svcs.Users.Create(NewUserInput{Name: "Sophie", Email: "sophie@example.test", Role: "collaborator", Language: "fr"}, "bonjour-sophie")
	if err != nil {
		t.Fatal(err)
	}
	if !sophie.Protected {
		t.Fatal("Sophie, created with a password, is not protected")
	}
	if err := h.svcs.Session.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Accounts.List(); fault.ReasonOf(err) != "session_signed_out" || !fault.Is(err, fault.Forbidden) {
		t.Fatalf("Accounts.List while nobody is signed in: %v; want forbidden, session_signed_out", err)
	}
	st, err := h.svcs.Session.State()
	if err != nil || st.User != nil || !st.Onboarded || st.UserCount != 4 || st.LastUserID != h.users[super] || st.LockedIdle {
		t.Fatalf("State while signed out = %+v, %v", st, err)
	}
	list, err := h.svcs.Session.SignInUsers()
	if err != nil || len(list) != 4 {
		t.Fatalf("SignInUsers = %+v, %v", list, err)
	}
	for _, u := range list {
		if u.ID == sophie.ID && (!u.Protected || u.Name != "Sophie") {
			t.Fatalf("Sophie is listed as %+v", u)
		}
	}
	if _, err := h.svcs.Session.SignIn(sophie.ID, "bonjour-louis"); !users.ErrWrongPassword.Is(err) {
		t.Fatalf("a wrong password: %v", err)
	}
	if _, err := h.svcs.Session.SignIn(sophie.ID, "bonjour-sophie"); !users.ErrSignInTooSoon.Is(err) {
		t.Fatalf("the right password during the wait: %v; want %s", err, users.ErrSignInTooSoon.Name)
	}
	time.Sleep(1100 * time.Millisecond)
	me, err := h.svcs.Session.SignIn(sophie.ID, "bonjour-sophie")
	if err != nil || me.ID != sophie.ID {
		t.Fatalf("SignIn = %+v, %v", me, err)
	}
	if _, err := h.svcs.Users.List(); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("Sophie (collaborator) lists users: %v", err)
	}
	if st, _ := h.svcs.Session.State(); st.User == nil || st.User.ID != sophie.ID || st.Language != "fr" {
		t.Fatalf("State after signing in = %+v", st)
	}
}

func TestTheBackendRefusesCallsPastTheIdleLimitWhateverTheWindowDoes(t *testing.T) {
	h := newHarness(t)
	h.as(t, super)
	if err := h.svcs.Session.SetIdleLock(-1); fault.ReasonOf(err) != "idle_lock_invalid" {
		t.Fatalf("SetIdleLock(-1): %v", err)
	}
	if err := h.svcs.Session.SetIdleLock(1); err != nil {
		t.Fatal(err)
	}
	if st, _ := h.svcs.Session.State(); st.IdleLockSeconds != 1 {
		t.Fatalf("State's idle lock = %d, want 1", st.IdleLockSeconds)
	}
	// Calls that are not activity (a window refreshing itself) do not keep the session open.
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		_, _ = h.svcs.Outbox.Counts()
		time.Sleep(100 * time.Millisecond)
	}
	_, err := h.svcs.Accounts.List()
	if fault.ReasonOf(err) != "session_locked_idle" || !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a call past the idle limit: %v; want forbidden, session_locked_idle", err)
	}
	if err := h.svcs.Session.Touch(); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("Touch past the idle limit: %v; want forbidden", err)
	}
	st, _ := h.svcs.Session.State()
	if st.User != nil || !st.LockedIdle || st.LastUserID != h.users[super] {
		t.Fatalf("State after the idle limit = %+v", st)
	}
	// Reported activity keeps it open.
	if _, err := h.svcs.Session.SignIn(h.users[super], ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		time.Sleep(300 * time.Millisecond)
		if err := h.svcs.Session.Touch(); err != nil {
			t.Fatalf("Touch %d within the limit: %v", i, err)
		}
	}
	if _, err := h.svcs.Accounts.List(); err != nil {
		t.Fatalf("a call with activity reported: %v", err)
	}
	if err := h.svcs.Session.SetIdleLock(0); err != nil {
		t.Fatal(err)
	}
}

func TestTheProfileIsTheSignedInUsersOwn(t *testing.T) {
	h := newHarness(t)
	h.as(t, collab)
	me, err := h.svcs.Session.UpdateProfile(ProfileInput{Name: "Léa Petit", Title: "Assistante", Phone: "01 23 45 67 89", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != h.users[collab] || me.Title != "Assistante" || me.Phone != "01 23 45 67 89" || me.Language != "fr" {
		t.Fatalf("UpdateProfile = %+v", me)
	}
	if err := h.svcs.Session.ChangePassword("", "secret-de-lea"); err != nil {
		t.Fatalf("a first password: %v", err)
	}
	if err := h.svcs.Session.ChangePassword("pas-le-bon", "autre-secret"); fault.ReasonOf(err) != "current_password_wrong" {
		t.Fatalf("a change with a wrong current password: %v", err)
	}
	h.as(t, super)
	if err := h.svcs.Users.ResetPassword(h.users[collab], "nouveau-depart"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Session.SignIn(h.users[collab], "nouveau-depart"); err != nil {
		t.Fatalf("signing in with the reset password (slowdown cleared): %v", err)
	}
}
