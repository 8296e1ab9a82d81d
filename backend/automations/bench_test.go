package automations_test

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"syscall"
	"testing"
	"time"

	"mailroom/backend/records"
)

// BenchmarkAutomationEval100k fills 100,000 invoices (due dates over three years, one in
// two paid), marks 10,000 of them sent in the ledger, then measures the evaluation of the
// overdue-invoice automation: the records due today, unpaid, not yet sent for their date.
// It prints automations: automation_eval_ms=… (the median), which make bench-automations
// reports.
func BenchmarkAutomationEval100k(b *testing.B) {
	f := newFixture(b, fixtureOpts{now: at("2026-12-06", 10), path: os.Getenv("AUTOMATIONS_BENCH_DB")})
	rnd := rand.New(rand.NewSource(42))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t0 := time.Now()
	const n = 100_000
	for done := 0; done < n; done += 10_000 {
		_, err := f.recs.Write(ctx, f.user, func(w *records.Writer) error {
			for i := done; i < done+10_000; i++ {
				v := records.Values{"numero": fmt.Sprintf("F-%06d", i), "echeance": start.AddDate(0, 0, rnd.Intn(1100)).Format(time.DateOnly)}
				if rnd.Intn(2) == 0 {
					v["payee"] = true
				}
				if _, err := w.Create(f.factures.ID, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	a := f.overdue(0)
	if _, err := f.db.W.ExecContext(ctx, `INSERT INTO automation_ledger(automation_id, record_id, trigger_value, state, created_at, updated_at)
		SELECT ?, x.record_id, x.sort, 'queued', 0, 0 FROM record_values x JOIN record_fields fl ON fl.id = x.field_id
		WHERE fl.type_id = ? AND fl.key = 'echeance' LIMIT 10000`, a.ID, f.factures.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d records in %s", n, time.Since(t0).Round(time.Millisecond))
	var ds, cpu []time.Duration
	due := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := cpuTime()
		s := time.Now()
		d, err := f.auto.Due(ctx, a, f.clock.Now())
		ds = append(ds, time.Since(s))
		cpu = append(cpu, cpuTime()-c0)
		if err != nil {
			b.Fatal(err)
		}
		due = len(d)
	}
	b.StopTimer()
	if due == 0 || due >= n/2 {
		b.Fatalf("due = %d; want the unpaid overdue invoices not yet sent", due)
	}
	median := func(xs []time.Duration) float64 {
		sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
		return float64(xs[len(xs)/2].Microseconds()) / 1000
	}
	ms, cpuMS := median(ds), median(cpu)
	b.ReportMetric(ms, "automation_eval_ms")
	b.ReportMetric(cpuMS, "automation_eval_cpu_ms")
	b.ReportMetric(float64(due), "due")
	// The CPU time beside the wall time: this machine is shared, and a loaded one stretches
	// the wall time, not the work.
	fmt.Printf("automations: automation_eval_ms=%.1f automation_eval_cpu_ms=%.1f due=%d records=%d\n", ms, cpuMS, due, n)
}

// cpuTime is the process's CPU time so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
