package records

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"mailroom/backend/fault"
)

// A contacts file whose rows create, update in the same file, fail and link: the values an
// import writes in batches are all there, in order, and a failing row leaves nothing behind,
// not even the company its row named.
func TestImportBatchesWritesEveryValueAndAFailingRowLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	file := []byte("Prénom;Nom;E-mail;Téléphone;Société\n" +
		"Élise;Martin;elise@exemple.fr;01 02 03 04 05;Toiture Martin\n" +
		"Loïc;Durand;pas-une-adresse;06 00 00 00 00;Société Fantôme\n" +
		"Élise;Martin-Dupont;elise@exemple.fr, e.martin@exemple.fr;;Toiture Martin\n" +
		"Noël;Petit;noel@exemple.fr;0612345678;\n")
	s := ImportSettings{TypeID: f.contact.ID, CreateLinked: true,
		Columns: []string{ContactFirstName, ContactLastName, ContactEmails, ContactPhones, ContactCompany}}
	res := f.runImport(t, bytesSource("contacts.csv", file), s)
	if res.Created != 2 || res.Updated != 1 || res.Failed != 1 || res.Linked != 1 {
		t.Fatalf("result %+v", res)
	}
	if len(res.Failures) != 1 || res.Failures[0].Line != 3 || res.Failures[0].Errors[0].Column != 2 {
		t.Fatalf("failures %+v", res.Failures)
	}
	if fe, ok := fault.As(res.Failures[0].Errors[0].Err); !ok || fe.Field != ContactEmails || fe.Params["field"] != ContactEmails ||
		fe.Params["fieldKey"] != ContactEmails {
		t.Fatalf("the failure names the field %#v", res.Failures[0].Errors[0].Err)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records WHERE title = 'Société Fantôme'`); n != 0 {
		t.Fatalf("the failing row's company was created (%d)", n)
	}
	elise := f.findOne(t, f.contact.ID, "elise martin")
	if elise.Title != "Élise Martin-Dupont" || fmt.Sprint(elise.Values[ContactEmails]) != "[elise@exemple.fr e.martin@exemple.fr]" ||
		fmt.Sprint(elise.Values[ContactPhones]) != "[01 02 03 04 05]" {
		t.Fatalf("élise %+v", elise)
	}
	refs, _ := elise.Values[ContactCompany].([]LinkRef)
	if len(refs) != 1 || refs[0].Title != "Toiture Martin" {
		t.Fatalf("élise's company %+v", elise.Values[ContactCompany])
	}
	noel := f.findOne(t, f.contact.ID, "noel")
	if fmt.Sprint(noel.Values[ContactPhones]) != "[0612345678]" || noel.ImportID != res.ImportID {
		t.Fatalf("noël %+v", noel)
	}
	// Every lookup the filing needs, and a search row per record.
	if f.count(t, `SELECT COUNT(*) FROM record_emails`) != 3 || f.count(t, `SELECT COUNT(*) FROM record_links`) != 1 ||
		f.count(t, `SELECT COUNT(*) FROM records_fts`) != f.count(t, `SELECT COUNT(*) FROM records`) {
		t.Fatal("lookups or search rows missing")
	}
	// A second import of the same file matches every record through the index it reads once.
	res = f.runImport(t, bytesSource("contacts.csv", file), s)
	if res.Created != 0 || res.Updated != 3 || res.Failed != 1 {
		t.Fatalf("again: %+v", res)
	}
	if _, err := f.r.UndoImport(ctx, f.user, res.ImportID); err != nil {
		t.Fatal(err)
	}
}

// Errors about a built-in field name it by its key, which the interface words in the
// user's language; a field an admin made is named by its label.
func TestErrorsNameABuiltinFieldByItsKey(t *testing.T) {
	f := newFixture(t)
	_, err := f.r.Create(context.Background(), f.user, f.contact.ID, Values{ContactEmails: "pas une adresse"})
	fe, ok := fault.As(err)
	if !ok || !ErrValueEmail.Is(err) || fe.Params["field"] != ContactEmails || fe.Params["fieldKey"] != ContactEmails || fe.Field != ContactEmails {
		t.Fatalf("built-in: %#v", err)
	}
	f.field(t, f.factures.ID, FieldInput{Label: "Échéance", Kind: Date})
	_, err = f.r.Create(context.Background(), f.user, f.factures.ID, Values{"numero": "F-1", "echeance": "demain"})
	if fe, ok = fault.As(err); !ok || fe.Params["field"] != "Échéance" || fe.Params["fieldKey"] != "echeance" {
		t.Fatalf("own field: %#v", err)
	}
}

func TestSearchMatchesAWordSplitByThePunctuationAsAPhrase(t *testing.T) {
	for in, want := range map[string]string{
		"f-0421":           `"f 0421"*`,
		"Élise  toit":      `"Élise"* "toit"*`,
		`a"b -- ;`:         `"a b"*`,
		"jean-pierre@x.fr": `"jean pierre x fr"*`,
		"":                 "",
	} {
		if got := FTSQuery(in); got != want {
			t.Errorf("FTSQuery(%q) = %s, want %s", in, got, want)
		}
	}
	f := newFixture(t)
	f.create(t, f.factures.ID, Values{"numero": "F-042100"})
	f.create(t, f.factures.ID, Values{"numero": "G-042100 F-9"})
	p, err := f.r.List(context.Background(), Query{TypeID: f.factures.ID, Search: "f-0421"})
	if err != nil || len(p.Records) != 1 || p.Records[0].Title != "F-042100" {
		t.Fatalf("search f-0421: %+v %v", p.Records, err)
	}
	var hash string
	if err := f.db.R.QueryRow(`SELECT v FROM records_fts_config WHERE k = 'hashsize'`).Scan(&hash); err != nil || hash != "16777216" {
		t.Fatalf("the search index's hash size: %q %v", hash, err)
	}
}

