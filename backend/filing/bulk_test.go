package filing

import (
	"slices"
	"strings"
	"testing"

	"mailroom/backend/records"
)

func (f *fixture) indexNames() []string {
	f.t.Helper()
	var out []string
	rows, err := f.db.R.QueryContext(f.ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND name IN
		('message_records_by_record', 'message_suggestions_by_record', 'message_parties_email',
		 'message_parties_domain', 'message_filing_to_file') ORDER BY name`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// A re-file of everything drops the link tables' indexes and builds them again when it
// ends; cut short by a crash, the next start builds them.
func TestRefileIndexesComeBack(t *testing.T) {
	f := newFixture(t)
	all := f.indexNames()
	if len(all) != len(bulkIndexes) {
		t.Fatalf("indexes before: %v", all)
	}
	lea := f.create(f.contact, records.Values{records.ContactFirstName: "Léa", records.ContactEmails: []string{"lea@acme.fr"}})
	m := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})

	// The crash: dropped, never built again.
	if err := f.e.dropIndexes(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.indexNames(); len(got) != 0 {
		t.Fatalf("indexes after the drop: %v", got)
	}
	// Filing still works meanwhile (SQLite scans).
	f.file(m)
	if got := f.links(m); got[lea] != "auto" {
		t.Fatalf("links without the indexes: %v", got)
	}
	// The next start builds them first; its re-file (first run) drops and builds them again.
	f.started()
	f.eventually("the first re-file ended with its indexes back", func() bool {
		p := f.e.Progress()
		return p.Total > 0 && !p.Running && slices.Equal(f.indexNames(), all)
	})
	if v, ok, err := f.db.Setting(f.ctx, droppedIndexesKey); err != nil || ok {
		t.Fatalf("dropped indexes still remembered: %q %v %v", v, ok, err)
	}
	var plan string
	if err := f.db.R.QueryRowContext(f.ctx, `EXPLAIN QUERY PLAN SELECT message_id FROM message_records WHERE record_id = ?`, lea).
		Scan(new(int), new(int), new(int), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "message_records_by_record") {
		t.Fatalf("the timeline's query does not use its index again: %s", plan)
	}
}

// The rows travel as JSON: what SQLite reads back is what was added, for any text.
func TestRowsInserterRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.exec(`CREATE TABLE t(a INTEGER, b TEXT, c INTEGER, d TEXT)`)
	texts := []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rret", "ctl\x01\x1f", "Élodie 日本 😀",
		"</script>", "bad\xffutf8"}
	tx, err := f.db.W.BeginTx(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := newRowsInserter(f.ctx, tx, `INSERT INTO t(a, b, c, d)`, []string{"v0", "v1", "v2", "'k'"}, ``)
	for i, s := range texts {
		if err := x.add(int64(i)-3, s, i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.flush(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.R.QueryContext(f.ctx, `SELECT a, b, c, d, typeof(a), typeof(c) FROM t ORDER BY a`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var a, c int64
		var b, d, ta, tc string
		if err := rows.Scan(&a, &b, &c, &d, &ta, &tc); err != nil {
			t.Fatal(err)
		}
		want := texts[i]
		if want == "bad\xffutf8" {
			want = "bad\uFFFDutf8" // invalid UTF-8 is replaced, as encoding/json does
		}
		if a != int64(i)-3 || b != want || (c == 1) != (i%2 == 0) || d != "k" || ta != "integer" || tc != "integer" {
			t.Errorf("row %d: %d %q %d %q %s %s", i, a, b, c, d, ta, tc)
		}
	}
	if i != len(texts) {
		t.Fatalf("%d rows, want %d", i, len(texts))
	}
}

// An import changes thousands of records at once: the messages they concern are found all
// the same (SQLite takes at most 32,766 parameters; the query names each id six times).
func TestAffectedByManyRecords(t *testing.T) {
	f := newFixture(t)
	lea := f.create(f.contact, records.Values{records.ContactFirstName: "Léa", records.ContactEmails: []string{"lea@acme.fr"}})
	m := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	f.file(m)
	ids := make([]int64, 0, 6000)
	for i := range int64(5999) {
		ids = append(ids, 1_000_000+i) // records that no longer exist change nothing
	}
	ids = append(ids, lea)
	got, err := affected(f.ctx, f.db.R, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{m}) {
		t.Fatalf("affected: %v, want [%d]", got, m)
	}
}
