package records

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"
)

const benchRecords = 100_000

var benchWords = []string{"toiture", "façade", "élagage", "plomberie", "électricité", "chauffage", "menuiserie",
	"carrelage", "peinture", "isolation", "maçonnerie", "serrurerie", "vitrerie", "jardinage", "entretien"}

var benchNames = []string{"Élise", "François", "Gaëlle", "Jérôme", "Loïc", "Hélène", "Benoît", "Cécile", "Noël", "Zoé"}

// fillInvoices makes n invoices with a due date, an amount, an object and a client name.
func fillInvoices(b *testing.B, f *fixture, n int) {
	b.Helper()
	ctx := context.Background()
	fid := f.factures.ID
	f.field(b, fid, FieldInput{Label: "Échéance", Kind: Date})
	f.field(b, fid, FieldInput{Label: "Montant", Kind: Money})
	f.field(b, fid, FieldInput{Label: "Objet", Kind: Text})
	f.field(b, fid, FieldInput{Label: "Contact", Kind: Text})
	rnd := rand.New(rand.NewSource(42))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for done := 0; done < n; done += 10_000 {
		_, err := f.r.Write(ctx, f.user, func(w *Writer) error {
			for i := done; i < done+10_000 && i < n; i++ {
				_, err := w.Create(fid, Values{
					"numero":   fmt.Sprintf("F-%06d", i),
					"echeance": start.AddDate(0, 0, rnd.Intn(1000)).Format(time.DateOnly),
					"montant":  float64(rnd.Intn(1_000_000)) / 100,
					"objet":    benchWords[rnd.Intn(len(benchWords))] + " " + benchWords[rnd.Intn(len(benchWords))],
					"contact":  benchNames[rnd.Intn(len(benchNames))] + fmt.Sprintf(" Client%d", rnd.Intn(5000)),
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

// benchQueries are what the search benchmarks type: a prefix, a name with its accent left
// out, two words, an invoice number split by a hyphen, two letters.
var benchQueries = []string{"toit", "élise", "gaelle client12", "plomberie chauffage", "f-0421", "ma"}

// benchRounds is how many times the list and every query run: the median and p95 are over
// those rounds (the first, cold, included).
const benchRounds = 20

// measureList times, benchRounds times, the first page of the invoices sorted by due date
// (latest first) and a search for each of benchQueries: the median of the first and the p95
// of the second. `make bench-records` and BenchmarkRecordsList100k both report these.
func measureList(b *testing.B, f *fixture) (listMedian, searchP95 time.Duration) {
	b.Helper()
	ctx := context.Background()
	var lists, searches []time.Duration
	for range benchRounds {
		s := time.Now()
		p, err := f.r.List(ctx, Query{TypeID: f.factures.ID, Sort: Sort{Field: "echeance", Desc: true}, Limit: 50})
		lists = append(lists, time.Since(s))
		if err != nil || len(p.Records) != 50 {
			b.Fatalf("list: %d records, %v", len(p.Records), err)
		}
		for _, q := range benchQueries {
			s = time.Now()
			if _, err := f.r.List(ctx, Query{TypeID: f.factures.ID, Search: q, Limit: 50}); err != nil {
				b.Fatal(err)
			}
			searches = append(searches, time.Since(s))
		}
	}
	sort.Slice(searches, func(i, j int) bool { return searches[i] < searches[j] })
	return median(lists), searches[len(searches)*95/100]
}

// BenchmarkRecordsList100k fills 100,000 invoices, then measures the list and the search as
// `make bench-records` does (measureList), once per call whatever b.N.
func BenchmarkRecordsList100k(b *testing.B) {
	f := newFixture(b)
	t0 := time.Now()
	fillInvoices(b, f, benchRecords)
	b.Logf("filled %d records in %s", benchRecords, time.Since(t0).Round(time.Millisecond))
	b.ResetTimer()
	list, p95 := measureList(b, f)
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(list), "list_median_ms")
	b.ReportMetric(ms(p95), "search_p95_ms")
}