// An import of many batches (written on their own goroutine while the next rows are read)
// writes every row, link, lookup and search text of the records it creates, numbered after
// those there; updates the record a row matches in the middle of it; leaves out the row
// that fails; and is undone whole.
func TestImportOfManyBatchesWritesEveryRowAndIsUndoneWhole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before := f.create(t, f.contact.ID, Values{ContactFirstName: "Zoé", ContactEmails: "contact2500@exemple.fr"})
	company := f.create(t, f.company.ID, Values{CompanyName: "Société 7"})
	const n = 6_000
	var b bytes.Buffer
	b.WriteString("Nom;Pr\xe9nom;E-mail;T\xe9l\xe9phone;Soci\xe9t\xe9\r\n")
	for i := range n {
		email := fmt.Sprintf("contact%d@exemple.fr", i)
		if i == 4_000 {
			email = "pas-une-adresse"
		}
		fmt.Fprintf(&b, "Nom%d;Pr\xe9nom%d;%s;06 12 34 %02d %02d;Soci\xe9t\xe9 %d\r\n", i, i, email, i%100, (i/100)%100, i%1000)
	}
	s := ImportSettings{TypeID: f.contact.ID, CreateLinked: true,
		Columns: []string{ContactLastName, ContactFirstName, ContactEmails, ContactPhones, ContactCompany}}
	res := f.runImport(t, bytesSource("contacts.csv", b.Bytes()), s)
	if res.Created != n-2 || res.Updated != 1 || res.Failed != 1 || res.Linked != 999 || len(res.Failures) != 1 || res.Failures[0].Line != 4_002 {
		t.Fatalf("result %+v", res)
	}
	created := res.Created + res.Linked
	if got := f.count(t, `SELECT COUNT(*) FROM records WHERE import_id = ? AND id > ?`, res.ImportID, company.ID); got != created {
		t.Fatalf("%d records of the import numbered after the others, want %d", got, created)
	}
	if got := f.count(t, `SELECT MAX(id) - MIN(id) + 1 FROM records WHERE import_id = ?`, res.ImportID); got != created {
		t.Fatalf("the import's records span %d ids for %d records", got, created)
	}
	// Every contact: its name, first name, address and phone, its address's lookup, its link;
	// and every record its search text.
	contacts := f.count(t, `SELECT COUNT(*) FROM records WHERE type_id = ?`, f.contact.ID)
	if contacts != n-1 { // the row that failed left out, the row that matched updated
		t.Fatalf("%d contacts", contacts)
	}
	if got := f.count(t, `SELECT COUNT(*) FROM record_values v JOIN records r ON r.id = v.record_id
		WHERE r.import_id = ? AND r.type_id = ?`, res.ImportID, f.contact.ID); got != 4*res.Created {
		t.Fatalf("%d values for %d contacts", got, res.Created)
	}
	if got := f.count(t, `SELECT COUNT(*) FROM record_emails WHERE is_primary = 1`); got != n-1 {
		t.Fatalf("%d primary addresses", got)
	}
	if got := f.count(t, `SELECT COUNT(*) FROM record_links l JOIN records c ON c.id = l.to_id AND c.type_id = ?`, f.company.ID); got != n-1 {
		t.Fatalf("%d links to companies", got)
	}
	if f.count(t, `SELECT COUNT(*) FROM records_fts`) != f.count(t, `SELECT COUNT(*) FROM records`) {
		t.Fatal("a record without its search text")
	}
	c := f.findOne(t, f.contact.ID, "prénom5678")
	if refs, _ := c.Values[ContactCompany].([]LinkRef); c.Title != "Prénom5678 Nom5678" || len(refs) != 1 || refs[0].Title != "Société 678" {
		t.Fatalf("contact %+v", c)
	}
	if refs, _ := f.findOne(t, f.contact.ID, "prénom1007").Values[ContactCompany].([]LinkRef); len(refs) != 1 || refs[0].ID != company.ID {
		t.Fatalf("a row naming a company there links to another: %+v", refs)
	}
	if up := f.findOne(t, f.contact.ID, "contact2500"); up.ID != before.ID || up.Title != "Prénom2500 Nom2500" {
		t.Fatalf("the contact there %+v", up)
	}
	undo, err := f.r.UndoImport(ctx, f.user, res.ImportID)
	if err != nil || undo.Removed != created || undo.Restored != 1 {
		t.Fatalf("undo %+v %v", undo, err)
	}
	if f.count(t, `SELECT COUNT(*) FROM records`) != 2 || f.count(t, `SELECT COUNT(*) FROM records_fts`) != 2 ||
		f.count(t, `SELECT COUNT(*) FROM record_links`) != 0 || f.count(t, `SELECT COUNT(*) FROM record_emails`) != 1 {
		t.Fatal("the undo left rows of the import")
	}
	if got := f.findOne(t, f.contact.ID, "contact2500"); got.Title != "Zoé" {
		t.Fatalf("the updated contact after the undo %+v", got)
	}
}

