package outbox_test

// BenchmarkOutboxSend: 1,000 distinct personalised messages through the outbox to the
// project's Postfix, against go-mail sending the same messages over one connection, in the
// same run. Through the test environment:
//
//	MAILROOM_BENCH_ROUNDS=5 scripts/testenv/with-env.sh go test -tags webkit2_41,sqlite_fts5 \
//	    -run '^$' -bench BenchmarkOutboxSend -benchtime 1x ./backend/outbox/
//
// The machine is shared and noisy, so the comparison is made robust to load that comes
// and goes: a warm-up of both (not counted: Postfix starts its processes), then rounds of
// one go-mail run and one outbox run each, in alternate order (go-mail first in even
// rounds, the outbox first in odd ones), so that neither side always runs in the other's
// wake. The rounds are MAILROOM_BENCH_ROUNDS (default 7; b.N when larger, -benchtime 1x
// is enough). The last line printed is `send: outbox_msgs_per_s=… raw_msgs_per_s=…
// ratio=… with_copies_msgs_per_s=…`: the medians of each side's rounds, and the median of the rounds' ratios (each
// from two runs seconds apart, so a burst of load that slows one round does not move it).
// The outbox's figure counts from the start of EnqueueAll (a durable commit of the whole
// bulk) to the last message recorded as sent; go-mail's from the dial to the last answer. Sent copies are off for the ratio — they go to IMAP, not to the SMTP
// server, on a connection of their own — and measured apart: outbox_with_copies_msgs_per_s
// is the same bulk with a copy of each filed in Dovecot's Sent folder (until the last copy).
// The recipients are in another domain, which Postfix accepts and discards: what is
// measured is submission, not local delivery.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/outbox"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

const (
	benchMessages      = 1000
	benchWarmUp        = 200 // messages of each side's warm-up
	benchDefaultRounds = 7
	envBenchRounds     = "MAILROOM_BENCH_ROUNDS"
)

// benchRounds returns the rounds to run: MAILROOM_BENCH_ROUNDS, or b.N when larger.
func benchRounds(b *testing.B) int {
	n := benchDefaultRounds
	if s := os.Getenv(envBenchRounds); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("%s=%q: want a number of rounds", envBenchRounds, s)
		}
		n = v
	}
	return max(n, b.N)
}

// benchCompose is the i-th message of round r, personalised.
func benchCompose(from string, r, i int) outbox.Compose {
	name := fmt.Sprintf("Client %04d", i)
	return outbox.Compose{
		From:      outbox.Address{Name: "Service facturation", Email: from},
		To:        []outbox.Address{{Name: name, Email: fmt.Sprintf("client-%04d@example.org", i)}},
		Subject:   fmt.Sprintf("Votre facture n°%d-%04d", r, i),
		Text:      fmt.Sprintf("Bonjour %s,\n\nvotre facture n°%d-%04d de %d,%02d € est disponible.\nMerci de votre confiance.\n", name, r, i, 100+i%400, i%100),
		MessageID: fmt.Sprintf("bench-%d-%04d-%s@%s", r, i, testenv.UniqueID()[:8], "example.test"),
	}
}

func BenchmarkOutboxSend(b *testing.B) {
	env := testenv.Mail(b)
	u := env.NewUser(b)
	sh, sp := testenv.HostPort(env.SMTPAddr)
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	smtpSrv := accounts.Server{Host: sh, Port: sp, Security: accounts.StartTLS, Username: u.Address}
	imapSrv := accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: u.Address}
	dialer := &connect.Dialer{RootCAs: env.RootCAs, Timeout: 10 * time.Second}

	rounds := benchRounds(b)
	// Warm-up, not counted.
	benchRaw(b, dialer, smtpSrv, u, -1, benchWarmUp)
	benchOutbox(b, dialer, smtpSrv, imapSrv, u, -1, benchWarmUp, outbox.CopyNever)
	var outboxRates, rawRates, ratios, outboxCPU, rawCPU []float64
	// perMsg runs f and returns its result and this process's CPU time per message (µs):
	// the machine is shared, and CPU time moves less with the load than the rates do.
	perMsg := func(f func() float64) (float64, float64) {
		c := cpuTime()
		v := f()
		return v, float64((cpuTime() - c).Microseconds()) / benchMessages
	}
	for r := range rounds {
		var o, raw, oc, rc float64
		sendRaw := func() float64 { return benchRaw(b, dialer, smtpSrv, u, r, benchMessages) }
		sendOutbox := func() float64 {
			return benchOutbox(b, dialer, smtpSrv, imapSrv, u, r, benchMessages, outbox.CopyNever)
		}
		if r%2 == 0 {
			raw, rc = perMsg(sendRaw)
			o, oc = perMsg(sendOutbox)
		} else {
			o, oc = perMsg(sendOutbox)
			raw, rc = perMsg(sendRaw)
		}
		outboxRates, rawRates, ratios = append(outboxRates, o), append(rawRates, raw), append(ratios, o/raw)
		outboxCPU, rawCPU = append(outboxCPU, oc), append(rawCPU, rc)
	}
	copyRate, copyCPU := perMsg(func() float64 {
		return benchOutbox(b, dialer, smtpSrv, imapSrv, u, rounds, benchMessages, outbox.CopyAlways)
	})
	o, raw, ratio := median(outboxRates), median(rawRates), median(ratios)
	b.ReportMetric(o, "outbox_msgs_per_s")
	b.ReportMetric(raw, "raw_msgs_per_s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(copyRate, "outbox_with_copies_msgs_per_s")
	b.ReportMetric(0, "ns/op")
	b.Logf("rounds: outbox %v, go-mail %v (msg/s), ratios %v; outbox with Sent copies %.0f msg/s",
		rounded(outboxRates), rounded(rawRates), twoPlaces(ratios), copyRate)
	// On a line of its own: the testing package has printed the benchmark's name without
	// a newline.
	fmt.Printf("\nsend-cpu: outbox_cpu_us_per_msg=%.0f raw_cpu_us_per_msg=%.0f with_copies_cpu_us_per_msg=%.0f\n",
		median(outboxCPU), median(rawCPU), copyCPU)
	fmt.Printf("\nsend: outbox_msgs_per_s=%.0f raw_msgs_per_s=%.0f ratio=%.2f with_copies_msgs_per_s=%.0f\n", o, raw, ratio, copyRate)
}

