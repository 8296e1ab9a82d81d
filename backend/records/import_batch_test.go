package records

import (
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
