package records

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

type fixture struct {
	r        *Records
	db       *store.DB
	user     int64
	clock    *time.Time
	contact  *Type
	company  *Type
	factures Type
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Élise Martin", Email: "elise@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f := &fixture{db: db, user: u.ID, clock: &now}
	f.r = New(db, Options{Now: func() time.Time { return *f.clock }})
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.contact, f.company = s.TypeByKey(ContactType), s.TypeByKey(CompanyType)
	if f.factures, err = f.r.CreateType(ctx, u.ID, TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) field(t testing.TB, typeID int64, in FieldInput) Field {
	t.Helper()
	fl, err := f.r.AddField(context.Background(), typeID, in)
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

func (f *fixture) create(t testing.TB, typeID int64, v Values) Record {
	t.Helper()
	rec, err := f.r.Create(context.Background(), f.user, typeID, v)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func wantReason(t *testing.T, err error, r *fault.Reason, field string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Reason != r.Name {
		t.Fatalf("err = %v; want reason %s", err, r.Name)
	}
	if field != "" && fe.Field != field {
		t.Fatalf("err field = %q; want %q", fe.Field, field)
	}
}

func TestBuiltInTypesHaveTheirStableFields(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		typ  *Type
		keys []string
	}{
		{f.contact, []string{"first_name", "last_name", "emails", "phones", "job_title", "company", "language", "notes", "do_not_email"}},
		{f.company, []string{"name", "domains", "address", "phone", "notes"}},
	} {
		var got []string
		for _, fl := range tc.typ.Fields {
			got = append(got, fl.Key)
			if !fl.Builtin {
				t.Errorf("%s.%s is not built in", tc.typ.Key, fl.Key)
			}
		}
		if !reflect.DeepEqual(got, tc.keys) {
			t.Errorf("%s fields = %v, want %v", tc.typ.Key, got, tc.keys)
		}
	}
	if fl := f.contact.FieldByKey("company"); fl.Kind != Link || fl.TargetTypeID != f.company.ID {
		t.Errorf("a contact's company is %+v, want a link to companies", fl)
	}
}

func TestKeysComeFromLabels(t *testing.T) {
	for _, tc := range []struct{ label, key string }{
		{"Échéance", "echeance"},
		{"Numéro", "numero"},
		{"N° de facture", "n_de_facture"},
		{"  Montant TTC (€) ", "montant_ttc"},
		{"Cœur de cible", "coeur_de_cible"},
		{"2e contact", "f_2e_contact"},
		{"€€€", "field"},
	} {
		t.Run(tc.label, func(t *testing.T) {
			if got := KeyFrom(tc.label); got != tc.key {
				t.Fatalf("KeyFrom(%q) = %q, want %q", tc.label, got, tc.key)
			}
		})
	}
}

func TestAFieldsKeyIsUniqueInItsTypeAndSurvivesARename(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.field(t, f.factures.ID, FieldInput{Label: "Échéance", Kind: Date})
	b := f.field(t, f.factures.ID, FieldInput{Label: "Echéance", Kind: Date})
	if a.Key != "echeance" || b.Key != "echeance_2" {
		t.Fatalf("keys = %q, %q; want echeance, echeance_2", a.Key, b.Key)
	}
	rec := f.create(t, f.factures.ID, Values{"numero": "F-1", "echeance": "2026-04-30"})
	renamed, err := f.r.UpdateField(ctx, a.ID, FieldChange{Label: "Date limite"})
	if err != nil {
		t.Fatal(err)
	}
	if renamed.Key != "echeance" || renamed.Label != "Date limite" {
		t.Fatalf("renamed field = %+v; the key must stay", renamed)
	}
	d, err := f.r.Get(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Values["echeance"] != "2026-04-30" {
		t.Fatalf("after the rename the value is %v", d.Values["echeance"])
	}
}

func TestEachKindChecksItsValues(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fid := f.factures.ID
	fields := map[Kind]Field{}
	for _, k := range []Kind{Text, LongText, Number, Money, Date, DateTime, Checkbox, Email, Phone, URL} {
		fields[k] = f.field(t, fid, FieldInput{Label: "champ " + string(k), Kind: k})
	}
	fields[SingleChoice] = f.field(t, fid, FieldInput{Label: "Statut", Kind: SingleChoice, Choices: []string{"Payée", "En retard"}})
	fields[MultipleChoice] = f.field(t, fid, FieldInput{Label: "Étiquettes", Kind: MultipleChoice, Choices: []string{"Urgent", "Export"}})
	long := make([]byte, 1001)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		name string
		kind Kind
		in   any
		want any // the value read back, or nil when refused
		err  *fault.Reason
	}{
		{"text is kept as typed, trimmed", Text, "  Bon de commande ", "Bon de commande", nil},
		{"text over 1,000 characters is refused", Text, string(long), nil, ErrValueTooLong},
		{"long text takes more", LongText, string(long), string(long), nil},
		{"a number", Number, 12.5, 12.5, nil},
		{"a number as text", Number, "42", 42.0, nil},
		{"not a number", Number, "douze", nil, ErrValueNumber},
		{"money in major units", Money, 1234.56, 1234.56, nil},
		{"money that is text", Money, "cher", nil, ErrValueMoney},
		{"a date", Date, "2026-02-28", "2026-02-28", nil},
		{"a French date is the importer's to parse", Date, "28/02/2026", nil, ErrValueDate},
		{"an impossible date", Date, "2026-02-30", nil, ErrValueDate},
		{"a date-time in UTC", DateTime, "2026-02-28T10:00:00+01:00", "2026-02-28T09:00:00Z", nil},
		{"a date is not a date-time", DateTime, "2026-02-28", nil, ErrValueDateTime},
		{"a checked box", Checkbox, true, true, nil},
		{"a box is a bool", Checkbox, "oui", nil, ErrValueCheckbox},
		{"a choice by label, accents and case ignored", SingleChoice, "payee", fields[SingleChoice].Choices[0].ID, nil},
		{"a choice by id", SingleChoice, float64(fields[SingleChoice].Choices[1].ID), fields[SingleChoice].Choices[1].ID, nil},
		{"an unknown choice", SingleChoice, "Annulée", nil, ErrValueChoice},
		{"one value only in a single choice", SingleChoice, []any{"Payée", "En retard"}, nil, ErrValueSingle},
		{"several choices", MultipleChoice, []any{"Export", "Urgent"}, []any{fields[MultipleChoice].Choices[1].ID, fields[MultipleChoice].Choices[0].ID}, nil},
		{"an email", Email, "Compta@Exemple.FR", "Compta@Exemple.FR", nil},
		{"an email with a name is refused", Email, "Compta <compta@exemple.fr>", nil, ErrValueEmail},
		{"not an email", Email, "compta.exemple.fr", nil, ErrValueEmail},
		{"a French phone", Phone, "+33 1 23 45 67 89", "+33 1 23 45 67 89", nil},
		{"letters are not a phone", Phone, "appeler Paul", nil, ErrValuePhone},
		{"a URL without scheme gets https", URL, "exemple.fr/tarifs", "https://exemple.fr/tarifs", nil},
		{"only web addresses", URL, "ftp://exemple.fr", nil, ErrValueURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fl := fields[tc.kind]
			rec, err := f.r.Create(ctx, f.user, fid, Values{"numero": "F-" + tc.name, fl.Key: tc.in})
			if tc.err != nil {
				wantReason(t, err, tc.err, fl.Key)
				if fe, _ := fault.As(err); fe.Params["field"] != fl.Label {
					t.Fatalf("params = %v; want the field's label", fe.Params)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.Values[fl.Key]; !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("read back %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestARecordNeedsItsTitle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.r.Create(ctx, f.user, f.factures.ID, Values{})
	wantReason(t, err, ErrTitleMissing, "numero")
	_, err = f.r.Create(ctx, f.user, f.contact.ID, Values{"job_title": "Gérante"})
	wantReason(t, err, ErrContactEmpty, "")
	_, err = f.r.Create(ctx, f.user, f.company.ID, Values{"nom": "x"})
	wantReason(t, err, ErrFieldUnknown, "nom")
	c := f.create(t, f.contact.ID, Values{"emails": []any{"paul@exemple.fr"}})
	if c.Title != "paul@exemple.fr" {
		t.Fatalf("a contact without a name is titled %q, want its address", c.Title)
	}
}

func TestContactsAddressesAndCompaniesDomainsAreFoundNormalised(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	co := f.create(t, f.company.ID, Values{"name": "Café Lumière", "domains": []any{"https://www.Café-Lumière.fr/contact", "@cafe.example"}})
	if got := co.Values["domains"]; !reflect.DeepEqual(got, []any{"café-lumière.fr", "cafe.example"}) {
		t.Fatalf("domains = %#v", got)
	}
	c := f.create(t, f.contact.ID, Values{"first_name": "Élise", "emails": []any{"Elise@Café-Lumière.FR", "elise.perso@example.org"}})
	for _, tc := range []struct {
		name, address string
		want          []int64
	}{
		{"the primary address in another case", "elise@CAFÉ-lumière.fr", []int64{c.ID}},
		{"the IDNA form of the domain", "elise@xn--caf-lumire-66ag.fr", []int64{c.ID}},
		{"a second address", "elise.perso@example.org", []int64{c.ID}},
		{"an unknown address", "paul@example.org", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.r.ContactsByEmail(ctx, tc.address)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ContactsByEmail(%q) = %v, want %v", tc.address, got, tc.want)
			}
		})
	}
	got, err := f.r.CompaniesByDomain(ctx, "XN--CAF-LUMIRE-66AG.FR")
	if err != nil || !reflect.DeepEqual(got, []int64{co.ID}) {
		t.Fatalf("CompaniesByDomain = %v, %v; want [%d]", got, err, co.ID)
	}
	if _, err := f.r.Delete(ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.r.ContactsByEmail(ctx, "elise@café-lumière.fr"); got != nil {
		t.Fatalf("a contact in the trash is still found: %v", got)
	}
}

func TestLinksShowBothWays(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := f.field(t, f.factures.ID, FieldInput{Label: "Client", Kind: Link, TargetTypeID: f.company.ID})
	acme := f.create(t, f.company.ID, Values{"name": "ACME"})
	other := f.create(t, f.company.ID, Values{"name": "Globex"})
	paul := f.create(t, f.contact.ID, Values{"first_name": "Paul", "company": acme.ID})
	inv := f.create(t, f.factures.ID, Values{"numero": "F-001", "client": float64(acme.ID)})
	if refs := inv.Values["client"].([]LinkRef); len(refs) != 1 || refs[0].ID != acme.ID || refs[0].Title != "ACME" {
		t.Fatalf("the invoice's client = %#v", inv.Values["client"])
	}
	d, err := f.r.Get(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []Backlinks{
		{FieldID: f.contact.FieldByKey("company").ID, TypeID: f.contact.ID, Records: []LinkRef{{paul.ID, f.contact.ID, "Paul"}}, Total: 1},
		{FieldID: client.ID, TypeID: f.factures.ID, Records: []LinkRef{{inv.ID, f.factures.ID, "F-001"}}, Total: 1},
	}
	if !reflect.DeepEqual(d.Backlinks, want) {
		t.Fatalf("ACME's backlinks = %+v, want %+v", d.Backlinks, want)
	}
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"a contact where a company is expected", float64(paul.ID)},
		{"a record that does not exist", float64(999999)},
		{"two companies in a single link", []any{acme.ID, other.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.r.Update(ctx, f.user, inv.ID, Values{"client": tc.v})
			if err == nil {
				t.Fatal("accepted")
			}
			if r := fault.ReasonOf(err); r != ErrValueLink.Name && r != ErrValueSingle.Name {
				t.Fatalf("err = %v", err)
			}
		})
	}
	// A linked record in the trash disappears from both sides, and comes back with it.
	if _, err := f.r.Delete(ctx, f.user, acme.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := f.r.Get(ctx, inv.ID)
	if _, has := got.Values["client"]; has {
		t.Fatalf("a company in the trash still shows as the client: %#v", got.Values["client"])
	}
	if _, err := f.r.Restore(ctx, f.user, acme.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = f.r.Get(ctx, inv.ID)
	if refs, _ := got.Values["client"].([]LinkRef); len(refs) != 1 {
		t.Fatalf("the restored company is not the client again: %#v", got.Values["client"])
	}
}

func TestTrashKeepsRecordsThirtyDays(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.create(t, f.company.ID, Values{"name": "Ancienne"})
	recent := f.create(t, f.company.ID, Values{"name": "Récente"})
	if _, err := f.r.Delete(ctx, f.user, old.ID); err != nil {
		t.Fatal(err)
	}
	*f.clock = f.clock.AddDate(0, 0, 20)
	if _, err := f.r.Delete(ctx, f.user, recent.ID); err != nil {
		t.Fatal(err)
	}
	items, err := f.r.Trash(ctx, 0, 0)
	if err != nil || len(items) != 2 || items[0].ID != recent.ID || items[0].DeletedByName != "Élise Martin" {
		t.Fatalf("trash = %+v, %v", items, err)
	}
	page, _ := f.r.List(ctx, Query{TypeID: f.company.ID})
	if page.Total != 0 {
		t.Fatalf("records in the trash are listed: %+v", page)
	}
	*f.clock = f.clock.AddDate(0, 0, 11) // old: 31 days; recent: 11 days
	n, err := f.r.PurgeTrash(ctx)
	if err != nil || n != 1 {
		t.Fatalf("PurgeTrash = %d, %v; want 1", n, err)
	}
	if _, err := f.r.Get(ctx, old.ID); !ErrRecordNotFound.Is(err) {
		t.Fatalf("a record deleted 31 days ago is still there: %v", err)
	}
	if _, err := f.r.Restore(ctx, f.user, recent.ID); err != nil {
		t.Fatal(err)
	}
	d, err := f.r.Get(ctx, recent.ID)
	if err != nil || !d.DeletedAt.IsZero() || d.UpdatedByName != "Élise Martin" {
		t.Fatalf("restored = %+v, %v", d.Record, err)
	}
	if _, err := f.r.Update(ctx, f.user, old.ID, Values{"name": "x"}); !ErrRecordNotFound.Is(err) {
		t.Fatalf("editing a purged record: %v", err)
	}
	f.create(t, f.company.ID, Values{"name": "Vide"})
	if _, err := f.r.Delete(ctx, f.user, recent.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := f.r.EmptyTrash(ctx); err != nil || n != 1 {
		t.Fatalf("EmptyTrash = %d, %v", n, err)
	}
}

func TestAFailedWriteLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.r.Write(ctx, f.user, func(w *Writer) error {
		w.SetImport(7)
		if _, err := w.Create(f.company.ID, Values{"name": "Une"}); err != nil {
			return err
		}
		_, err := w.Create(f.company.ID, Values{"name": "Deux", "domains": "pas un domaine"})
		return err
	})
	wantReason(t, err, ErrValueDomain, "domains")
	page, _ := f.r.List(ctx, Query{TypeID: f.company.ID, Search: "une"})
	if page.Total != 0 {
		t.Fatalf("half an import was kept: %+v", page.Records)
	}
	ch, err := f.r.Write(ctx, f.user, func(w *Writer) error {
		w.SetImport(8)
		_, err := w.Create(f.company.ID, Values{"name": "Trois"})
		return err
	})
	if err != nil || len(ch.IDs) != 1 {
		t.Fatal(err)
	}
	d, _ := f.r.Get(ctx, ch.IDs[0])
	if d.ImportID != 8 || d.CreatedByName != "Élise Martin" || !d.CreatedAt.Equal(*f.clock) {
		t.Fatalf("the created record = %+v", d.Record)
	}
}

func TestDeletingAFieldSaysHowManyRecordsHoldAValue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	statut := f.field(t, f.factures.ID, FieldInput{Label: "Statut", Kind: SingleChoice, Choices: []string{"Payée", "Due"}})
	payee, due := statut.Choices[0].ID, statut.Choices[1].ID
	f.create(t, f.factures.ID, Values{"numero": "1", "statut": "Payée"})
	f.create(t, f.factures.ID, Values{"numero": "2", "statut": "Due"})
	f.create(t, f.factures.ID, Values{"numero": "3", "statut": "Due"})
	f.create(t, f.factures.ID, Values{"numero": "4"})
	u, err := f.r.FieldUsage(ctx, statut.ID)
	if err != nil || u.Records != 3 || u.Choices[payee] != 1 || u.Choices[due] != 2 {
		t.Fatalf("usage = %+v, %v; want 3 records, 1 payée, 2 due", u, err)
	}
	// Renaming a choice keeps it on the records; one left out is removed from them.
	if _, err := f.r.UpdateField(ctx, statut.ID, FieldChange{Label: "Statut", Choices: []ChoiceInput{{ID: due, Label: "À payer"}}}); err != nil {
		t.Fatal(err)
	}
	page, _ := f.r.List(ctx, Query{TypeID: f.factures.ID, Filters: []Filter{{Field: "statut", Op: HasChoice, Value: "à payer"}}})
	if page.Total != 2 {
		t.Fatalf("after the rename %d records hold the choice, want 2", page.Total)
	}
	if page, _ = f.r.List(ctx, Query{TypeID: f.factures.ID, Search: "payer"}); page.Total != 2 {
		t.Fatalf("search finds %d records by the new choice label, want 2", page.Total)
	}
	if u, _ = f.r.FieldUsage(ctx, statut.ID); u.Records != 2 {
		t.Fatalf("after deleting a choice, usage = %+v", u)
	}
	if err := f.r.DeleteField(ctx, statut.ID); err != nil {
		t.Fatal(err)
	}
	if u, err := f.r.FieldUsage(ctx, statut.ID); !ErrFieldNotFound.Is(err) {
		t.Fatalf("deleted field usage = %+v, %v", u, err)
	}
	for _, tc := range []struct {
		name string
		id   int64
		want *fault.Reason
	}{
		{"a built-in field", f.contact.FieldByKey("emails").ID, ErrFieldBuiltin},
		{"the title field", f.factures.TitleFieldID, ErrFieldIsTitle},
	} {
		t.Run(tc.name, func(t *testing.T) { wantReason(t, f.r.DeleteField(ctx, tc.id), tc.want, "") })
	}
}

func TestTypesAreDefinedAndDeletedWithCare(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if f.factures.Key != "facture" {
		t.Fatalf("key = %q", f.factures.Key)
	}
	wantReason(t, f.r.DeleteType(ctx, f.company.ID), ErrTypeBuiltin, "")
	devis, err := f.r.CreateType(ctx, f.user, TypeInput{Singular: "Devis", Plural: "Devis"})
	if err != nil {
		t.Fatal(err)
	}
	link := f.field(t, f.factures.ID, FieldInput{Label: "Devis", Kind: Link, TargetTypeID: devis.ID})
	wantReason(t, f.r.DeleteType(ctx, devis.ID), ErrTypeIsLinked, "")
	fe, _ := fault.As(f.r.DeleteType(ctx, devis.ID))
	if fe.Params["type"] != "Factures" || fe.Params["typeKey"] != nil || fe.Params["field"] != "Devis" {
		t.Fatalf("own type: %v", fe.Params)
	}
	// A built-in type is named by its key, which the interface words in the user's language.
	signed := f.field(t, f.contact.ID, FieldInput{Label: "Devis signé", Kind: Link, TargetTypeID: devis.ID})
	if err := f.r.DeleteField(ctx, link.ID); err != nil {
		t.Fatal(err)
	}
	fe, _ = fault.As(f.r.DeleteType(ctx, devis.ID))
	if !ErrTypeIsLinked.Is(fe) || fe.Params["type"] != ContactType || fe.Params["typeKey"] != ContactType || fe.Params["fieldKey"] != "devis_signe" {
		t.Fatalf("built-in type: %v", fe.Params)
	}
	if err := f.r.DeleteField(ctx, signed.ID); err != nil {
		t.Fatal(err)
	}
	rec := f.create(t, f.factures.ID, Values{"numero": "F-9"})
	wantReason(t, f.r.DeleteType(ctx, f.factures.ID), ErrTypeHasRecords, "")
	if _, err := f.r.Delete(ctx, f.user, rec.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.r.DeleteType(ctx, f.factures.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.r.DeleteType(ctx, devis.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.r.CreateType(ctx, f.user, TypeInput{Singular: " ", Plural: "x"})
	wantReason(t, err, ErrTypeNameMissing, "singular")
}

func TestChangingTheTitleFieldRetitlesRecords(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	objet := f.field(t, f.factures.ID, FieldInput{Label: "Objet", Kind: Text})
	rec := f.create(t, f.factures.ID, Values{"numero": "F-1", "objet": "Réfection toiture"})
	if _, err := f.r.UpdateType(ctx, f.factures.ID, TypeChange{Singular: "Facture", Plural: "Factures", TitleFieldID: objet.ID}); err != nil {
		t.Fatal(err)
	}
	d, _ := f.r.Get(ctx, rec.ID)
	if d.Title != "Réfection toiture" {
		t.Fatalf("title = %q", d.Title)
	}
	if page, _ := f.r.List(ctx, Query{TypeID: f.factures.ID, Search: "refection"}); page.Total != 1 {
		t.Fatalf("the new title is not searchable: %+v", page)
	}
	box := f.field(t, f.factures.ID, FieldInput{Label: "Payée", Kind: Checkbox})
	_, err := f.r.UpdateType(ctx, f.factures.ID, TypeChange{Singular: "Facture", Plural: "Factures", TitleFieldID: box.ID})
	wantReason(t, err, ErrFieldTitleKind, "titleFieldId")
}

func TestSavedViewsBelongToTheirUser(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := users.New(f.db).Create(ctx, users.NewUser{Name: "Paul", Email: "paul@example.test", Role: users.Collaborator, Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	spec := ViewSpec{Columns: []string{"numero"}, Sort: Sort{Field: "numero", Desc: true}, Filters: []Filter{{Field: "numero", Op: Contains, Value: "F-"}}, Search: "x"}
	v, err := f.r.SaveView(ctx, f.user, View{TypeID: f.factures.ID, Name: "À relancer", Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.r.SaveView(ctx, f.user, View{TypeID: f.factures.ID, Name: "À relancer"})
	wantReason(t, err, ErrViewNameTaken, "name")
	_, err = f.r.SaveView(ctx, f.user, View{TypeID: f.factures.ID, Name: "Tri", Spec: ViewSpec{Sort: Sort{Field: "nope"}}})
	wantReason(t, err, ErrSortInvalid, "sort")
	vs, _ := f.r.Views(ctx, f.user, f.factures.ID)
	if len(vs) != 1 || !reflect.DeepEqual(vs[0].Spec.Columns, spec.Columns) || vs[0].Spec.Sort != spec.Sort || vs[0].Spec.Search != "x" {
		t.Fatalf("views = %+v", vs)
	}
	if vs, _ := f.r.Views(ctx, other.ID, f.factures.ID); len(vs) != 0 {
		t.Fatalf("another user sees %+v", vs)
	}
	wantReason(t, f.r.DeleteView(ctx, other.ID, v.ID), ErrViewNotFound, "")
	if err := f.r.DeleteView(ctx, f.user, v.ID); err != nil {
		t.Fatal(err)
	}
}

func TestChangedHearsOfEveryCommittedWriteOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var heard []Change
	f.r.opts.Changed = func(ch Change) { heard = append(heard, ch) }
	c := f.create(t, f.contact.ID, Values{"first_name": "Léa", "emails": []any{"lea@acme.fr"}})
	if len(heard) != 1 || !reflect.DeepEqual(heard[0].IDs, []int64{c.ID}) || !reflect.DeepEqual(heard[0].TypeIDs, []int64{f.contact.ID}) {
		t.Fatalf("after a create, heard %+v", heard)
	}
	if _, err := f.r.Delete(ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 2 || !reflect.DeepEqual(heard[1].IDs, []int64{c.ID}) {
		t.Fatalf("after a delete, heard %+v", heard)
	}
	// A refused write commits nothing and tells nobody.
	if _, err := f.r.Create(ctx, f.user, f.contact.ID, Values{"emails": []any{"not an address"}}); err == nil {
		t.Fatal("an invalid address was accepted")
	}
	if len(heard) != 2 {
		t.Fatalf("a refused write was heard: %+v", heard)
	}
}