// benchRaw sends round r's n messages with go-mail over one connection and returns msg/s.
func benchRaw(b *testing.B, d *connect.Dialer, srv accounts.Server, u testenv.User, r, n int) float64 {
	msgs := make([]*gomail.Msg, n)
	for i := range msgs {
		c := benchCompose(u.Address, r, i)
		m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
		if err := m.FromFormat(c.From.Name, c.From.Email); err != nil {
			b.Fatal(err)
		}
		if err := m.AddToFormat(c.To[0].Name, c.To[0].Email); err != nil {
			b.Fatal(err)
		}
		m.Subject(c.Subject)
		m.SetMessageIDWithValue(c.MessageID)
		m.SetDate()
		m.SetUserAgent("Mailroom")
		m.SetBodyString(gomail.TypeTextPlain, c.Text)
		msgs[i] = m
	}
	start := time.Now()
	cl, err := d.SMTPLogin(ctx, srv, accounts.PasswordLogin(u.Password), nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := cl.Send(msgs...); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	cl.Close()
	return float64(n) / elapsed.Seconds()
}

// benchOutbox sends round r's n messages through a fresh outbox and returns msg/s, until
// the last is sent (and, with copies, filed in Sent).
func benchOutbox(b *testing.B, d *connect.Dialer, smtpSrv, imapSrv accounts.Server, u testenv.User, r, n int, copies outbox.CopyPolicy) float64 {
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "mailroom.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, 0, accounts.NewAccount{Email: u.Address, IMAP: imapSrv, SMTP: smtpSrv}, accounts.Secrets{Password: u.Password})
	if err != nil {
		b.Fatal(err)
	}
	envs := make([]outbox.Envelope, n)
	for i := range envs {
		if envs[i], err = outbox.Render(benchCompose(u.Address, r, i)); err != nil {
			b.Fatal(err)
		}
	}
	var sent atomic.Int64
	done := make(chan struct{})
	eng := outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: d, Emit: func(ev outbox.Event) {
		if ev.Kind == outbox.KindItem && ev.State == outbox.Sent && sent.Add(1) == int64(n) {
			close(done)
		}
	}}, outbox.Options{SentCopies: copies})
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer eng.Stop()
	start := time.Now()
	if _, err := eng.EnqueueAll(ctx, acc.ID, envs); err != nil {
		b.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		c, _ := eng.Counts(ctx, nil)
		b.Fatalf("not all sent after 2 minutes: %+v", c)
	}
	if copies == outbox.CopyAlways {
		for {
			var filed int
			if err := db.R.QueryRow(`SELECT count(*) FROM outbox WHERE copy_state = 'done'`).Scan(&filed); err != nil {
				b.Fatal(err)
			}
			if filed == n {
				break
			}
			if time.Since(start) > 3*time.Minute {
				b.Fatalf("%d of %d copies filed after 3 minutes", filed, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// cpuTime is the CPU time (user and system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	switch n := len(s); {
	case n == 0:
		return 0
	case n%2 == 0:
		return (s[n/2-1] + s[n/2]) / 2
	default:
		return s[n/2]
	}
}

func twoPlaces(v []float64) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return out
}

func rounded(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x + 0.5)
	}
	return out
}
