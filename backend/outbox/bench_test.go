package outbox_test

// BenchmarkOutboxSend: 1,000 distinct personalised messages through the outbox to the
// project's Postfix, against go-mail sending the same messages over one connection, in the
// same run, alternately. Through the test environment:
//
//	scripts/testenv/with-env.sh go test -tags webkit2_41,sqlite_fts5 -run '^$' \
//	    -bench BenchmarkOutboxSend -benchtime 3x ./backend/outbox/
//
// The last line printed is `send: outbox_msgs_per_s=… raw_msgs_per_s=… ratio=…` (medians
// over the rounds). The outbox's figure counts from the start of EnqueueAll (a durable
// commit of the whole bulk) to the last message recorded as sent; go-mail's from the dial
// to the last answer. Sent copies are off for the ratio — they go to IMAP, not to the SMTP
// server, on a connection of their own — and measured apart: outbox_with_copies_msgs_per_s
// is the same bulk with a copy of each filed in Dovecot's Sent folder (until the last copy).
// The recipients are in another domain, which Postfix accepts and discards: what is
// measured is submission, not local delivery.

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/outbox"
	"mailroom/backend/store"
	"mailroom/backend/testenv"
	"mailroom/backend/vault"
)

const benchMessages = 1000

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

	var outboxRates, rawRates, copyRates []float64
	for r := 0; r < b.N; r++ {
		rawRates = append(rawRates, benchRaw(b, dialer, smtpSrv, u, r))
		outboxRates = append(outboxRates, benchOutbox(b, dialer, smtpSrv, imapSrv, u, r, outbox.CopyNever))
	}
	copyRates = append(copyRates, benchOutbox(b, dialer, smtpSrv, imapSrv, u, b.N, outbox.CopyAlways))
	o, raw := median(outboxRates), median(rawRates)
	b.ReportMetric(o, "outbox_msgs_per_s")
	b.ReportMetric(raw, "raw_msgs_per_s")
	b.ReportMetric(o/raw, "ratio")
	b.ReportMetric(median(copyRates), "outbox_with_copies_msgs_per_s")
	b.ReportMetric(0, "ns/op")
	b.Logf("rounds: outbox %v, go-mail %v, outbox with Sent copies %v (msg/s)", rounded(outboxRates), rounded(rawRates), rounded(copyRates))
	fmt.Printf("send: outbox_msgs_per_s=%.0f raw_msgs_per_s=%.0f ratio=%.2f\n", o, raw, o/raw)
}

// benchRaw sends round r's messages with go-mail over one connection and returns msg/s.
func benchRaw(b *testing.B, d *connect.Dialer, srv accounts.Server, u testenv.User, r int) float64 {
	msgs := make([]*gomail.Msg, benchMessages)
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
	return benchMessages / elapsed.Seconds()
}

// benchOutbox sends round r's messages through a fresh outbox and returns msg/s, until the
// last is sent (and, with copies, filed in Sent).
func benchOutbox(b *testing.B, d *connect.Dialer, smtpSrv, imapSrv accounts.Server, u testenv.User, r int, copies outbox.CopyPolicy) float64 {
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "mailroom.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.Create(ctx, 0, accounts.NewAccount{Email: u.Address, IMAP: imapSrv, SMTP: smtpSrv}, u.Password)
	if err != nil {
		b.Fatal(err)
	}
	envs := make([]outbox.Envelope, benchMessages)
	for i := range envs {
		if envs[i], err = outbox.Render(benchCompose(u.Address, r, i)); err != nil {
			b.Fatal(err)
		}
	}
	var sent atomic.Int64
	done := make(chan struct{})
	eng := outbox.New(outbox.Deps{DB: db, Accounts: reg, Dialer: d, Emit: func(ev outbox.Event) {
		if ev.Kind == outbox.KindItem && ev.State == outbox.Sent && sent.Add(1) == benchMessages {
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
			if filed == benchMessages {
				break
			}
			if time.Since(start) > 3*time.Minute {
				b.Fatalf("%d of %d copies filed after 3 minutes", filed, benchMessages)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return benchMessages / time.Since(start).Seconds()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func rounded(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x + 0.5)
	}
	return out
}
