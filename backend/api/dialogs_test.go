//go:build !dev

package api

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// The product's binary (built without the dev tag) has no test dialogs: with
// MAILROOM_TEST_DIALOG_FILE set and naming a readable file, the import still asks the native
// dialog, and Export saves where the native dialog says.
func TestTheProductIgnoresTheTestDialogFile(t *testing.T) {
	if devDialogs != nil {
		t.Fatal("the test dialogs are part of a build without the dev tag")
	}
	dir := t.TempDir()
	decoy := filepath.Join(dir, "decoy.csv")
	if err := os.WriteFile(decoy, []byte("Nom;Prénom\nDupont;Marie\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	answer := filepath.Join(dir, "answer")
	if err := os.WriteFile(answer, []byte(decoy), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAILROOM_TEST_DIALOG_FILE", answer)

	h := newHarness(t)
	native := &fakeDialogs{} // the user cancels the native dialogs
	h.b.Dialogs = native
	h.b.Startup(context.Background())
	if h.b.Dialogs != Dialogs(native) {
		t.Fatal("Startup replaced the native dialogs")
	}
	h.as(t, admin)
	types, err := h.svcs.Records.Types()
	if err != nil {
		t.Fatal(err)
	}
	file, err := h.svcs.Imports.Open(types[0].ID)
	if err != nil || file.FileID != "" {
		t.Fatalf("Open = %+v, %v; want the native dialog's cancel", file, err)
	}
	path, err := h.svcs.Imports.Export(ExportDTO{Query: RecordQueryDTO{TypeID: types[0].ID}, Format: "csv"})
	if err != nil || path != "" {
		t.Fatalf("Export = %q, %v; want the native dialog's cancel", path, err)
	}
	if b, _ := os.ReadFile(decoy); string(b) != "Nom;Prénom\nDupont;Marie\n" {
		t.Fatalf("the file the variable names was written: %q", b)
	}
}
