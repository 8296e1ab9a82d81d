package bulk_test

// BenchmarkTemplatedSend: 1,000 mails rendered from 1,000 records through a template, the
// whole bulk path (plan, render, queue, send through the outbox to the project's
// Postfix), against go-mail sending the same mails, rendered beforehand, over one
// connection in the same run. Through the test environment (`make bench-send` runs it
// after the outbox's own benchmark):
//
//	MAILROOM_BENCH_ROUNDS=5 scripts/testenv/with-env.sh go test -tags webkit2_41,sqlite_fts5 \
//	    -run '^$' -bench BenchmarkTemplatedSend -benchtime 1x ./backend/bulk/
//
// As the outbox's benchmark: a warm-up, then rounds in alternate order, the medians of
// each side and of the rounds' ratios. The bulk side counts from Start (which plans the
// send: every record's address and a render of each, to find who cannot get it) to the
// last mail recorded as sent; go-mail's from the dial to the last answer. The recipients
// are in another domain, which Postfix accepts and discards. The last line:
// `templated: outbox_msgs_per_s=… raw_msgs_per_s=… ratio=… automation_eval_ms=…`, where
// automation_eval_ms is the automations' own benchmark's figure: NA here.

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"mailroom/backend/accounts"
	"mailroom/backend/bulk"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/templates"
)

const benchMails = 1000

func benchRounds(b *testing.B) int {
	n := 5
	if s := os.Getenv("MAILROOM_BENCH_ROUNDS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("MAILROOM_BENCH_ROUNDS=%q: want a number of rounds", s)
		}
		n = v
	}
	return max(n, b.N)
}

func BenchmarkTemplatedSend(b *testing.B) {
	env := testenv.Mail(b)
	sender := env.NewUser(b)
	f := newFixture(b)
	sh, sp := testenv.HostPort(env.SMTPAddr)
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	smtpSrv := accounts.Server{Host: sh, Port: sp, Security: accounts.StartTLS, Username: sender.Address}
	acc := f.account(b, sender.Address, sender.Password, smtpSrv,
		accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: sender.Address})
	m := mailSetup{env: env, f: f, acc: acc}
	m.dialer = setupDialer(env)
	for i := range benchMails {
		f.invoice(b, records.Values{"numero": fmt.Sprintf("F-%04d", i), "montant": float64(100+i) + 0.5,
			"email": fmt.Sprintf("client-%04d@example.org", i)})
	}
	if _, err := (bulk.New(bulk.Deps{DB: f.db, Records: f.r, Templates: f.tpl, Accounts: f.reg}, bulk.Options{})).
		SetLimit(ctx, acc.ID, 100000); err != nil {
		b.Fatal(err)
	}
	// The pre-rendered mails go-mail sends: the same template, the same records.
	raw := prerender(b, f, acc)

	rounds := benchRounds(b)
	benchRawSend(b, m, smtpSrv, sender.Password, raw[:200])
	benchBulk(b, m)
	var outs, raws, ratios, outCPU, rawCPU []float64
	// perMsg runs f and returns its result and this process's CPU time per mail (µs): the
	// machine is shared, and CPU time moves less with the load than the rates do.
	perMsg := func(f func() float64) (float64, float64) {
		c := cpuTime()
		v := f()
		return v, float64((cpuTime() - c).Microseconds()) / benchMails
	}
	sendRaw := func() float64 { return benchRawSend(b, m, smtpSrv, sender.Password, raw) }
	sendBulk := func() float64 { return benchBulk(b, m) }
	for r := range rounds {
		var o, w, oc, wc float64
		if r%2 == 0 {
			w, wc = perMsg(sendRaw)
			o, oc = perMsg(sendBulk)
		} else {
			o, oc = perMsg(sendBulk)
			w, wc = perMsg(sendRaw)
		}
		outs, raws, ratios = append(outs, o), append(raws, w), append(ratios, o/w)
		outCPU, rawCPU = append(outCPU, oc), append(rawCPU, wc)
	}
	o, w, ratio := median(outs), median(raws), median(ratios)
	b.ReportMetric(o, "outbox_msgs_per_s")
	b.ReportMetric(w, "raw_msgs_per_s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(0, "ns/op")
	b.Logf("rounds: bulk %v msg/s, go-mail %v msg/s, ratios %v", outs, raws, ratios)
	fmt.Printf("\ntemplated-cpu: outbox_cpu_us_per_msg=%.0f raw_cpu_us_per_msg=%.0f\n", median(outCPU), median(rawCPU))
	fmt.Printf("\ntemplated: outbox_msgs_per_s=%.0f raw_msgs_per_s=%.0f ratio=%.2f automation_eval_ms=NA\n", o, w, ratio)
}

