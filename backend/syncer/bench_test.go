package syncer_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/syncer"
)

// BenchmarkSync measures, against the project's Dovecot and for each corpus, a first sync
// into an empty store — the time until the newest 50 rows are stored, until every header
// and body is stored and indexed — then a re-sync when nothing changed, the IDLE latency
// (LMTP delivery to stored row) over 20 deliveries, the engine's peak RSS and CPU; and, in
// the same run on the same mailbox, mbsync (isync, FSync no, IMAPS): full sync into an
// empty Maildir, and re-sync. The corpora:
//
//   - attachments: bench_corpus_test.go, 10,000 messages, ~575 MB, 22% with attachments;
//   - ordinary: bench_ordinary_test.go, 10,000 small messages of ordinary business mail in
//     five charsets (BENCH_SYNC_SIZE=50000 for the large variant).
//
// BENCH_SYNC_CORPUS=attachments or ordinary runs one. Each iteration measures both sides;
// medians are reported; the load average is printed at the start and the end. `make
// bench-sync` runs it (3 iterations) and prints one summary line per corpus. By hand:
//
//	scripts/testenv/with-env.sh go test -run '^$' -bench 'BenchmarkSync$' -benchtime 3x \
//	    -tags webkit2_41,sqlite_fts5 ./backend/syncer/
func BenchmarkSync(b *testing.B) {
	size := benchCorpusSize
	if v := os.Getenv("BENCH_SYNC_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("BENCH_SYNC_SIZE=%q: want a number of messages (at least 100)", v)
		}
		size = n
	}
	only := os.Getenv("BENCH_SYNC_CORPUS")
	for _, c := range []struct {
		name string
		size int
		gen  func(int, time.Time) []byte
	}{
		{"attachments", benchCorpusSize, benchMessage}, // ~575 MB: not grown by BENCH_SYNC_SIZE
		{"ordinary", size, ordinaryMessage},
	} {
		if only != "" && only != c.name {
			continue
		}
		b.Run(c.name, func(b *testing.B) { benchSync(b, c.name, c.size, c.gen) })
	}
}

// loadAverage is the one-minute load average, or "?" where /proc has none.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(raw))[0]
}

