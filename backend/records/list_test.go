package records

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"
)

func titles(p Page) []string {
	out := []string{}
	for _, r := range p.Records {
		out = append(out, r.Title)
	}
	return out
}

func TestListsFilterAndSortByAnyField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fid := f.factures.ID
	f.field(t, fid, FieldInput{Label: "Échéance", Kind: Date})
	f.field(t, fid, FieldInput{Label: "Montant", Kind: Money, Currency: "EUR"})
	f.field(t, fid, FieldInput{Label: "Payée", Kind: Checkbox})
	f.field(t, fid, FieldInput{Label: "Client", Kind: Link, TargetTypeID: f.company.ID})
	f.field(t, fid, FieldInput{Label: "Objet", Kind: Text})
	acme := f.create(t, f.company.ID, Values{"name": "ACME"})
	f.create(t, fid, Values{"numero": "F-3", "echeance": "2026-03-15", "montant": 1234.56, "payee": true, "client": acme.ID, "objet": "Toiture"})
	f.create(t, fid, Values{"numero": "F-1", "echeance": "2026-01-31", "montant": 99.9, "objet": "Façade"})
	f.create(t, fid, Values{"numero": "F-2", "echeance": "2026-02-28", "montant": 500, "client": acme.ID})
	f.create(t, fid, Values{"numero": "F-4"})
	for _, tc := range []struct {
		name    string
		sort    Sort
		filters []Filter
		want    []string
	}{
		{"by title", Sort{}, nil, []string{"F-1", "F-2", "F-3", "F-4"}},
		{"by due date, records without one last", Sort{Field: "echeance"}, nil, []string{"F-1", "F-2", "F-3", "F-4"}},
		{"by due date descending", Sort{Field: "echeance", Desc: true}, nil, []string{"F-3", "F-2", "F-1", "F-4"}},
		{"by amount descending", Sort{Field: "montant", Desc: true}, nil, []string{"F-3", "F-2", "F-1", "F-4"}},
		{"is empty", Sort{}, []Filter{{"echeance", IsEmpty, nil}}, []string{"F-4"}},
		{"is not empty", Sort{}, []Filter{{"objet", IsNotEmpty, nil}}, []string{"F-1", "F-3"}},
		{"equals, accents and case ignored", Sort{}, []Filter{{"objet", Equals, "FACADE"}}, []string{"F-1"}},
		{"contains", Sort{}, []Filter{{"objet", Contains, "tur"}}, []string{"F-3"}},
		{"before a date", Sort{}, []Filter{{"echeance", Before, "2026-02-28"}}, []string{"F-1"}},
		{"after a date", Sort{}, []Filter{{"echeance", After, "2026-02-01"}}, []string{"F-2", "F-3"}},
		{"greater than", Sort{}, []Filter{{"montant", Greater, 499.99}}, []string{"F-2", "F-3"}},
		{"less than", Sort{}, []Filter{{"montant", Less, 500}}, []string{"F-1"}},
		{"is checked", Sort{}, []Filter{{"payee", IsChecked, nil}}, []string{"F-3"}},
		{"linked to", Sort{}, []Filter{{"client", LinkedTo, float64(acme.ID)}}, []string{"F-2", "F-3"}},
		{"link is empty", Sort{}, []Filter{{"client", IsEmpty, nil}}, []string{"F-1", "F-4"}},
		{"two filters", Sort{Field: "echeance", Desc: true}, []Filter{{"client", LinkedTo, acme.ID}, {"payee", IsEmpty, nil}}, []string{"F-2"}},
		{"title contains", Sort{}, []Filter{{"title", Contains, "f-4"}}, []string{"F-4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.r.List(ctx, Query{TypeID: fid, Sort: tc.sort, Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(p); !reflect.DeepEqual(got, tc.want) || p.Total != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", got, p.Total, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		flt  Filter
	}{
		{"before on a text", Filter{"objet", Before, "2026-01-01"}},
		{"contains on a date", Filter{"echeance", Contains, "2026"}},
		{"an unknown field", Filter{"nope", Equals, "x"}},
		{"is checked on money", Filter{"montant", IsChecked, nil}},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, err := f.r.List(ctx, Query{TypeID: fid, Filters: []Filter{tc.flt}})
			wantReason(t, err, ErrFilterInvalid, "filters")
		})
	}
	_, err := f.r.List(ctx, Query{TypeID: fid, Sort: Sort{Field: "client"}})
	wantReason(t, err, ErrSortInvalid, "sort")
}

func TestKeysetPagesWalkEveryRecordOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fid := f.factures.ID
	f.field(t, fid, FieldInput{Label: "Échéance", Kind: Date})
	f.field(t, fid, FieldInput{Label: "Montant", Kind: Number})
	rnd := rand.New(rand.NewSource(1))
	_, err := f.r.Write(ctx, f.user, func(w *Writer) error {
		for i := range 137 {
			v := Values{"numero": fmt.Sprintf("F-%03d", i)}
			if i%5 != 0 { // some without a date, several sharing one
				v["echeance"] = time.Date(2026, 1, 1+rnd.Intn(20), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			}
			if i%3 == 0 {
				v["montant"] = float64(rnd.Intn(50)) + 0.5
			}
			if _, err := w.Create(fid, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Sort{{}, {Field: "echeance"}, {Field: "echeance", Desc: true}, {Field: "montant"}, {Field: "created_at", Desc: true}, {Field: "updated_at"}} {
		t.Run(fmt.Sprintf("%s desc=%v", s.Field, s.Desc), func(t *testing.T) {
			seen := map[int64]bool{}
			var got []string
			cur := ""
			for pages := 0; ; pages++ {
				p, err := f.r.List(ctx, Query{TypeID: fid, Sort: s, Cursor: cur, Limit: 10, Columns: []string{"echeance"}})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range p.Records {
					if seen[r.ID] {
						t.Fatalf("record %d listed twice", r.ID)
					}
					seen[r.ID] = true
					got = append(got, r.Title)
					if _, has := r.Values["montant"]; has {
						t.Fatalf("a column not asked for was read")
					}
				}
				if p.Next == "" {
					break
				}
				cur = p.Next
				if pages > 20 {
					t.Fatal("pages never end")
				}
			}
			if len(seen) != 137 {
				t.Fatalf("walked %d records, want 137", len(seen))
			}
			if s.Field == "" && !sort.StringsAreSorted(got) {
				t.Fatalf("not sorted by title: %v", got)
			}
		})
	}
	_, err = f.r.List(ctx, Query{TypeID: fid, Cursor: "!!not a cursor"})
	wantReason(t, err, ErrCursorInvalid, "")
}

func TestSearchFindsPrefixesWithoutAccents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, f.contact.ID, Values{"first_name": "Élise", "last_name": "Garçon", "job_title": "Gérante", "emails": "elise@boulangerie.fr"})
	f.create(t, f.contact.ID, Values{"first_name": "François", "last_name": "Lefèvre", "notes": "Rencontré au salon de Lyon"})
	f.create(t, f.contact.ID, Values{"first_name": "Paul", "last_name": "Elisabeth"})
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"elise", []string{"Élise Garçon"}},
		{"Élise", []string{"Élise Garçon"}},
		{"garcon", []string{"Élise Garçon"}},
		{"GARÇ", []string{"Élise Garçon"}},
		{"francois lef", []string{"François Lefèvre"}},
		{"geran", []string{"Élise Garçon"}},
		{"boulangerie", []string{"Élise Garçon"}},
		{"salon lyon", []string{"François Lefèvre"}},
		{"eli", []string{"Paul Elisabeth", "Élise Garçon"}}, // both in the title: the shorter ranks first
		{"NEAR(", []string{}},
		{"zzz", []string{}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			p, err := f.r.List(ctx, Query{TypeID: f.contact.ID, Search: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(p); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("search %q = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

// A search matching more than rankAll records shows those whose title matches first, ranked,
// then the others newest first; its pages hold every match of the type once, no other
// type's, nothing in the trash, and the filters still apply.
func TestASearchWithManyMatchesPutsTheTitlesFirstAndPagesThroughAll(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.field(t, f.factures.ID, FieldInput{Label: "Objet", Kind: Text})
	f.field(t, f.factures.ID, FieldInput{Label: "Payée", Kind: Checkbox})
	want := map[int64]bool{}
	var titled []int64
	_, err := f.r.Write(ctx, f.user, func(w *Writer) error {
		for i := range 2_300 { // more than rankAll
			v := Values{"numero": fmt.Sprintf("F-%05d", i), "objet": "toiture et façade", "payee": i%3 == 0}
			if i%500 == 7 {
				v["numero"] = fmt.Sprintf("Toiture %d", i)
			}
			id, err := w.Create(f.factures.ID, v)
			if err != nil {
				return err
			}
			if i%3 == 0 {
				want[id] = true
				if i%500 == 7 {
					titled = append(titled, id)
				}
			}
		}
		// Another type's records match too, and are never listed.
		for i := range 50 {
			if _, err := w.Create(f.company.ID, Values{CompanyName: fmt.Sprintf("Toiture %d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// One match in the trash.
	var trashed int64
	for id := range want {
		trashed = id
		break
	}
	if _, err := f.r.Delete(ctx, f.user, trashed); err != nil {
		t.Fatal(err)
	}
	delete(want, trashed)
	titled = slices.DeleteFunc(titled, func(id int64) bool { return id == trashed })
	q := Query{TypeID: f.factures.ID, Search: "toit", Filters: []Filter{{Field: "payee", Op: IsChecked, Value: true}}, Limit: 100}
	var got []int64
	for page := 0; ; page++ {
		p, err := f.r.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if page == 0 && p.Total != len(want) {
			t.Fatalf("total %d, want %d", p.Total, len(want))
		}
		for _, rec := range p.Records {
			got = append(got, rec.ID)
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	if len(got) != len(want) {
		t.Fatalf("%d listed, want %d", len(got), len(want))
	}
	seen := map[int64]bool{}
	for _, id := range got {
		if !want[id] || seen[id] {
			t.Fatalf("record %d listed wrongly (or twice)", id)
		}
		seen[id] = true
	}
	slices.Sort(titled)
	first := slices.Clone(got[:len(titled)])
	slices.Sort(first)
	if !slices.Equal(first, titled) {
		t.Fatalf("the title matches do not come first: %v, want %v", got[:len(titled)], titled)
	}
	rest := got[len(titled):]
	if !slices.IsSortedFunc(rest, func(a, b int64) int { return int(b - a) }) {
		t.Fatal("the other matches are not newest first")
	}
}
