package records

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mailroom/backend/fault"
	"mailroom/backend/importer"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

func corpus(name string) string {
	if strings.HasSuffix(name, ".vcf") {
		return filepath.Join("..", "importer", "testdata", "vcard", name)
	}
	if _, err := os.Stat(filepath.Join("testdata", name)); err == nil {
		return filepath.Join("testdata", name)
	}
	return filepath.Join("..", "importer", "testdata", "csv", name)
}

func fileSource(path string) ImportSource {
	return ImportSource{Name: filepath.Base(path), VCard: strings.HasSuffix(path, ".vcf"),
		Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

func bytesSource(name string, b []byte) ImportSource {
	return ImportSource{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// inspect reads a file and returns the settings the wizard would start from.
func (f *fixture) inspect(t *testing.T, src ImportSource, typeID int64) (FileInfo, ImportSettings) {
	t.Helper()
	s := ImportSettings{TypeID: typeID, CreateLinked: true}
	info, err := f.r.InspectImport(context.Background(), src, s)
	if err != nil {
		t.Fatalf("inspect %s: %v", src.Name, err)
	}
	s.Columns = info.Suggested
	return info, s
}

func (f *fixture) runImport(t *testing.T, src ImportSource, s ImportSettings) ImportResult {
	t.Helper()
	res, err := f.r.Import(context.Background(), f.user, src, 0, s, Run{}, nil)
	if err != nil {
		t.Fatalf("import %s: %v", src.Name, err)
	}
	return res
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) findOne(t *testing.T, typeID int64, search string) Record {
	t.Helper()
	p, err := f.r.List(context.Background(), Query{TypeID: typeID, Search: search})
	if err != nil || len(p.Records) != 1 {
		t.Fatalf("search %q: %d records, %v", search, len(p.Records), err)
	}
	return p.Records[0]
}

func TestImportFrenchExcelContactsInEveryEncoding(t *testing.T) {
	for _, file := range []string{"excel_fr_windows1252.csv", "excel_fr_utf8_bom.csv", "excel_fr_title_line.csv"} {
		t.Run(file, func(t *testing.T) {
			f := newFixture(t)
			src := fileSource(corpus(file))
			info, s := f.inspect(t, src, f.contact.ID)
			want := []string{ContactLastName, ContactFirstName, ContactCompany, ContactEmails, ContactPhones, "", "", ""}
			if fmt.Sprint(info.Suggested) != fmt.Sprint(want) {
				t.Fatalf("suggested %q; want %q", info.Suggested, want)
			}
			if info.Kinds[5] != Date || info.Kinds[7] != Checkbox {
				t.Fatalf("kinds guessed %v", info.Kinds)
			}
			res := f.runImport(t, src, s)
			if res.Created != 4 || res.Linked != 4 || res.Failed != 0 || res.ImportID == 0 {
				t.Fatalf("result %+v", res)
			}
			c := f.findOne(t, f.contact.ID, "hélène")
			if c.Title != "Hélène Lefèvre" || fmt.Sprint(c.Values[ContactEmails]) != "[helene@cafe-etoile.fr]" {
				t.Fatalf("contact %+v", c)
			}
			if refs, _ := c.Values[ContactCompany].([]LinkRef); len(refs) != 1 || refs[0].Title != "Café de l'Étoile" {
				t.Fatalf("company %#v", c.Values[ContactCompany])
			}
			if n := f.count(t, `SELECT COUNT(*) FROM records WHERE import_id = ?`, res.ImportID); n != 8 {
				t.Fatalf("%d records carry the import; want 8", n)
			}
		})
	}
}

func TestImportGoogleOutlookAndVCardContacts(t *testing.T) {
	f := newFixture(t)
	_, s := f.inspect(t, fileSource(corpus("google_contacts.csv")), f.contact.ID)
	if res := f.runImport(t, fileSource(corpus("google_contacts.csv")), s); res.Created != 2 || res.Failed != 0 {
		t.Fatalf("google: %+v", res)
	}
	marie := f.findOne(t, f.contact.ID, "curie")
	if fmt.Sprint(marie.Values[ContactEmails]) != "[marie.curie@exemple.fr marie@maison.fr]" ||
		!strings.Contains(marie.Values[ContactNotes].(string), "\nNe pas appeler") || marie.Values[ContactJobTitle] != "Directrice" {
		t.Fatalf("Marie Curie %+v", marie.Values)
	}
	_, s = f.inspect(t, fileSource(corpus("outlook.csv")), f.contact.ID)
	if res := f.runImport(t, fileSource(corpus("outlook.csv")), s); res.Created != 1 || res.Failed != 0 {
		t.Fatalf("outlook: %+v", res)
	}
	john := f.findOne(t, f.contact.ID, "smith")
	if john.Title != "John Smith" || len(john.Values[ContactPhones].([]any)) != 2 {
		t.Fatalf("John Smith %+v", john.Values)
	}
	// A card file goes through the same path; Marie is there already (by email): updated.
	_, s = f.inspect(t, fileSource(corpus("google_v3.vcf")), f.contact.ID)
	res := f.runImport(t, fileSource(corpus("google_v3.vcf")), s)
	if res.Created+res.Updated == 0 || res.Failed != 0 {
		t.Fatalf("vcard: %+v", res)
	}
	if _, err := f.r.InspectImport(context.Background(), fileSource(corpus("google_v3.vcf")), ImportSettings{TypeID: f.company.ID}); !ErrImportVCardContacts.Is(err) {
		t.Fatalf("a vCard into companies: %v", err)
	}
}

// invoiceType adds the fields of an invoice: a client (a company), an amount, a due date,
// a paid box.
func (f *fixture) invoiceType(t *testing.T) {
	f.field(t, f.factures.ID, FieldInput{Label: "Client", Kind: Link, TargetTypeID: f.company.ID})
	f.field(t, f.factures.ID, FieldInput{Label: "Montant", Kind: Money, Currency: "EUR"})
	f.field(t, f.factures.ID, FieldInput{Label: "Échéance", Kind: Date})
	f.field(t, f.factures.ID, FieldInput{Label: "Payée", Kind: Checkbox})
	f.field(t, f.factures.ID, FieldInput{Label: "Notes", Kind: LongText})
}

func TestImportCompaniesThenInvoicesResolvesLinks(t *testing.T) {
	f := newFixture(t)
	f.invoiceType(t)
	info, s := f.inspect(t, fileSource(corpus("companies_fr_windows1252.csv")), f.company.ID)
	if info.Detected.Encoding != importer.Windows1252 || info.Detected.Separator != ';' ||
		fmt.Sprint(info.Suggested) != fmt.Sprint([]string{CompanyName, CompanyDomains, CompanyAddress, TargetPostalCode, TargetCity, CompanyPhone}) {
		t.Fatalf("companies: %+v", info)
	}
	if res := f.runImport(t, fileSource(corpus("companies_fr_windows1252.csv")), s); res.Created != 3 {
		t.Fatalf("companies: %+v", res)
	}
	cafe := f.findOne(t, f.company.ID, "etoile")
	if cafe.Values[CompanyAddress] != "3 place de l'Étoile\n75008 Paris" || fmt.Sprint(cafe.Values[CompanyDomains]) != "[cafe-etoile.fr]" {
		t.Fatalf("café %+v", cafe.Values)
	}
	src := fileSource(corpus("factures_fr_utf8_bom.csv"))
	info, s = f.inspect(t, src, f.factures.ID)
	if fmt.Sprint(info.Suggested) != "[numero client montant echeance payee]" {
		t.Fatalf("invoices suggested %q", info.Suggested)
	}
	s.CreateLinked = false
	res := f.runImport(t, src, s)
	if res.Created != 3 || res.Failed != 1 || len(res.Unresolved) != 1 || res.Unresolved[0].Value != "Inconnue SA" || res.Unresolved[0].Column != 1 {
		t.Fatalf("invoices %+v", res)
	}
	fail := res.Failures[0]
	if fail.Line != 5 || fail.Errors[0].Column != 3 || fault.ReasonOf(fail.Errors[0].Err) != "importer_date_impossible" {
		t.Fatalf("failure %+v", fail)
	}
	one := f.findOne(t, f.factures.ID, "F-2026-001")
	if refs, _ := one.Values["client"].([]LinkRef); len(refs) != 1 || refs[0].Title != "Boulangerie Dupont & Fils" ||
		one.Values["montant"] != 1234.56 || one.Values["echeance"] != "2026-03-31" || one.Values["payee"] != true {
		t.Fatalf("F-2026-001 %+v", one.Values)
	}
	two := f.findOne(t, f.factures.ID, "F-2026-002")
	if refs, _ := two.Values["client"].([]LinkRef); len(refs) != 1 || refs[0].ID != cafe.ID {
		t.Fatalf("F-2026-002's client (by the contact's address) %#v", two.Values["client"])
	}
	d, err := f.r.Get(context.Background(), cafe.ID)
	if err != nil || len(d.Backlinks) != 1 || d.Backlinks[0].Total != 1 {
		t.Fatalf("the café's invoices %+v, %v", d.Backlinks, err)
	}
}

func TestImportLibreOfficeMultilineInvoices(t *testing.T) {
	f := newFixture(t)
	f.invoiceType(t)
	src := fileSource(corpus("libreoffice_comma_multiline.csv"))
	info, s := f.inspect(t, src, f.factures.ID)
	if info.Detected.Separator != ',' {
		t.Fatalf("separator %q", info.Detected.Separator)
	}
	res := f.runImport(t, src, s)
	if res.Created != 2 || res.Linked != 2 || res.Failed != 0 {
		t.Fatalf("%+v", res)
	}
	inv := f.findOne(t, f.factures.ID, "F-2026-002")
	if inv.Values["montant"] != 99.9 || inv.Values["notes"] != `Il a dit "payé" mais rien reçu` || inv.Values["payee"] != nil {
		t.Fatalf("%+v", inv.Values)
	}
	inv = f.findOne(t, f.factures.ID, "F-2026-001")
	if inv.Values["montant"] != 1234.56 || !strings.Contains(inv.Values["notes"].(string), "\nRelancer") {
		t.Fatalf("%+v", inv.Values)
	}
}

func TestBadFilesImportNothing(t *testing.T) {
	f := newFixture(t)
	cases := map[string]string{
		"header_only.csv":     "imports_no_rows",
		"malformed_quote.csv": "importer_malformed_quote",
		"image.png.csv":       "importer_binary_file",
		"not_a_vcard.vcf":     "importer_vcard_empty",
	}
	for file, reason := range cases {
		src := fileSource(corpus(file))
		s := ImportSettings{TypeID: f.contact.ID, Columns: []string{ContactLastName, ContactNotes}}
		if strings.HasSuffix(file, ".vcf") {
			s.Columns = []string{ContactFirstName}
		}
		_, err := f.r.Import(context.Background(), f.user, src, 0, s, Run{}, nil)
		if fault.ReasonOf(err) != reason {
			t.Errorf("%s: %v; want %s", file, err, reason)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records`); n != 0 {
		t.Fatalf("%d records after bad files", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM imports`); n != 0 {
		t.Fatalf("%d imports after bad files", n)
	}
}

func TestDedupeUpdateSkipCreateAndUndo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.field(t, f.contact.ID, FieldInput{Label: "Ville", Kind: Text})
	kept := f.create(t, f.contact.ID, Values{ContactFirstName: "Françoise", ContactLastName: "Dupont",
		ContactEmails: []any{"francoise.dupont@exemple.fr", "fd@perso.fr"}, ContactJobTitle: "Gérante", "ville": "Paris"})
	file := []byte("Prénom;Nom;E-mail;Fonction;Ville\nFrançoise;Dupont;FRANCOISE.DUPONT@exemple.fr;Boulangère;\nNoé;Petit;noe@exemple.fr;;Lyon\n")
	s := ImportSettings{TypeID: f.contact.ID, Columns: []string{ContactFirstName, ContactLastName, ContactEmails, ContactJobTitle, "ville"}}

	s.Dedupe = DedupeSkip
	res := f.runImport(t, bytesSource("a.csv", file), s)
	if res.Created != 1 || res.Skipped != 1 || res.Updated != 0 {
		t.Fatalf("skip: %+v", res)
	}
	if d, _ := f.r.Get(ctx, kept.ID); d.Values[ContactJobTitle] != "Gérante" {
		t.Fatalf("a skipped record changed: %+v", d.Values)
	}
	if _, err := f.r.UndoImport(ctx, f.user, res.ImportID); err != nil {
		t.Fatal(err)
	}

	s.Dedupe = DedupeCreate
	res = f.runImport(t, bytesSource("b.csv", file), s)
	if res.Created != 2 || f.count(t, `SELECT COUNT(*) FROM record_emails WHERE email = 'francoise.dupont@exemple.fr'`) != 2 {
		t.Fatalf("create: %+v", res)
	}
	if _, err := f.r.UndoImport(ctx, f.user, res.ImportID); err != nil {
		t.Fatal(err)
	}

	s.Dedupe = DedupeUpdate
	res = f.runImport(t, bytesSource("c.csv", file), s)
	if res.Created != 1 || res.Updated != 1 {
		t.Fatalf("update: %+v", res)
	}
	d, _ := f.r.Get(ctx, kept.ID)
	if d.Values[ContactJobTitle] != "Boulangère" || d.Values["ville"] != "Paris" ||
		fmt.Sprint(d.Values[ContactEmails]) != "[francoise.dupont@exemple.fr fd@perso.fr]" {
		t.Fatalf("updated: %+v", d.Values)
	}
	u, err := f.r.UndoImport(ctx, f.user, res.ImportID)
	if err != nil || u.Removed != 1 || u.Restored != 1 {
		t.Fatalf("undo %+v, %v", u, err)
	}
	d, _ = f.r.Get(ctx, kept.ID)
	if d.Values[ContactJobTitle] != "Gérante" || d.Values["ville"] != "Paris" || len(d.Values[ContactEmails].([]any)) != 2 {
		t.Fatalf("restored: %+v", d.Values)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records`); n != 1 {
		t.Fatalf("%d records after the undos; want the one made by hand", n)
	}
	if _, err := f.r.UndoImport(ctx, f.user, res.ImportID); !ErrImportUndone.Is(err) {
		t.Fatalf("second undo: %v", err)
	}
	list, err := f.r.Imports(ctx, f.contact.ID, 0)
	if err != nil || len(list) != 3 || list[0].UndoneAt.IsZero() || list[0].Updated != 1 {
		t.Fatalf("imports %+v, %v", list, err)
	}
}

func TestDedupeOwnTypeByKeyFieldAndUndoRestoresValues(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.invoiceType(t)
	old := f.create(t, f.factures.ID, Values{"numero": "F-1", "montant": 10.0, "echeance": "2026-01-31"})
	file := []byte("Numéro;Montant;Échéance\nf-1;20,50;28/02/2026\nF-2;5;\n")
	s := ImportSettings{TypeID: f.factures.ID, Columns: []string{"numero", "montant", "echeance"}, Dedupe: DedupeUpdate}
	res := f.runImport(t, bytesSource("f.csv", file), s)
	if res.Updated != 1 || res.Created != 1 {
		t.Fatalf("%+v", res)
	}
	d, _ := f.r.Get(ctx, old.ID)
	if d.Values["montant"] != 20.5 || d.Values["echeance"] != "2026-02-28" || d.Title != "f-1" {
		t.Fatalf("%+v", d.Values)
	}
	if _, err := f.r.UndoImport(ctx, f.user, res.ImportID); err != nil {
		t.Fatal(err)
	}
	d, _ = f.r.Get(ctx, old.ID)
	if d.Values["montant"] != 10.0 || d.Values["echeance"] != "2026-01-31" || d.Title != "F-1" {
		t.Fatalf("restored %+v (%s)", d.Values, d.Title)
	}
	s.KeyField = "montant"
	if _, err := f.r.Import(ctx, f.user, bytesSource("f.csv", file), 0, s, Run{}, nil); !ErrImportKeyField.Is(err) {
		t.Fatalf("a money key field: %v", err)
	}
}

func TestPreviewAndValidationAreDryRuns(t *testing.T) {
	f := newFixture(t)
	f.invoiceType(t)
	src := fileSource(corpus("factures_fr_utf8_bom.csv"))
	_, s := f.inspect(t, src, f.factures.ID)
	res, err := f.r.Import(context.Background(), f.user, src, 0, s, Run{DryRun: true, Limit: 2, Preview: true}, nil)
	if err != nil || len(res.Preview) != 2 || res.Preview[0].Action != ActionCreate || res.Preview[0].Values["montant"] != 1234.56 || res.Linked != 1 {
		t.Fatalf("preview %+v, %v", res, err)
	}
	res, err = f.r.Import(context.Background(), f.user, src, 0, s, Run{DryRun: true}, nil)
	if err != nil || res.Rows != 4 || res.Failed != 1 || res.ImportID != 0 {
		t.Fatalf("validation %+v, %v", res, err)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records`) + f.count(t, `SELECT COUNT(*) FROM imports`); n != 0 {
		t.Fatalf("a dry run left %d rows", n)
	}
}

// bigContacts is a French-Excel-style file of n contacts (Windows-1252, `;`).
func bigContacts(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Nom;Pr\xe9nom;E-mail;T\xe9l\xe9phone;Soci\xe9t\xe9\r\n")
	for i := range n {
		fmt.Fprintf(&b, "Nom%d;Pr\xe9nom%d;contact%d@exemple.fr;06 12 34 %02d %02d;Soci\xe9t\xe9 %d\r\n", i, i, i, i%100, (i/100)%100, i%1000)
	}
	return b.Bytes()
}

func TestCancelInTheMiddleLeavesNothing(t *testing.T) {
	f := newFixture(t)
	data := bigContacts(20_000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := ImportSettings{TypeID: f.contact.ID, Columns: []string{ContactLastName, ContactFirstName, ContactEmails, ContactPhones, ContactCompany}, CreateLinked: true}
	rows := 0
	_, err := f.r.Import(ctx, f.user, bytesSource("big.csv", data), int64(len(data)), s, Run{}, func(p ImportProgress) {
		rows = p.Rows
		if p.Rows > 0 && p.Fraction < 1 {
			cancel()
		}
	})
	if !ErrImportCancelled.Is(err) || rows == 0 {
		t.Fatalf("cancelled after %d rows: %v", rows, err)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records`) + f.count(t, `SELECT COUNT(*) FROM imports`) +
		f.count(t, `SELECT COUNT(*) FROM records_fts`); n != 0 {
		t.Fatalf("a cancelled import left %d rows", n)
	}
}

// TestKilledImportLeavesNothingAndRunsAgain kills a process in the middle of an import,
// then opens the database again: nothing of it is there, and the same import then runs.
func TestKilledImportLeavesNothingAndRunsAgain(t *testing.T) {
	if dir := os.Getenv("MAILROOM_IMPORT_CHILD"); dir != "" {
		importUntilKilled(t, dir)
		return
	}
	dir := t.TempDir()
	f := newFixtureAt(t, dir)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := execCommand(exe, "-test.run=^TestKilledImportLeavesNothingAndRunsAgain$")
	cmd.Env = append(os.Environ(), "MAILROOM_IMPORT_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := io.ReadAtLeast(out, buf, len("importing"))
	if !strings.Contains(string(buf[:n]), "importing") {
		t.Fatalf("the child said %q", buf[:n])
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	f.reopen(t, dir)
	if n := f.count(t, `SELECT COUNT(*) FROM records`) + f.count(t, `SELECT COUNT(*) FROM imports`); n != 0 {
		t.Fatalf("a killed import left %d rows", n)
	}
	data := bigContacts(2_000)
	s := ImportSettings{TypeID: f.contact.ID, Columns: []string{ContactLastName, ContactFirstName, ContactEmails}}
	if res := f.runImport(t, bytesSource("big.csv", data), s); res.Created != 2_000 {
		t.Fatalf("again: %+v", res)
	}
}

func importUntilKilled(t *testing.T, dir string) {
	f := newFixtureAt(t, dir)
	data := bigContacts(50_000)
	s := ImportSettings{TypeID: f.contact.ID, Columns: []string{ContactLastName, ContactFirstName, ContactEmails}}
	said := false
	_, _ = f.r.Import(context.Background(), f.user, bytesSource("big.csv", data), int64(len(data)), s, Run{}, func(p ImportProgress) {
		if !said && p.Rows > 1000 {
			said = true
			fmt.Println("importing")
			select {} // wait for the kill, inside the transaction
		}
	})
	t.Fatal("the import ended before the kill")
}

var execCommand = exec.Command

// newFixtureAt opens (or makes) the database in dir, with its first user.
func newFixtureAt(t *testing.T, dir string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, r: New(db, Options{})}
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM users ORDER BY id LIMIT 1`).Scan(&f.user); err != nil {
		u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Élise Martin", Email: "elise@example.test", Language: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		f.user = u.ID
	}
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.contact, f.company = s.TypeByKey(ContactType), s.TypeByKey(CompanyType)
	return f
}

// reopen closes the database and opens it again (as the app does after a crash).
func (f *fixture) reopen(t *testing.T, dir string) {
	t.Helper()
	f.db.Close()
	*f = *newFixtureAt(t, dir)
}

// An invoice file with a date and a due date: each goes to its own field, whichever comes
// first in the type (the plain date never takes the due-date field).
func TestImportMapsADateAndADueDateEachToItsField(t *testing.T) {
	f := newFixture(t)
	f.invoiceType(t) // Échéance is the type's first date field
	f.field(t, f.factures.ID, FieldInput{Label: "Date d'émission", Kind: Date})
	file := []byte("Numéro;Date;Échéance;Montant\nF-1;02/03/2026;30/04/2026;1 234,56\n")
	info, s := f.inspect(t, bytesSource("factures.csv", file), f.factures.ID)
	if fmt.Sprint(info.Suggested) != "[numero date_d_emission echeance montant]" {
		t.Fatalf("suggested %q", info.Suggested)
	}
	f.runImport(t, bytesSource("factures.csv", file), s)
	rec := f.findOne(t, f.factures.ID, "F-1")
	if rec.Values["echeance"] != "2026-04-30" || rec.Values["date_d_emission"] != "2026-03-02" {
		t.Fatalf("values %+v", rec.Values)
	}
}
