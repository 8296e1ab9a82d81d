package records

import (
	"context"
	"fmt"
	"strings"
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

// A large import drops the secondary indexes it writes into and builds them again at its
// end, as the migrations defined them; a large import that fails leaves them as they were.
func TestALargeImportRebuildsTheIndexesItDropped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	indexes := func() string {
		rows, err := f.db.R.Query(`SELECT name || ':' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return fmt.Sprint(out)
	}
	before := indexes()
	for _, name := range bulkIndexes {
		if !strings.Contains(before, name+":") {
			t.Fatalf("%s is not an index of the schema", name)
		}
	}
	var file strings.Builder
	file.WriteString("Prénom;Nom;E-mail;Société\n")
	for i := range 12_000 {
		fmt.Fprintf(&file, "Élise%d;Martin;elise%d@toiture.fr;Société %d\n", i, i, i%50)
	}
	s := ImportSettings{TypeID: f.contact.ID, CreateLinked: true,
		Columns: []string{ContactFirstName, ContactLastName, ContactEmails, ContactCompany}}
	res, err := f.r.Import(ctx, f.user, bytesSource("contacts.csv", []byte(file.String())), int64(file.Len()), s, Run{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 12_000 || res.Linked != 50 || res.Failed != 0 {
		t.Fatalf("result %+v", res)
	}
	if after := indexes(); after != before {
		t.Fatalf("indexes after the import:\n%s\nbefore:\n%s", after, before)
	}
	var check string
	if err := f.db.R.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity: %s %v", check, err)
	}
	// The rebuilt indexes answer: a company's contacts, a contact by its address.
	if n := f.count(t, `SELECT COUNT(*) FROM record_links INDEXED BY record_links_to WHERE to_id = (SELECT MIN(to_id) FROM record_links)`); n != 240 {
		t.Fatalf("contacts of the first company: %d", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM record_emails INDEXED BY record_emails_by_record WHERE record_id > 0`); n != 12_000 {
		t.Fatalf("addresses: %d", n)
	}
	// A large file whose last row cannot be read: nothing is imported, the indexes stay.
	file.WriteString("\"Loïc;Durand;loic@toiture.fr\n")
	_, err = f.r.Import(ctx, f.user, bytesSource("contacts.csv", []byte(strings.ReplaceAll(file.String(), "@toiture", "@autre"))),
		int64(file.Len()), s, Run{}, nil)
	if err == nil {
		t.Fatal("a malformed last row was accepted")
	}
	if after := indexes(); after != before {
		t.Fatalf("indexes after a failed import:\n%s", after)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM records WHERE type_id = ?`, f.contact.ID); n != 12_000 {
		t.Fatalf("contacts after a failed import: %d", n)
	}
}
