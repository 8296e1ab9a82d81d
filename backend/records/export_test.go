package records

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"mailroom/backend/importer"
)

func TestExportCSVInFrenchAndEnglishReadsBackThroughTheImporter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.invoiceType(t)
	co := f.create(t, f.company.ID, Values{CompanyName: "Café de l'Étoile", CompanyDomains: []any{"cafe-etoile.fr"}})
	for i, amount := range []float64{1234.5, 99.9, 12} {
		f.create(t, f.factures.ID, Values{"numero": []string{"F-1", "F-2", "F-3"}[i], "montant": amount, "echeance": "2026-03-31", "client": co.ID, "payee": i == 0})
	}
	var fr bytes.Buffer
	n, err := f.r.ExportCSV(ctx, &fr, Query{TypeID: f.factures.ID, Sort: Sort{Field: "montant", Desc: true}}, ExportOptions{Language: "fr"})
	if err != nil || n != 3 {
		t.Fatalf("export %d, %v", n, err)
	}
	lines := strings.Split(fr.String(), "\r\n")
	if lines[0] != "\ufeffNuméro;Client;Montant (EUR);Échéance;Payée;Notes" || lines[1] != "F-1;Café de l'Étoile;1234,50;31/03/2026;oui;" {
		t.Fatalf("French export:\n%s", fr.String())
	}
	det, header, rows, err := importer.ReadAll(ctx, fr.Bytes(), importer.Options{})
	if err != nil || !det.BOM || det.Separator != ';' || len(header) != 6 || len(rows) != 3 {
		t.Fatalf("read back: %+v %q %d %v", det, header, len(rows), err)
	}
	// A filter narrows the export as it narrows the list; the columns are the list's.
	var en bytes.Buffer
	n, err = f.r.ExportCSV(ctx, &en, Query{TypeID: f.factures.ID, Filters: []Filter{{Field: SortTitle, Op: Equals, Value: "F-2"}}, Columns: []string{"numero", "montant", "echeance"}}, ExportOptions{Language: "en", NoBOM: true})
	if err != nil || n != 1 || en.String() != "Numéro,Montant (EUR),Échéance\r\nF-2,99.90,2026-03-31\r\n" {
		t.Fatalf("English export %d, %v:\n%s", n, err, en.String())
	}
	var contacts bytes.Buffer
	n, err = f.r.ExportCSV(ctx, &contacts, Query{TypeID: f.contact.ID}, ExportOptions{Language: "fr"})
	if err != nil || n != 0 || !strings.HasPrefix(contacts.String(), "\ufeffPrénom;Nom;E-mails;") {
		t.Fatalf("contacts header %q, %v", contacts.String(), err)
	}
}

func TestExportManyPagesAndVCards(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	data := bigContacts(1_200)
	s := ImportSettings{TypeID: f.contact.ID, Columns: []string{ContactLastName, ContactFirstName, ContactEmails, ContactPhones, ContactCompany}, CreateLinked: true}
	f.runImport(t, bytesSource("c.csv", data), s)
	var buf bytes.Buffer
	n, err := f.r.ExportCSV(ctx, &buf, Query{TypeID: f.contact.ID}, ExportOptions{Language: "en"})
	if err != nil || n != 1_200 || strings.Count(buf.String(), "\r\n") != 1_201 {
		t.Fatalf("exported %d, %v", n, err)
	}
	buf.Reset()
	n, err = f.r.ExportVCards(ctx, &buf, Query{TypeID: f.contact.ID, Search: "contact1199"})
	if err != nil || n != 1 {
		t.Fatalf("vcards %d, %v", n, err)
	}
	cards, err := importer.ReadVCards(ctx, &buf)
	if err != nil || len(cards) != 1 || cards[0].LastName != "Nom1199" || cards[0].Emails[0].Value != "contact1199@exemple.fr" || cards[0].Company != "Société 199" {
		t.Fatalf("read back %+v, %v", cards, err)
	}
	if _, err := f.r.ExportVCards(ctx, &buf, Query{TypeID: f.company.ID}); !ErrExportVCardContacts.Is(err) {
		t.Fatalf("companies as vCards: %v", err)
	}
}
