package api

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mailroom/backend/fault"
	"mailroom/backend/users"
)

// backupOf writes a backup of h (signed in as its owner) and returns its path.
func backupOf(t *testing.T, h *harness) string {
	t.Helper()
	info, err := h.svcs.Backups.BackupNow(filepath.Join(t.TempDir(), "b"), false)
	if err != nil {
		t.Fatal(err)
	}
	return info.Path
}

// Who is at the keyboard after a restore: the restored users, never the session of the
// replaced data. Several users: Mailroom asks who you are. One user without a password:
// it opens as them, as it does at a start.
func TestAfterARestoreTheRestoredUsersSignInNeverTheReplacedSession(t *testing.T) {
	ctx := context.Background()
	// A workstation of three people (none with a password).
	office := newHarness(t)
	office.as(t, super)
	officeBackup := backupOf(t, office)
	// A workstation of one person without a password.
	solo := newEmptyHarness(t)
	if _, err := solo.svcs.Session.Onboard(OnboardInput{Name: "Seule", Email: "seule@example.fr", Language: "fr"}); err != nil {
		t.Fatal(err)
	}
	soloBackup := backupOf(t, solo)

	// From Settings: the super admin of a set-up workstation restores the office's data.
	target := newEmptyHarness(t)
	target.useReopen(t)
	me, err := target.svcs.Session.Onboard(OnboardInput{Name: "Ancienne", Email: "ancienne@example.fr", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if err := target.b.Users.ResetPassword(ctx, me.ID, "ancien-mot-de-passe"); err != nil {
		t.Fatal(err)
	}
	res, err := target.svcs.Backups.Restore(officeBackup)
	if err != nil {
		t.Fatal(err)
	}
	if res.Users != 3 {
		t.Fatalf("restored %+v", res)
	}
	st, err := target.svcs.Session.State()
	if err != nil || st.User != nil || st.UserCount != 3 || !st.Onboarded {
		t.Fatalf("after restoring an office: %+v %v; want nobody signed in among 3", st, err)
	}
	if _, err := target.svcs.Accounts.List(); fault.ReasonOf(err) != "session_signed_out" {
		t.Fatalf("a call after the restore: %v; want session_signed_out", err)
	}
	if _, err := target.svcs.Session.SignIn(office.users[admin], ""); err != nil {
		t.Fatal(err)
	}
	// An admin is not a super admin: no restore for them.
	if _, err := target.svcs.Backups.Restore(soloBackup); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("an admin restored: %v", err)
	}
	if _, err := target.svcs.Session.SignIn(office.users[super], ""); err != nil {
		t.Fatal(err)
	}
	// Then the solo workstation's: one user, no password — it opens as her.
	if _, err := target.svcs.Backups.Restore(soloBackup); err != nil {
		t.Fatal(err)
	}
	st, err = target.svcs.Session.State()
	if err != nil || st.User == nil || st.User.Name != "Seule" || st.User.Role != string(users.SuperAdmin) || st.Language != "fr" {
		t.Fatalf("after restoring a one-person workstation: %+v %v; want Seule signed in", st, err)
	}

	// A file that is not a backup: refused, the data and the session as they were.
	bogus := filepath.Join(t.TempDir(), "x.sqlite")
	if err := os.WriteFile(bogus, []byte("pas une base"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := target.svcs.Backups.Restore(bogus); fault.ReasonOf(err) != "backup_not_a_backup" {
		t.Fatalf("bogus file: %v", err)
	}
	if st2, _ := target.svcs.Session.State(); st2.User == nil || st2.User.Name != "Seule" {
		t.Fatalf("after a refused restore: %+v", st2)
	}
	// The first-run restore is closed once someone is set up, even signed out (the solo
	// workstation's only user opens by herself: back to the office's three).
	if _, err := target.svcs.Backups.Restore(officeBackup); err != nil {
		t.Fatal(err)
	}
	if _, err := target.svcs.Backups.Restore(officeBackup); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a restore with nobody signed in on a set-up workstation: %v", err)
	}
}

func TestBackupsSettingsAndListThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	h.as(t, super)
	folder := t.TempDir()
	if _, err := h.svcs.Backups.SetSettings(BackupSettingsInput{Enabled: true, Keep: 3}); fault.ReasonOf(err) != "backup_folder_missing" {
		t.Fatalf("on without a folder: %v", err)
	}
	st, err := h.svcs.Backups.SetSettings(BackupSettingsInput{Enabled: true, Folder: folder, Keep: 3, WithMail: true})
	if err != nil || !st.Enabled || st.Keep != 3 || !st.WithMail || st.NextAt == "" || st.MaxKeep == 0 {
		t.Fatalf("settings %+v %v", st, err)
	}
	if _, err := h.svcs.Backups.BackupNow(filepath.Join(folder, "mailroom-backup-manual"), true); err != nil {
		t.Fatal(err)
	}
	if !h.b.Backups.RunDue(context.Background()) {
		t.Fatal("the automatic backup was not due")
	}
	files, err := h.svcs.Backups.List()
	if err != nil || len(files) != 2 {
		t.Fatalf("files %+v %v", files, err)
	}
	if _, err := h.svcs.Backups.BackupNow("relative/path.sqlite", false); fault.ReasonOf(err) != "backup_path_invalid" {
		t.Fatalf("relative path: %v", err)
	}
}