// prerender renders every record's mail through the template, as go-mail messages.
func prerender(b *testing.B, f *fixture, acc accounts.Account) []*gomail.Msg {
	page, err := f.r.List(ctx, records.Query{TypeID: f.factures.ID, Limit: 500})
	if err != nil {
		b.Fatal(err)
	}
	recs := page.Records
	for page.Next != "" {
		if page, err = f.r.List(ctx, records.Query{TypeID: f.factures.ID, Limit: 500, Cursor: page.Next}); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, page.Records...)
	}
	out := make([]*gomail.Msg, 0, len(recs))
	for i, r := range recs {
		rd, err := f.tpl.Render(ctx, f.template, templates.Target{RecordID: r.ID})
		if err != nil {
			b.Fatal(err)
		}
		m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
		if err := m.From(acc.Email); err != nil {
			b.Fatal(err)
		}
		if err := m.To(r.Values["email"].(string)); err != nil {
			b.Fatal(err)
		}
		m.Subject(rd.Subject)
		m.SetMessageIDWithValue(fmt.Sprintf("raw-%d-%s@example.test", i, testenv.UniqueID()[:8]))
		m.SetDate()
		m.SetUserAgent("Mailroom")
		m.SetGenHeader(gomail.Header("List-Unsubscribe"), "<mailto:"+acc.Email+"?subject=unsubscribe>")
		m.SetBodyString(gomail.TypeTextPlain, rd.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, rd.HTML)
		out = append(out, m)
	}
	return out
}

func benchRawSend(b *testing.B, m mailSetup, srv accounts.Server, password string, msgs []*gomail.Msg) float64 {
	for _, msg := range msgs {
		msg.SetMessageIDWithValue(fmt.Sprintf("raw-%s@example.test", testenv.UniqueID()))
	}
	start := time.Now()
	cl, err := m.dialer.SMTPLogin(ctx, srv, accounts.PasswordLogin(password), nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := cl.Send(msgs...); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	cl.Close()
	return float64(len(msgs)) / elapsed.Seconds()
}

// benchBulk runs one bulk send of every record through a fresh outbox and bulk engine on
// the fixture's store, and returns msg/s until the last is sent.
func benchBulk(b *testing.B, m mailSetup) float64 {
	var sent atomic.Int64
	done := make(chan struct{})
	ob := outbox.New(outbox.Deps{DB: m.f.db, Accounts: m.f.reg, Dialer: m.dialer, Emit: func(ev outbox.Event) {
		if ev.Kind == outbox.KindItem && ev.State == outbox.Sent && sent.Add(1) == benchMails {
			close(done)
		}
	}}, outbox.Options{SentCopies: outbox.CopyNever})
	if err := ob.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer ob.Stop()
	bk := bulk.New(bulk.Deps{DB: m.f.db, Records: m.f.r, Templates: m.f.tpl, Accounts: m.f.reg, Outbox: ob},
		bulk.Options{Tick: time.Second})
	if err := bk.Run(ctx); err != nil {
		b.Fatal(err)
	}
	defer bk.Stop()
	start := time.Now()
	id, err := bk.Start(ctx, m.f.user, bulk.Input{AccountID: m.acc.ID, TemplateID: m.f.template, List: records.Query{TypeID: m.f.factures.ID}})
	if err != nil {
		b.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		p, _ := bk.Progress(ctx, id)
		b.Fatalf("not all sent after 3 minutes: %+v", p)
	}
	return float64(benchMails) / time.Since(start).Seconds()
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