func benchSync(b *testing.B, corpus string, corpusSize int, gen func(int, time.Time) []byte) {
	const idleDeliveries = 20
	loadStart := loadAverage()
	srv, env := dovecot(b)
	fillStart := time.Now()
	corpusBytes := fillBenchInbox(b, env, srv.user, corpusSize, gen)
	c := srv.client(b)
	if got := len(serverState(b, c, "INBOX")); got != corpusSize { // also warms Dovecot's index
		b.Fatalf("the server has %d messages", got)
	}
	c.Close()
	fmt.Printf("corpus %s: %d messages, %.0f MB, written in %.1f s; load average %s\n", corpus, corpusSize,
		float64(corpusBytes)/1e6, time.Since(fillStart).Seconds(), loadStart)

	var first50, full, resync, idle, mbFull, mbResync, rss, cpu, mbCPU []float64
	mbsync, _ := exec.LookPath("mbsync")
	if mbsync == "" && os.Getenv("MAILROOM_REQUIRE_INTEGRATION") == "1" {
		b.Fatal("mbsync (isync) is not installed: the benchmark compares against it")
	}
	delivered := 0
	for i := 0; b.Loop(); i++ {
		if mbsync != "" { // the peer, on the same mailbox in the same run
			f, r, c := runMbsync(b, mbsync, env, srv)
			mbFull, mbResync, mbCPU = append(mbFull, f.Seconds()), append(mbResync, r.Seconds()), append(mbCPU, c.Seconds())
		}
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS(b)
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
		cpu0 := processCPU()
		r.start()
		select {
		case <-idleCh:
		case <-time.After(10 * time.Minute):
			b.Fatal("no first sync")
		}
		full = append(full, time.Since(r.started).Seconds())
		cpu = append(cpu, (processCPU() - cpu0).Seconds())
		mu.Lock()
		first50 = append(first50, firstAt.Seconds())
		mu.Unlock()
		if m, pending := r.bodiesState(); m != corpusSize+delivered || pending != 0 {
			b.Fatalf("after the first sync: %d messages, %d bodies missing", m, pending)
		}

		var rs []float64
		for range 5 { // no-change re-syncs
			start := time.Now()
			r.eng.SyncNow(r.accID)
			<-idleCh
			rs = append(rs, time.Since(start).Seconds())
		}
		resync = append(resync, median(rs))
		for j := range idleDeliveries {
			time.Sleep(100 * time.Millisecond)
			subject := fmt.Sprintf("Bench push %d %d %s", i, j, testenv.UniqueID()[:6])
			msg, _ := testenv.NewMessage("someone@example.org", srv.user, subject, "Hello.")
			var last int64
			r.scalar(&last, `SELECT coalesce(max(id), 0) FROM messages`)
			start := time.Now()
			env.Deliver(b, msg, "someone@example.org", srv.user)
			for {
				var got string // the newest row, by rowid: no scan
				err := r.db.R.QueryRow(`SELECT subject FROM messages WHERE id > ? ORDER BY id DESC LIMIT 1`, last).Scan(&got)
				if err != nil && !errors.Is(err, sql.ErrNoRows) { // no row: not arrived yet
					b.Fatal(err)
				}
				if got == subject {
					break
				}
				if time.Since(start) > 10*time.Second {
					b.Fatal("a delivered message did not arrive")
				}
				time.Sleep(5 * time.Millisecond)
			}
			idle = append(idle, time.Since(start).Seconds())
			delivered++
		}
		rss = append(rss, peakRSSMB(b))
		r.close()
		fmt.Printf("run %d: full %.2f s (mbsync %.2f s), first 50 %.3f s, re-sync %.1f ms (mbsync %.1f ms), peak RSS %.0f MB\n",
			i+1, full[i], at(mbFull, i), first50[i], resync[i]*1000, at(mbResync, i)*1000, rss[i])
	}

	slices.Sort(idle)
	p95 := idle[(len(idle)*95+99)/100-1]
	fmt.Printf("\n%-34s %10s %10s %10s\n", "median of runs", "Mailroom", "mbsync", "ratio")
	row := func(name string, ours, peer []float64, unit float64, format string) {
		o := median(ours) * unit
		if len(peer) == 0 {
			fmt.Printf("%-34s "+format+" %10s %10s\n", name, o, "—", "—")
			return
		}
		p := median(peer) * unit
		fmt.Printf("%-34s "+format+" "+format+" %10.2f\n", name, o, p, o/p)
	}
	row("full sync (s)", full, mbFull, 1, "%10.2f")
	row("  CPU used by the client (s)", cpu, mbCPU, 1, "%10.2f")
	row("no-change re-sync (ms)", resync, mbResync, 1000, "%10.1f")
	row("newest 50 rows stored (s)", first50, nil, 1, "%10.3f")
	fmt.Printf("%-34s %10.3f   (median %.3f over %d deliveries)\n", "IDLE latency p95 (s)", p95, median(idle), len(idle))
	row("peak RSS of the engine (MB)", rss, nil, 1, "%10.0f")

	b.ReportMetric(median(first50), "first50_s")
	b.ReportMetric(median(full), "full_s")
	b.ReportMetric(median(resync)*1000, "resync_ms")
	b.ReportMetric(p95, "idle_p95_s")
	b.ReportMetric(median(rss), "rss_mb")
	line := fmt.Sprintf("sync: corpus=%s full_s=%.2f", corpus, median(full))
	if len(mbFull) > 0 {
		b.ReportMetric(median(mbFull), "mbsync_full_s")
		b.ReportMetric(median(full)/median(mbFull), "ratio")
		b.ReportMetric(median(mbResync)*1000, "mbsync_resync_ms")
		line += fmt.Sprintf(" mbsync_full_s=%.2f ratio=%.2f", median(mbFull), median(full)/median(mbFull))
	} else {
		line += " mbsync_full_s=NA ratio=NA"
	}
	line += fmt.Sprintf(" first50_s=%.3f resync_s=%.4f", median(first50), median(resync))
	if len(mbResync) > 0 {
		line += fmt.Sprintf(" mbsync_resync_s=%.4f resync_ratio=%.2f", median(mbResync), median(resync)/median(mbResync))
	} else {
		line += " mbsync_resync_s=NA resync_ratio=NA"
	}
	line += fmt.Sprintf(" idle_p95_s=%.3f rss_mb=%.0f", p95, median(rss))
	if len(mbCPU) > 0 {
		b.ReportMetric(median(cpu)/median(mbCPU), "cpu_ratio")
		line += fmt.Sprintf(" cpu_ratio=%.2f", median(cpu)/median(mbCPU))
	} else {
		line += " cpu_ratio=NA"
	}
	fmt.Printf("load average at the start %s, at the end %s\n", loadStart, loadAverage())
	fmt.Println(line)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func at(xs []float64, i int) float64 {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// resetPeakRSS resets the kernel's high-water mark of this process's resident memory
// (Linux ≥ 4.0), so peakRSSMB measures the sync alone, not the corpus generation.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset the peak RSS: %v", err)
	}
}

// peakRSSMB reads the high-water mark of resident memory since resetPeakRSS (VmHWM).
func peakRSSMB(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatalf("VmHWM: %q", line)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
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

// processCPU is the CPU time this process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runMbsync syncs the account's INBOX with mbsync (isync, FSync no, IMAPS) into a fresh
// Maildir and again with nothing changed (once the Maildir has settled), and returns
// both durations and the CPU time of the full sync.
func runMbsync(b *testing.B, mbsync string, env *testenv.Env, srv server) (full, resync, fullCPU time.Duration) {
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
	run := func() (time.Duration, time.Duration) {
		start := time.Now()
		cmd := exec.Command(mbsync, "-q", "-c", rc, "-a")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("mbsync: %v: %s", err, out)
		}
		return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	defer os.RemoveAll(dir) // the Maildir copy: hundreds of MB per run
	full, fullCPU = run()
	// mbsync's Maildir store sleeps one second when a folder was modified within the
	// last second ("sleeping due to recent directory modification"): a guard against
	// the coarse timestamps of Maildir, not sync work. A real re-sync never follows the
	// previous one that closely, so the re-sync is timed once that second is over.
	time.Sleep(mbsyncMaildirSettle)
	resync, _ = run()
	return full, resync, fullCPU
}

// mbsyncMaildirSettle is how long the benchmark lets the Maildir rest between mbsync's
// full sync and its re-sync (mbsync compares whole-second timestamps).
const mbsyncMaildirSettle = 2 * time.Second
