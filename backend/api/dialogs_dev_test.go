//go:build dev

package api

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// In the dev build, MAILROOM_TEST_DIALOG_FILE answers both dialogs with the path it holds,
// read again at each call.
func TestTheDevBuildAnswersDialogsFromTheTestFile(t *testing.T) {
	dir := t.TempDir()
	answer := filepath.Join(dir, "answer")
	t.Setenv(TestDialogFileEnv, answer)
	b := &Backend{Dialogs: &fakeDialogs{open: "/native/open.csv", save: "/native/save.csv"}}
	b.Startup(context.Background())
	for _, want := range []string{filepath.Join(dir, "clients.csv"), filepath.Join(dir, "Factures.csv"), ""} {
		if err := os.WriteFile(answer, []byte(want+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		open, err := b.Dialogs.OpenFile()
		if err != nil || open != want {
			t.Fatalf("OpenFile = %q, %v; want %q", open, err, want)
		}
		save, err := b.Dialogs.SaveFile("Factures.csv")
		if err != nil || save != want {
			t.Fatalf("SaveFile = %q, %v; want %q", save, err, want)
		}
	}
	// Without the variable, the native dialogs stay.
	t.Setenv(TestDialogFileEnv, "")
	native := &fakeDialogs{open: "/native/open.csv"}
	b = &Backend{Dialogs: native}
	b.Startup(context.Background())
	if b.Dialogs != Dialogs(native) {
		t.Fatalf("the dialogs were replaced without %s", TestDialogFileEnv)
	}
}
