package syncer_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"mailroom/backend/syncer"
	"mailroom/backend/testenv"
)

// BenchmarkSync measures, against the project's Dovecot, a first sync of a 10,000-message
// corpus into an empty store (time to the newest 50 rows, to every header and body
// stored and indexed), a re-sync when nothing changed, and the IDLE latency (LMTP
// delivery to row). Run it inside the test environment:
//
//	scripts/testenv/with-env.sh go test -run '^$' -bench BenchmarkSync -benchtime 3x \
//	    -tags webkit2_41,sqlite_fts5 ./backend/syncer/
func BenchmarkSync(b *testing.B) {
	const n = 10_000
	srv, env := dovecot(b)
	fillInbox(b, env, srv.user, n)
	c := srv.client(b)
	if got := len(serverState(b, c, "INBOX")); got != n { // also warms Dovecot's index
		b.Fatalf("the server has %d messages", got)
	}
	c.Close()

	var first50, full, resync, idle, mbFull, mbResync []time.Duration
	mbsync, _ := exec.LookPath("mbsync")
	for i := 0; b.Loop(); i++ {
		if mbsync != "" { // the peer, on the same mailbox in the same run
			f, r := runMbsync(b, mbsync, env, srv)
			mbFull, mbResync = append(mbFull, f), append(mbResync, r)
		}
		var mu sync.Mutex
		var firstAt time.Duration
		idleCh := make(chan struct{}, 16)
		var r *rig
		r = newRig(b, srv, withOptions(benchOptions()), withOnEmit(func(ev syncer.Event) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Kind == syncer.KindChanged && firstAt == 0 {
				firstAt = time.Since(r.started)
			}
			if ev.Kind == syncer.KindProgress && ev.Phase == syncer.PhaseIdle {
				select {
				case idleCh <- struct{}{}:
				default:
				}
			}
		}))
		r.start()
		select {
		case <-idleCh:
		case <-time.After(5 * time.Minute):
			b.Fatal("no first sync")
		}
		full = append(full, time.Since(r.started))
		mu.Lock()
		first50 = append(first50, firstAt)
		mu.Unlock()
		if m, pending := r.bodiesState(); m != n+5*i || pending != 0 { // + earlier deliveries
			b.Fatalf("after the first sync: %d messages, %d bodies missing", m, pending)
		}

		for range 5 { // no-change re-syncs
			start := time.Now()
			r.eng.SyncNow(r.accID)
			<-idleCh
			resync = append(resync, time.Since(start))
		}
		for j := range 5 { // IDLE latency
			time.Sleep(100 * time.Millisecond)
			subject := fmt.Sprintf("Bench push %d %d %s", i, j, testenv.UniqueID()[:6])
			msg, _ := testenv.NewMessage("someone@example.org", srv.user, subject, "Hello.")
			var last int64
			r.db.R.QueryRow(`SELECT coalesce(max(id), 0) FROM messages`).Scan(&last)
			start := time.Now()
			env.Deliver(b, msg, "someone@example.org", srv.user)
			for {
				var got string // the newest row, by rowid: no scan
				r.db.R.QueryRow(`SELECT subject FROM messages WHERE id > ? ORDER BY id DESC LIMIT 1`, last).Scan(&got)
				if got == subject {
					break
				}
				if time.Since(start) > 10*time.Second {
					b.Fatal("a delivered message did not arrive")
				}
				time.Sleep(5 * time.Millisecond)
			}
			idle = append(idle, time.Since(start))
		}
		r.close()
		runtime.GC()
	}
	med := func(ds []time.Duration) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[len(s)/2].Seconds()
	}
	b.ReportMetric(med(first50), "first50_s")
	b.ReportMetric(med(full), "full_s")
	b.ReportMetric(med(resync)*1000, "resync_ms")
	b.ReportMetric(med(idle), "idle_median_s")
	slices.Sort(idle)
	b.ReportMetric(idle[len(idle)*95/100].Seconds(), "idle_p95_s")
	if len(mbFull) > 0 {
		b.ReportMetric(med(mbFull), "mbsync_full_s")
		b.ReportMetric(med(full)/med(mbFull), "ratio")
		b.ReportMetric(med(mbResync)*1000, "mbsync_resync_ms")
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak_rss_mb") // the whole test process
	}
}

// benchOptions are the engine's defaults, with the test timings of the rig.
func benchOptions() syncer.Options {
	o := syncer.Options{StallTimeout: testStall, IdleRefresh: testIdleRefresh}
	if n, err := strconv.Atoi(os.Getenv("MAILROOM_BENCH_BODY_BATCH")); err == nil {
		o.BodyBatch = n
	}
	if n, err := strconv.Atoi(os.Getenv("MAILROOM_BENCH_BODY_BYTES")); err == nil {
		o.BodyBatchBytes = int64(n)
	}
	return o
}

// runMbsync syncs the account's INBOX with mbsync (isync, FSync no, IMAPS) into a fresh
// Maildir and again with nothing changed (once the Maildir has settled), and returns
// both durations.
func runMbsync(b *testing.B, mbsync string, env *testenv.Env, srv server) (full, resync time.Duration) {
	b.Helper()
	dir := b.TempDir()
	rc := filepath.Join(dir, "mbsyncrc")
	conf := fmt.Sprintf(`FSync no

IMAPAccount bench
Host localhost
Port %d
User %s
Pass %s
SSLType IMAPS
CertificateFile %s

IMAPStore remote
Account bench

MaildirStore local
Path %s/
Inbox %s/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Create Near
SyncState *
`, srv.port, srv.user, srv.password, env.CAFile, dir, dir)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	run := func() time.Duration {
		start := time.Now()
		out, err := exec.Command(mbsync, "-q", "-c", rc, "-a").CombinedOutput()
		if err != nil {
			b.Fatalf("mbsync: %v: %s", err, out)
		}
		return time.Since(start)
	}
	full = run()
	// mbsync's Maildir store sleeps one second when a folder was modified within the
	// last second ("sleeping due to recent directory modification"): a guard against
	// the coarse timestamps of Maildir, not sync work. A real re-sync never follows the
	// previous one that closely, so the re-sync is timed once that second is over.
	time.Sleep(mbsyncMaildirSettle)
	return full, run()
}

// mbsyncMaildirSettle is how long the benchmark lets the Maildir rest between mbsync's
// full sync and its re-sync (mbsync compares whole-second timestamps).
const mbsyncMaildirSettle = 2 * time.Second
