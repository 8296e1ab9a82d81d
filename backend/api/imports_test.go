package api

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
)

// fakeDialogs answers the native dialogs with set paths.
type fakeDialogs struct{ open, save string }

func (d *fakeDialogs) SaveFile(string) (string, error) { return d.save, nil }
func (d *fakeDialogs) OpenFile() (string, error)       { return d.open, nil }

// progressLog keeps the import progress events.
type progressLog struct {
	mu     sync.Mutex
	events []ImportProgressDTO
	names  []string
}

func (p *progressLog) emit(name string, data any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.names = append(p.names, name)
	if ev, ok := data.(ImportProgressDTO); ok {
		p.events = append(p.events, ev)
	}
}

func TestAnAdminImportsUndoesAndEveryoneExportsWithoutSecrets(t *testing.T) {
	h := newHarness(t)
	log := &progressLog{}
	h.b.Emit = log.emit
	dir := t.TempDir()
	dlg := &fakeDialogs{open: filepath.Join("..", "importer", "testdata", "csv", "excel_fr_windows1252.csv")}
	h.b.Dialogs = dlg

	// Secrets of this run: an account's password in the vault, and a token set beside it.
	const password, token = "Pa55-w0rd-d3-la-b0ut1que", "pm-token-5e3c7a1b9d"
	if _, err := h.b.Accounts.CreateWith(context.Background(), h.users[admin], accounts.NewAccount{Name: "Boutique", Email: "boutique@example.test",
		IMAP: accounts.Server{Host: "127.0.0.1", Port: 9, Security: accounts.TLS, Username: "boutique@example.test"},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: 9, Security: accounts.StartTLS, Username: "boutique@example.test"}},
		accounts.Secrets{Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := h.b.Vault.Set("postmark-token", token); err != nil {
		t.Fatal(err)
	}

	h.as(t, collab)
	if _, err := h.svcs.Imports.Open(1); !fault.Is(err, fault.Forbidden) {
		t.Fatalf("a collaborator opened an import: %v", err)
	}
	h.as(t, admin)
	types, err := h.svcs.Records.Types()
	if err != nil {
		t.Fatal(err)
	}
	contactType := types[0].ID
	file, err := h.svcs.Imports.Open(contactType)
	if err != nil || file.FileID == "" || file.Detected.Encoding != "windows-1252" || file.Detected.Separator != ";" || file.Rows != 4 ||
		strings.Join(file.Suggested, ",") != "last_name,first_name,company,emails,phones,,," || file.Kinds[5] != "date" {
		t.Fatalf("Open = %+v, %v", file, err)
	}
	settings := ImportSettingsDTO{TypeID: contactType, Columns: file.Suggested, Dedupe: "update", CreateLinked: true}
	pv, err := h.svcs.Imports.Preview(file.FileID, settings)
	if err != nil || len(pv.Preview) != 4 || pv.Preview[1].Values["last_name"] != "Lefèvre" || pv.Preview[1].Action != "create" {
		t.Fatalf("Preview = %+v, %v", pv, err)
	}
	// A separator override that cannot be one.
	bad := settings
	bad.Separator = ";;"
	if _, err := h.svcs.Imports.Inspect(file.FileID, bad); fault.ReasonOf(err) != "imports_separator_invalid" {
		t.Fatalf("a two-character separator: %v", err)
	}
	rep, err := h.svcs.Imports.Run(file.FileID, settings)
	if err != nil || rep.ImportID == 0 || rep.Created != 4 || rep.Linked != 4 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	if len(log.events) == 0 || log.events[len(log.events)-1].Fraction != 1 || log.events[len(log.events)-1].Phase != "import" {
		t.Fatalf("progress %+v", log.events)
	}
	if !strings.Contains(strings.Join(log.names, " "), RecordsChangedEvent) {
		t.Fatalf("events %v", log.names)
	}

	// Everyone signed in exports what they read, as the list shows it: CSV and vCard.
	h.as(t, collab)
	dlg.save = filepath.Join(dir, "contacts.csv")
	path, err := h.svcs.Imports.Export(ExportDTO{Query: RecordQueryDTO{TypeID: contactType}, Format: "csv"})
	if err != nil || path != dlg.save {
		t.Fatalf("Export = %q, %v", path, err)
	}
	csv, _ := os.ReadFile(path)
	// The collaborator's language is English: `,` and English headers.
	if !strings.HasPrefix(string(csv), "\ufeffFirst name,Last name,Emails,") || !strings.Contains(string(csv), "Hélène,Lefèvre,helene@cafe-etoile.fr") {
		t.Fatalf("CSV:\n%s", csv)
	}
	dlg.save = filepath.Join(dir, "contacts.vcf")
	if _, err := h.svcs.Imports.Export(ExportDTO{Query: RecordQueryDTO{TypeID: contactType, Search: "lefevre"}, Format: "vcard"}); err != nil {
		t.Fatal(err)
	}
	vcf, _ := os.ReadFile(dlg.save)
	if strings.Count(string(vcf), "BEGIN:VCARD") != 1 || !strings.Contains(string(vcf), "EMAIL;TYPE=INTERNET") {
		t.Fatalf("vCard:\n%s", vcf)
	}
	if _, err := h.svcs.Imports.Export(ExportDTO{Query: RecordQueryDTO{TypeID: types[1].ID}, Format: "vcard"}); fault.ReasonOf(err) != "exports_vcard_contacts_only" {
		t.Fatalf("companies as vCards: %v", err)
	}
	h.as(t, super) // French: `;`
	dlg.save = filepath.Join(dir, "societes.csv")
	if _, err := h.svcs.Imports.Export(ExportDTO{Query: RecordQueryDTO{TypeID: types[1].ID}, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	fr, _ := os.ReadFile(dlg.save)
	if !strings.HasPrefix(string(fr), "\ufeffNom;Domaines;Adresse;Téléphone;Notes\r\n") {
		t.Fatalf("French CSV:\n%s", fr)
	}
	for _, name := range []string{"contacts.csv", "contacts.vcf", "societes.csv"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		for _, secret := range []string{password, token} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("%s holds a secret", name)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("the export folder holds %d files (a temporary file left?)", len(entries))
	}

	// The admin undoes the import: the contacts and the companies made for them go.
	h.as(t, admin)
	hist, err := h.svcs.Imports.History(contactType)
	if err != nil || len(hist) != 1 || hist[0].Created != 8 || hist[0].FileName != "excel_fr_windows1252.csv" {
		t.Fatalf("History = %+v, %v", hist, err)
	}
	u, err := h.svcs.Imports.Undo(rep.ImportID)
	if err != nil || u.Removed != 8 {
		t.Fatalf("Undo = %+v, %v", u, err)
	}
	page, err := h.svcs.Records.List(RecordQueryDTO{TypeID: contactType})
	if err != nil || page.Total != 0 {
		t.Fatalf("after the undo: %+v, %v", page, err)
	}
	if _, err := h.svcs.Imports.Undo(rep.ImportID); fault.ReasonOf(err) != "imports_already_undone" {
		t.Fatalf("second undo: %v", err)
	}
	if err := h.svcs.Imports.Close(file.FileID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svcs.Imports.Preview(file.FileID, settings); fault.ReasonOf(err) != "imports_file_gone" {
		t.Fatalf("a closed file: %v", err)
	}
}

func TestABinaryFileIsRefusedWithItsReason(t *testing.T) {
	h := newHarness(t)
	h.b.Dialogs = &fakeDialogs{open: filepath.Join("..", "importer", "testdata", "csv", "image.png.csv")}
	h.as(t, admin)
	if _, err := h.svcs.Imports.Open(1); fault.ReasonOf(err) != "importer_binary_file" {
		t.Fatalf("a PNG: %v", err)
	}
	h.b.Dialogs = &fakeDialogs{}
	if f, err := h.svcs.Imports.Open(1); err != nil || f.FileID != "" {
		t.Fatalf("a cancelled dialog: %+v, %v", f, err)
	}
}
