package syncer_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/filing"
	"mailroom/backend/records"
	"mailroom/backend/syncer"
	"mailroom/backend/users"
)

// BenchmarkSyncFiling measures what filing adds to a first sync: the same mailbox, from
// the project's Dovecot into an empty store, with filing off (the sync alone) and on (the
// filing engine wired to the Stored hook as app.go wires it, with contacts and companies
// for most of the corpus's correspondents, pushing $MailroomFiled back to the server), in
// alternate order in the same run. A run ends when every header and body is stored and,
// with filing on, every message is filed. The mailbox is the first
// MAILROOM_BENCH_FILING_MSGS (default 2,000) messages of the sync benchmark's corpus
// (bench_corpus_test.go): a smaller in-process variant of `make bench-sync`, which takes
// ten minutes on this machine. The keywords a filing run set are cleared before the next
// run. Its last line:
//
//	sync_filing: off_s=… on_s=… sync_overhead=…
func BenchmarkSyncFiling(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("MAILROOM_BENCH_FILING_MSGS")); err == nil && v > 0 {
		n = min(v, benchCorpusSize)
	}
	srv, env := dovecot(b)
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		date := base.Add(time.Duration(i) * 53 * time.Minute)
		maildirDeliver(b, env, srv.user, [][]byte{benchMessage(i, date)}, []time.Time{date}, []string{""}, i)
	}
	c := srv.client(b)
	if got := len(serverState(b, c, "INBOX")); got != n {
		b.Fatalf("the server has %d messages", got)
	}

	var off, on []float64
	for i := 0; b.Loop(); i++ {
		for _, withFiling := range []bool{i%2 == 1, i%2 == 0} { // alternate which goes first
			d := syncOnce(b, srv, n, withFiling)
			if withFiling {
				on = append(on, d.Seconds())
				// The next run starts from the same server state.
				if err := c.Store(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.StoreFlags{Op: imap.StoreFlagsDel,
					Silent: true, Flags: []imap.Flag{syncer.KeywordFiled}}, nil).Close(); err != nil {
					b.Fatal(err)
				}
			} else {
				off = append(off, d.Seconds())
			}
			fmt.Printf("run %d, filing %v: %.2f s\n", i+1, withFiling, d.Seconds())
		}
	}
	overhead := median(on)/median(off) - 1
	b.ReportMetric(median(off), "off_s")
	b.ReportMetric(median(on), "on_s")
	b.ReportMetric(overhead, "sync_overhead")
	fmt.Printf("sync_filing: msgs=%d off_s=%.2f on_s=%.2f sync_overhead=%.3f\n", n, median(off), median(on), overhead)
}

// syncOnce syncs the mailbox into a fresh store and returns how long it took until every
// body was stored (and, with filing, every message filed).
func syncOnce(b *testing.B, srv server, n int, withFiling bool) time.Duration {
	var fil *filing.Engine
	var opts []rigOption
	idle := make(chan struct{}, 1)
	var once sync.Once
	opts = append(opts, withOptions(benchOptions()), withOnEmit(func(ev syncer.Event) {
		if ev.Kind == syncer.KindProgress && ev.Phase == syncer.PhaseIdle {
			once.Do(func() { close(idle) })
		}
	}))
	if withFiling {
		opts = append(opts, withStored(func(st syncer.Stored) {
			fil.Stored(filing.Notice{IDs: st.MessageIDs, Bodies: st.Bodies, Drained: st.Drained})
		}))
	}
	r := newRig(b, srv, opts...)
	defer r.close()
	if withFiling {
		fil = filing.New(filing.Deps{DB: r.db, Queued: r.eng.FlagsQueued}, filing.Options{})
		addBenchRecords(b, r)
		if err := fil.Start(ctx); err != nil {
			b.Fatal(err)
		}
		defer fil.Stop()
	}
	r.start()
	select {
	case <-idle:
	case <-time.After(10 * time.Minute):
		b.Fatal("no first sync")
	}
	for {
		m, pending := r.bodiesState()
		filed := n
		if withFiling {
			r.scalar(&filed, `SELECT count(*) FROM message_filing WHERE with_body = 1`)
		}
		if m == n && pending == 0 && filed == n {
			break
		}
		if time.Since(r.started) > 10*time.Minute {
			b.Fatalf("after 10 minutes: %d messages, %d bodies missing, %d filed", m, pending, filed)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d := time.Since(r.started)
	if withFiling {
		var linked int
		r.scalar(&linked, `SELECT count(DISTINCT message_id) FROM message_records`)
		if linked < n/2 {
			b.Fatalf("only %d of %d messages filed to a record", linked, n)
		}
	}
	return d
}

// addBenchRecords makes contacts for the corpus's correspondents at six of its eight
// domains, and companies for two domains: most of the mail files, the rest waits in
// "To file".
func addBenchRecords(b *testing.B, r *rig) {
	u, err := users.New(r.db).CreateOwner(ctx, users.NewUser{Name: "Élise", Email: "elise@bench.test", Language: "fr"})
	if err != nil {
		b.Fatal(err)
	}
	rec := records.New(r.db, records.Options{})
	s, err := rec.Schema(ctx)
	if err != nil {
		b.Fatal(err)
	}
	contact, company := s.TypeByKey(records.ContactType).ID, s.TypeByKey(records.CompanyType).ID
	fold := strings.NewReplacer("é", "e", "è", "e", "ï", "i", "ç", "c", "É", "E")
	for _, d := range benchDomains[:6] {
		for _, name := range benchNames {
			email := strings.ToLower(strings.Fields(fold.Replace(name))[0]) + "@" + d
			if _, err := rec.Create(ctx, u.ID, contact, records.Values{records.ContactFirstName: name,
				records.ContactEmails: []any{email}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, d := range benchDomains[6:] {
		if _, err := rec.Create(ctx, u.ID, company, records.Values{records.CompanyName: d,
			records.CompanyDomains: []any{d}}); err != nil {
			b.Fatal(err)
		}
	}
}
