package syncer_test

import (
	"bytes"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailroom/backend/message"
)

// countingConn counts the bytes the engine reads from the server.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// largeShapes are large messages of shapes the benchmark corpus lacks: nested
// multiparts, a forwarded message, a message that is one attachment, a large text.
func largeShapes() [][]byte {
	blob := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n")
		}
		return b.String()
	}
	return [][]byte{
		[]byte("From: A <a@example.org>\r\nSubject: nested\r\nMessage-ID: <nested@x>\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=outer\r\n\r\npreamble\r\n--outer\r\n" +
			"Content-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/plain; charset=iso-8859-1\r\n" +
			"Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 cr=E8me, voir la pi=E8ce jointe.\r\n--inner\r\n" +
			"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Café crème</p>\r\n--inner--\r\n" +
			"--outer\r\nContent-Type: application/pdf; name=\"plan.pdf\"\r\nContent-Disposition: attachment; filename=\"plan.pdf\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + blob(200_000) +
			"--outer\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n" +
			"From: b@example.org\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("forwarded line\r\n", 4000) +
			"--outer\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\n" +
			strings.Repeat("a note\r\n", 9000) + "--outer--\r\nepilogue\r\n"),
		[]byte("From: A <a@example.org>\r\nSubject: only a file\r\nMIME-Version: 1.0\r\nContent-Type: application/zip; name=\"a.zip\"\r\n" +
			"Content-Disposition: attachment; filename=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + blob(150_000)),
		[]byte("From: A <a@example.org>\r\nSubject: long text\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			strings.Repeat("une très longue lettre\r\n", 8000)),
		[]byte("From: A <a@example.org>\r\nSubject: inline image\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/related; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>logo <img src=\"cid:l@x\"></p>\r\n" +
			"--r\r\nContent-Type: image/png\r\nContent-ID: <l@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + blob(120_000) + "--r--\r\n"),
	}
}

// A large message is stored from its text parts and its structure, without its
// attachments' bytes, and reads exactly as the whole message would.
func TestLargeMessagesAreStoredWithoutTheirAttachmentsBytes(t *testing.T) {
	t.Parallel()
	srv, env := dovecot(t)
	var msgs [][]byte
	var names []string
	for i := range 150 {
		if k := i % 50; k >= 36 || i%17 == 0 { // every shape with attachments, and some text
			msgs, names = append(msgs, benchMessage(i, time.Now())), append(names, fmt.Sprintf("bench %d", i))
		}
	}
	for i, m := range largeShapes() {
		msgs, names = append(msgs, m), append(names, fmt.Sprintf("shape %d", i))
	}
	var total int64
	dates := make([]time.Time, len(msgs))
	for i := range msgs {
		dates[i] = time.Now().Add(time.Duration(i-len(msgs)) * time.Minute)
		msgs[i] = bytes.ReplaceAll(msgs[i], []byte("\r\n"), []byte("\n"))
		total += int64(len(msgs[i]))
	}
	maildirDeliver(t, env, srv.user, msgs, dates, nil, 0)

	var read atomic.Int64
	c := srv.client(t)
	r := newRig(t, srv, withWrap(func(conn net.Conn) net.Conn { return countingConn{conn, &read} }))
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	eventually(t, waitLong, "every body stored", func() bool {
		n, pending := r.bodiesState()
		return n == len(msgs) && pending == 0
	})
	if got := read.Load(); got > total/3 {
		t.Errorf("read %d bytes from the server for %d bytes of mail: attachments were fetched", got, total)
	} else {
		t.Logf("read %d bytes from the server for %d bytes of mail (%.0f%%)", got, total, 100*float64(got)/float64(total))
	}

	for i, raw := range msgs {
		// As the server sends it (CRLF), which is what a whole fetch would parse.
		want, err := message.Parse(bytes.NewReader(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))), message.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		var text, html, problems string
		var id int64
		if err := r.db.R.QueryRow(`SELECT m.id, b.text, b.html, m.problems FROM messages m JOIN message_bodies b ON b.message_id = m.id
			WHERE m.uid = ?`, i+1).Scan(&id, &text, &html, &problems); err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		if text != want.Text || html != want.HTML {
			t.Errorf("%s: stored text/html differ from the whole message's:\n%.200q\n%.200q\nwant\n%.200q\n%.200q",
				names[i], text, html, want.Text, want.HTML)
		}
		rows, err := r.db.R.Query(`SELECT part_path, filename, content_type, size, content_id, inline FROM attachments
			WHERE message_id = ? ORDER BY part_path`, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []message.Attachment
		for rows.Next() {
			var a message.Attachment
			if err := rows.Scan(&a.PartPath, &a.Filename, &a.ContentType, &a.Size, &a.ContentID, &a.Inline); err != nil {
				t.Fatal(err)
			}
			got = append(got, a)
		}
		rows.Close()
		if len(got) != len(want.Attachments) {
			t.Errorf("%s: %d attachments stored, want %d: %+v", names[i], len(got), len(want.Attachments), got)
			continue
		}
		slices.SortFunc(want.Attachments, func(a, b message.Attachment) int { return strings.Compare(a.PartPath, b.PartPath) })
		for j, w := range want.Attachments {
			g := got[j]
			sizeOK := g.Size >= w.Size*98/100-4 && g.Size <= w.Size*102/100+4 // estimated from the structure
			if g.PartPath != w.PartPath || g.Filename != w.Filename || g.ContentType != w.ContentType ||
				g.ContentID != w.ContentID || g.Inline != w.Inline || !sizeOK {
				t.Errorf("%s: attachment %+v, want %+v", names[i], g, w)
			}
		}
	}
}
