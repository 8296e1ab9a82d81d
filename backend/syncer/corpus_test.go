package syncer_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailroom/backend/internal/testkit/testenv"
)

// corpusMessage returns message i of a deterministic corpus: 2–12 KB, 60% text/plain,
// 20% multipart/alternative, 20% multipart/mixed with an attachment, encoded subjects
// now and then. Its body holds the word "marker<i>" (for search tests).
func corpusMessage(i int, date time.Time) []byte {
	rnd := rand.New(rand.NewPCG(uint64(i), 42))
	var b bytes.Buffer
	subject := fmt.Sprintf("Corpus message %04d", i)
	if i%7 == 3 {
		subject = fmt.Sprintf("=?UTF-8?Q?R=C3=A9union_n=C2=B0%d?=", i) // "Réunion n°i"
	}
	fmt.Fprintf(&b, "From: Sender %d <sender%d@domain%d.example>\n", i%40, i%40, i%9)
	fmt.Fprintf(&b, "To: <me@example.test>\nSubject: %s\nDate: %s\n", subject, date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <corpus.%d@example.org>\nMIME-Version: 1.0\n", i)
	para := func() string {
		var p strings.Builder
		for range 20 + rnd.IntN(80) {
			p.WriteString([]string{"invoice", "meeting", "the", "shipment", "tomorrow", "please", "confirm", "order"}[rnd.IntN(8)])
			p.WriteByte(' ')
		}
		return p.String()
	}
	text := fmt.Sprintf("Hello,\n\nmarker%d %s\n\n%s\n\nRegards,\nSender\n", i, para(), para())
	switch i % 5 {
	case 0:
		att := make([]byte, 1500+rnd.IntN(3000))
		for j := range att {
			att[j] = byte(rnd.IntN(256))
		}
		enc := base64.StdEncoding.EncodeToString(att)
		var lines strings.Builder
		for len(enc) > 76 {
			lines.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		lines.WriteString(enc + "\n")
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n"+
			"--b%d\nContent-Type: application/pdf; name=\"report-%d.pdf\"\nContent-Disposition: attachment; filename=\"report-%d.pdf\"\n"+
			"Content-Transfer-Encoding: base64\n\n%s--b%d--\n", i, i, text, i, i, i, lines.String(), i)
	case 1:
		fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"a%d\"\n\n--a%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n"+
			"--a%d\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>%s</p></body></html>\n--a%d--\n",
			i, i, text, i, strings.ReplaceAll(text, "\n", "<br>"), i)
	default:
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\n\n%s", text)
	}
	return b.Bytes()
}

// maildirDeliver writes messages straight into a user's INBOX (Maildir/cur), the fast
// way to fill a mailbox; the user must have logged in once (Dovecot made the Maildir).
// Dovecot gives them UIDs in file-name order, which is the order of msgs. flags are
// Maildir flags per message ("S" seen, "F" flagged), or nil. seq numbers the first
// message's file (files sort by date, then seq).
func maildirDeliver(t testing.TB, env *testenv.Env, user string, msgs [][]byte, dates []time.Time, flags []string, seq int) {
	t.Helper()
	if env.MailDir == "" {
		t.Fatal("the test environment gives no mail directory")
	}
	cur := filepath.Join(env.MailDir, user, "Maildir", "cur")
	if _, err := os.Stat(cur); err != nil {
		t.Fatalf("maildir: %v (log in once first)", err)
	}
	for i, m := range msgs {
		m = bytes.ReplaceAll(m, []byte("\r\n"), []byte("\n"))
		fl := ""
		if flags != nil {
			fl = flags[i]
		}
		name := fmt.Sprintf("%d.M%06dP%d.mailroomtest,S=%d,W=%d:2,%s", dates[i].Unix(), seq+i, os.Getpid(),
			len(m), len(m)+bytes.Count(m, []byte("\n")), fl)
		tmp := filepath.Join(env.MailDir, user, "Maildir", "tmp", name)
		if err := os.WriteFile(tmp, m, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(tmp, env.MailUID, env.MailGID); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(tmp, dates[i], dates[i]); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(cur, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// fillInbox writes n corpus messages into the user's INBOX, oldest first; every third is
// seen, every eleventh flagged.
func fillInbox(t testing.TB, env *testenv.Env, user string, n int) {
	t.Helper()
	base := time.Now().Add(-time.Duration(n) * time.Hour)
	msgs := make([][]byte, n)
	dates := make([]time.Time, n)
	flags := make([]string, n)
	for i := range n {
		dates[i] = base.Add(time.Duration(i) * time.Hour)
		msgs[i] = corpusMessage(i, dates[i])
		if i%11 == 0 {
			flags[i] += "F"
		}
		if i%3 == 0 {
			flags[i] += "S"
		}
	}
	maildirDeliver(t, env, user, msgs, dates, flags, 0)
}
