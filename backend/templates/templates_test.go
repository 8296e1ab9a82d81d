package templates

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mailroom/backend/fault"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

type fixture struct {
	db       *store.DB
	r        *records.Records
	tpl      *Templates
	user     int64
	factures records.Type
	contact  *records.Type
	company  *records.Type
	invoice  records.Record // F-001, linked to ACME, whose contact is Élise
	sender   Sender
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Camille Dupont", Email: "camille@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, user: u.ID, r: records.New(db, records.Options{})}
	f.tpl = New(Deps{DB: db, Records: f.r}, Options{Location: time.UTC,
		Now: func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }})
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.contact, f.company = s.TypeByKey(records.ContactType), s.TypeByKey(records.CompanyType)
	if f.factures, err = f.r.CreateType(ctx, u.ID, records.TypeInput{Singular: "Facture", Plural: "Factures", TitleLabel: "Numéro"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []records.FieldInput{
		{Label: "Échéance", Kind: records.Date},
		{Label: "Montant", Kind: records.Money, Currency: "EUR"},
		{Label: "Payée", Kind: records.Checkbox},
		{Label: "Société", Kind: records.Link, TargetTypeID: f.company.ID},
	} {
		if _, err := f.r.AddField(ctx, f.factures.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	acme, err := f.r.Create(ctx, u.ID, f.company.ID, records.Values{"name": "ACME & Fils", "domains": []any{"acme.fr"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.Create(ctx, u.ID, f.contact.ID, records.Values{"first_name": "Élise", "last_name": "Martin",
		"emails": []any{"elise@acme.fr"}, "company": acme.ID}); err != nil {
		t.Fatal(err)
	}
	f.invoice, err = f.r.Create(ctx, u.ID, f.factures.ID, records.Values{"numero": "F-001", "echeance": "2026-12-05",
		"montant": 1234.56, "societe": acme.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.sender = Sender{UserName: "Camille Dupont", UserEmail: "camille@example.test", AccountAddress: "factures@example.test"}
	return f
}

func (f *fixture) save(t testing.TB, d Draft) Template {
	t.Helper()
	tp, err := f.tpl.Save(context.Background(), f.user, d)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	return tp
}

func reminder(lang string) Draft {
	return Draft{Name: "Relance 1 " + lang, Language: lang, Subject: "Facture {{facture.numero}} — {{company.name}}",
		HTML: `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p>` +
			`<p>La facture {{facture.numero}} de {{facture.montant}} était due le {{facture.echeance}}.</p>` +
			`<p>{{user.name}} — {{account.address}}</p>`}
}

func TestParsing(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // ns.key or |default text
		reason    string
	}{
		{"a path", "Bonjour {{contact.first_name}} !", []string{"contact.first_name"}, ""},
		{"spaces and a default", `{{ contact.first_name | default: "Madame, Monsieur" }}`, []string{"contact.first_name|Madame, Monsieur"}, ""},
		{"single quotes and braces in the default", `{{contact.first_name|default:'}} x'}}`, []string{"contact.first_name|}} x"}, ""},
		{"an escaped quote", `{{contact.first_name | default: "le \"client\""}}`, []string{`contact.first_name|le "client"`}, ""},
		{"upper case is folded", "{{Facture.Numero}}", []string{"facture.numero"}, ""},
		{"unclosed", "Bonjour {{contact.first_name", nil, ErrPlaceholderUnclosed.Name},
		{"nested", "{{contact.{{x}}}}", nil, ErrPlaceholderUnclosed.Name},
		{"no namespace", "{{first_name}}", nil, ErrPlaceholderSyntax.Name},
		{"three parts", "{{a.b.c}}", nil, ErrPlaceholderSyntax.Name},
		{"a Liquid tag is text, not code", "{% include 'x' %}", nil, ""},
		{"another filter", "{{contact.first_name | upcase}}", nil, ErrFilterUnknown.Name},
		{"a default without quotes", "{{contact.first_name | default: x}}", nil, ErrPlaceholderSyntax.Name},
		{"two strings", `{{contact.first_name | default: "a" "b"}}`, nil, ErrPlaceholderSyntax.Name},
		{"a Go template action", "{{ .Values }}", nil, ErrPlaceholderSyntax.Name},
		{"a call", `{{ printf "%s" 1 }}`, nil, ErrPlaceholderSyntax.Name},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := parse(tc.src, false)
			if tc.reason != "" {
				if fault.ReasonOf(err) != tc.reason {
					t.Fatalf("err = %v, want reason %s", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range segs {
				if s.ph != nil {
					g := s.ph.path
					if s.ph.has {
						g += "|" + s.ph.def
					}
					got = append(got, g)
				}
			}
			if strings.Join(got, ";") != strings.Join(tc.want, ";") {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("the HTML part decodes references inside a placeholder", func(t *testing.T) {
		segs, err := parse(`<a title="{{contact.first_name | default: &quot;vous&quot;}}">`, true)
		if err != nil || len(segs) != 3 || segs[1].ph.def != "vous" {
			t.Fatalf("segs %+v err %v", segs, err)
		}
	})
}

func TestValidationNamesTheUnknownFieldAndSuggests(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, part, src, placeholder, suggestion string
	}{
		{"a typo in the field", "html", "<p>{{facture.numreo}}</p>", "{{facture.numreo}}", "{{facture.numero}}"},
		{"a typo in the type", "subject", "{{contcat.first_name}}", "{{contcat.first_name}}", "{{contact.first_name}}"},
		{"the accent kept", "html", "<p>{{facture.échéance}}</p>", "", ""},
		{"far from everything", "html", "<p>{{zzz.qqqqqqqq}}</p>", "{{zzz.qqqqqqqq}}", ""},
		{"a field of another type", "text", "{{facture.first_name}}", "{{facture.first_name}}", "{{contact.first_name}}"},
		{"a user field", "html", "{{user.nmae}}", "{{user.nmae}}", "{{user.name}}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Draft{Name: "x", Language: "fr", TextEdited: tc.part == "text"}
			switch tc.part {
			case "subject":
				d.Subject = tc.src
			case "html":
				d.HTML = tc.src
			case "text":
				d.Text = tc.src
			}
			_, err := f.tpl.Save(context.Background(), f.user, d)
			fe, ok := fault.As(err)
			if !ok {
				t.Fatalf("saved: err %v", err)
			}
			if tc.placeholder == "" { // not even a path: a syntax error
				if fe.Reason != ErrPlaceholderSyntax.Name {
					t.Fatalf("reason %s", fe.Reason)
				}
				return
			}
			if fe.Field != tc.part || fe.Params["placeholder"] != tc.placeholder {
				t.Fatalf("field %q params %v", fe.Field, fe.Params)
			}
			if tc.suggestion == "" {
				if fe.Reason != ErrFieldUnknownBare.Name {
					t.Fatalf("reason %s, want no suggestion (%v)", fe.Reason, fe.Params)
				}
				return
			}
			if fe.Reason != ErrFieldUnknown.Name || fe.Params["suggestion"] != tc.suggestion {
				t.Fatalf("reason %s params %v", fe.Reason, fe.Params)
			}
		})
	}
	t.Run("nothing is stored", func(t *testing.T) {
		list, err := f.tpl.List(context.Background())
		if err != nil || len(list) != 0 {
			t.Fatalf("list %v err %v", list, err)
		}
	})
	t.Run("a placeholder where HTML cannot hold a value", func(t *testing.T) {
		_, err := f.tpl.Save(context.Background(), f.user, Draft{Name: "x", Language: "fr",
			HTML: `<p>{{contact.first_name}}</p><p title="{{facture.numero}}`})
		fe, ok := fault.As(err)
		if !ok || fe.Reason != ErrPlaceholderPosition.Name || fe.Params["placeholder"] != "{{facture.numero}}" {
			t.Fatalf("err %v", err)
		}
	})
}

func TestRenamedFieldKeepsTemplatesWorking(t *testing.T) {
	// Keys never change (records' rule): renaming a field or a type changes its label, so a
	// template naming facture.echeance needs no rewrite, and the picker shows the new name.
	f := newFixture(t)
	ctx := context.Background()
	tp := f.save(t, reminder("fr"))
	s, _ := f.r.Schema(ctx)
	due := s.TypeByKey("facture").FieldByKey("echeance")
	if _, err := f.r.UpdateField(ctx, due.ID, records.FieldChange{Label: "Date limite"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.UpdateType(ctx, f.factures.ID, records.TypeChange{Singular: "Invoice", Plural: "Invoices"}); err != nil {
		t.Fatal(err)
	}
	out, err := f.tpl.Render(ctx, tp.ID, Target{RecordID: f.invoice.ID, Sender: f.sender})
	if err != nil || !strings.Contains(out.HTML, "5 décembre 2026") {
		t.Fatalf("after the rename: %q %v", out.HTML, err)
	}
	ns, err := f.tpl.Fields(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range ns {
		for _, fi := range n.Fields {
			if fi.Path == "facture.echeance" {
				found = fi.Label == "Date limite" && n.Label == "Invoice"
			}
		}
	}
	if !found {
		t.Fatalf("the picker does not show the new labels: %+v", ns)
	}
	// A deleted field is another matter: the list says which template needs fixing.
	if err := f.r.DeleteField(ctx, due.ID); err != nil {
		t.Fatal(err)
	}
	list, err := f.tpl.List(ctx)
	if err != nil || len(list) != 1 || fault.ReasonOf(list[0].Problem) != ErrFieldUnknownBare.Name && fault.ReasonOf(list[0].Problem) != ErrFieldUnknown.Name {
		t.Fatalf("list %+v err %v", list, err)
	}
}

func TestRenderFormatsInTheTemplatesLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct{ lang, date, money string }{
		{"fr", "5 décembre 2026", "1\u00a0234,56\u00a0€"},
		{"en", "December 5, 2026", "€1,234.56"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			tp := f.save(t, reminder(tc.lang))
			out, err := f.tpl.Render(ctx, tp.ID, Target{RecordID: f.invoice.ID, Sender: f.sender})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{tc.date, tc.money, "Élise", "Camille Dupont", "factures@example.test"} {
				if !strings.Contains(out.HTML, want) || !strings.Contains(out.Text, want) {
					t.Errorf("%q missing:\nHTML %q\ntext %q", want, out.HTML, out.Text)
				}
			}
			if out.Subject != "Facture F-001 — ACME & Fils" {
				t.Errorf("subject %q", out.Subject)
			}
			if !strings.Contains(out.HTML, "ACME &amp; Fils") && strings.Contains(out.HTML, "ACME") {
				t.Errorf("HTML not escaped: %q", out.HTML)
			}
			if len(out.Missing) != 0 {
				t.Errorf("missing %v", out.Missing)
			}
		})
	}
	t.Run("other values", func(t *testing.T) {
		cases := []struct {
			kind records.Kind
			raw  any
			lang string
			want string
		}{
			{records.Date, "2026-12-01", "fr", "1er décembre 2026"},
			{records.Date, "2026-01-31", "en", "January 31, 2026"},
			{records.DateTime, "2026-12-05T14:30:00Z", "fr", "5 décembre 2026 à 14:30"},
			{records.DateTime, "2026-12-05T14:30:00Z", "en", "December 5, 2026 at 2:30 PM"},
			{records.Number, 1234567.5, "fr", "1\u00a0234\u00a0567,5"},
			{records.Number, 1234567.5, "en", "1,234,567.5"},
			{records.Money, -12.5, "fr", "-12,50\u00a0€"},
			{records.Money, 0.0, "en", "€0.00"},
			{records.Checkbox, true, "fr", "Oui"},
			{records.Checkbox, nil, "en", "No"},
		}
		for _, c := range cases {
			got := formatValue(&records.Field{Kind: c.kind, Currency: "EUR"}, c.raw, c.lang, time.UTC)
			if got != c.want {
				t.Errorf("%s %v %s: %q, want %q", c.kind, c.raw, c.lang, got, c.want)
			}
		}
		if got := formatMoney(1234.5, "USD", "en"); got != "$1,234.50" {
			t.Errorf("USD: %q", got)
		}
		if got := formatMoney(1234.5, "SEK", "fr"); got != "1\u00a0234,50\u00a0SEK" {
			t.Errorf("SEK: %q", got)
		}
	})
}

func TestDefaultsStandInForEmptyValues(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// An invoice without a company: no contact, no company, no due date.
	bare, err := f.r.Create(ctx, f.user, f.factures.ID, records.Values{"numero": "F-002"})
	if err != nil {
		t.Fatal(err)
	}
	tp := f.save(t, Draft{Name: "d", Language: "fr", Subject: "{{company.name | default: \"\"}} {{facture.numero}}",
		HTML: `<p>Bonjour {{contact.first_name | default: "Madame, Monsieur"}},</p><p>{{facture.echeance}}</p><p>{{company.name}}</p>`})
	out, err := f.tpl.Render(ctx, tp.ID, Target{RecordID: bare.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.HTML, "Bonjour Madame, Monsieur,") || out.Subject != "F-002" {
		t.Fatalf("html %q subject %q", out.HTML, out.Subject)
	}
	if strings.Join(out.Missing, " ") != "{{facture.echeance}} {{company.name}}" {
		t.Fatalf("missing %v", out.Missing)
	}
	// With a value, the default is not used.
	out, err = f.tpl.Render(ctx, tp.ID, Target{RecordID: f.invoice.ID})
	if err != nil || !strings.Contains(out.HTML, "Bonjour Élise,") {
		t.Fatalf("html %q err %v", out.HTML, err)
	}
}

func TestHostileValuesRenderInert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hostile := `<img src=x onerror=alert(1)>`
	c, err := f.r.Create(ctx, f.user, f.contact.ID, records.Values{"first_name": hostile,
		"last_name": `"><script>alert(2)</script>`, "job_title": "javascript:alert(3)"})
	if err != nil {
		t.Fatal(err)
	}
	tp := f.save(t, Draft{Name: "h", Language: "fr", Subject: "{{contact.first_name}}",
		HTML: `<p>Bonjour {{contact.first_name}}</p><p title="{{contact.last_name}}">x</p><a href="{{contact.job_title}}">lien</a>`})
	out, err := f.tpl.Render(ctx, tp.ID, Target{RecordID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Inert: the template's own elements only (p, p, a), no handler, no script URL.
	doc, err := html.Parse(strings.NewReader(out.HTML))
	if err != nil {
		t.Fatal(err)
	}
	var elems []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		elems = append(elems, n.Data)
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("attribute %s=%q in %s", a.Key, a.Val, out.HTML)
			}
		}
	}
	if got := strings.Join(elems, " "); got != "html head body p p a" && got != "html head body p p" {
		t.Errorf("elements %q in %s", got, out.HTML)
	}
	if !strings.Contains(out.HTML, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the name is not shown as text: %s", out.HTML)
	}
	// The plain-text part and the subject are text: the name as it is.
	if out.Subject != hostile || !strings.Contains(out.Text, hostile) {
		t.Errorf("subject %q text %q", out.Subject, out.Text)
	}
}

func TestStoreKeepsTheHandEditedText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tp := f.save(t, reminder("fr"))
	if !strings.Contains(tp.Text, "Bonjour {{contact.first_name | default: \"Madame, Monsieur\"}},") || tp.TextEdited {
		t.Fatalf("derived text %q", tp.Text)
	}
	d := tp.Draft
	d.HTML = "<p>Autre chose {{facture.numero}}</p>"
	tp = f.save(t, d)
	if !strings.Contains(tp.Text, "Autre chose {{facture.numero}}") {
		t.Fatalf("the text does not follow the HTML: %q", tp.Text)
	}
	d = tp.Draft
	d.Text, d.TextEdited = "Écrit à la main : {{facture.numero}}", true
	d.HTML = "<p>Encore autre chose</p>"
	tp = f.save(t, d)
	if tp.Text != "Écrit à la main : {{facture.numero}}" {
		t.Fatalf("hand-edited text lost: %q", tp.Text)
	}
	if _, err := f.tpl.Save(ctx, f.user, Draft{Name: "relance 1 FR", Language: "fr"}); fault.ReasonOf(err) != ErrNameTaken.Name {
		t.Fatalf("same name: %v", err)
	}
	a, err := f.tpl.AddAttachment(ctx, tp.ID, "conditions.pdf", []byte("%PDF-1.4 conditions"))
	if err != nil || a.ContentType != "application/pdf" {
		t.Fatalf("attach %+v %v", a, err)
	}
	if _, err := f.tpl.AddAttachment(ctx, tp.ID, "big.bin", make([]byte, maxAttachmentBytes+1)); fault.ReasonOf(err) != ErrAttachmentTooLarge.Name {
		t.Fatalf("too large: %v", err)
	}
	out, err := f.tpl.Render(ctx, tp.ID, Target{RecordID: f.invoice.ID})
	if err != nil || len(out.Attachments) != 1 || string(out.Attachments[0].Data) != "%PDF-1.4 conditions" {
		t.Fatalf("attachments %+v %v", out.Attachments, err)
	}
	if err := f.tpl.RemoveAttachment(ctx, tp.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.tpl.Delete(ctx, tp.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tpl.Get(ctx, tp.ID); fault.ReasonOf(err) != ErrNotFound.Name {
		t.Fatalf("after delete: %v", err)
	}
}

// A Renderer reads and compiles its template once, but a change to the template, its
// attachments or the schema between two renders is seen by the next one.
func TestRendererFollowsTemplateAndSchemaChanges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tp := f.save(t, reminder("fr"))
	rd := f.tpl.Renderer(tp.ID)
	tg := Target{RecordID: f.invoice.ID, Sender: f.sender}
	render := func(what string) Rendered {
		t.Helper()
		out, err := rd.Render(ctx, tg)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want, err := f.tpl.Render(ctx, tp.ID, tg)
		if err != nil {
			t.Fatalf("%s: Templates.Render: %v", what, err)
		}
		if out.Subject != want.Subject || out.HTML != want.HTML || out.Text != want.Text || len(out.Attachments) != len(want.Attachments) {
			t.Fatalf("%s: the renderer gives %+v, Templates.Render %+v", what, out, want)
		}
		return out
	}
	if out := render("first"); out.Subject != "Facture F-001 — ACME & Fils" || !strings.Contains(out.HTML, "€") {
		t.Fatalf("first render: %q %q", out.Subject, out.HTML)
	}
	// The template edited.
	d := tp.Draft
	d.Subject = "Rappel {{facture.numero}}"
	f.save(t, d)
	if out := render("after the edit"); out.Subject != "Rappel F-001" {
		t.Fatalf("after the edit: subject %q", out.Subject)
	}
	// An attachment added.
	if _, err := f.tpl.AddAttachment(ctx, tp.ID, "cgv.txt", []byte("conditions")); err != nil {
		t.Fatal(err)
	}
	if out := render("after the attachment"); len(out.Attachments) != 1 || string(out.Attachments[0].Data) != "conditions" {
		t.Fatalf("after the attachment: %+v", out.Attachments)
	}
	// The schema changed: the amount's currency.
	s, err := f.r.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	amount := s.TypeByKey("facture").FieldByKey("montant")
	if _, err := f.r.UpdateField(ctx, amount.ID, records.FieldChange{Label: amount.Label, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	if out := render("after the currency"); strings.Contains(out.HTML, "€") || !strings.Contains(out.HTML, "$") {
		t.Fatalf("after the currency: %q", out.HTML)
	}
	// A field the template names deleted: the render fails as Templates.Render does.
	if err := f.r.DeleteField(ctx, s.TypeByKey("facture").FieldByKey("echeance").ID); err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Render(ctx, tg); err == nil {
		t.Fatal("the renderer still renders a template naming a deleted field")
	}
}