// A row that updates a contact, creates the company it names and then fails is rolled back
// with that company; a later row naming the same company creates it again and links to it,
// instead of linking to the record the rollback removed.
func TestAFailedUpdateForgetsTheCompanyItsRowCreated(t *testing.T) {
	f := newFixture(t)
	phones := make([]any, maxValues)
	for i := range phones {
		phones[i] = fmt.Sprintf("01 23 45 %02d %02d", i/100, i%100)
	}
	f.create(t, f.contact.ID, Values{ContactFirstName: "Élise", ContactEmails: "elise@exemple.fr", ContactPhones: phones})
	file := []byte("Prénom;Nom;E-mail;Téléphone;Société\n" +
		"Élise;Martin;elise@exemple.fr;06 99 99 99 99;Nouvelle SARL\n" + // one phone too many: fails
		"Noël;Petit;noel@exemple.fr;;Nouvelle SARL\n")
	s := ImportSettings{TypeID: f.contact.ID, CreateLinked: true, Dedupe: DedupeUpdate,
		Columns: []string{ContactFirstName, ContactLastName, ContactEmails, ContactPhones, ContactCompany}}
	res := f.runImport(t, bytesSource("contacts.csv", file), s)
	if res.Created != 1 || res.Updated != 0 || res.Failed != 1 || res.Linked != 1 {
		t.Fatalf("result %+v (failures %+v)", res, res.Failures)
	}
	if len(res.Failures) != 1 || res.Failures[0].Line != 2 {
		t.Fatalf("failures %+v", res.Failures)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records WHERE title = 'Nouvelle SARL'`); n != 1 {
		t.Fatalf("%d companies named Nouvelle SARL", n)
	}
	noel := f.findOne(t, f.contact.ID, "noel")
	refs, _ := noel.Values[ContactCompany].([]LinkRef)
	if len(refs) != 1 || refs[0].Title != "Nouvelle SARL" {
		t.Fatalf("noël's company %+v", noel.Values[ContactCompany])
	}
}
