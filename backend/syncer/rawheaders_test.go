package syncer_test

import (
	"testing"
	"time"
)

// rawLatin1 is a message whose Subject and From name are raw ISO-8859-1 bytes, not encoded
// words, as about 1% of ordinary mail still is.
func rawLatin1(date time.Time) []byte {
	return []byte("From: \xc9lodie M\xfcller <elodie@example.test>\r\n" +
		"To: me@example.test\r\n" +
		"Subject: R\xe9union \xe0 Z\xfcrich\r\n" +
		"Date: " + date.Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <raw-8bit@example.test>\r\n" +
		"Content-Type: text/plain\r\n\r\n" +
		"Bonjour, la r\xe9union est confirm\xe9e.\r\n")
}

// Raw 8-bit headers are stored and indexed as the parser reads them (Windows-1252 where the
// bytes are not UTF-8), never with U+FFFD, whichever way the server's ENVELOPE carries them.
func TestRawEightBitHeadersAreStoredDecoded(t *testing.T) {
	t.Parallel()
	for name, start := range map[string]func(*testing.T) server{
		"dovecot": func(t *testing.T) server { s, _ := dovecot(t); return s },
		"memory":  memServer,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := start(t)
			c := srv.client(t)
			appendMessage(t, c, "INBOX", rawLatin1(time.Now().Add(-time.Hour)))
			r := newRig(t, srv)
			r.start()
			r.waitInStep(c, "INBOX", waitLong)
			var subject, fromName, addrName string
			r.scalar(&subject, `SELECT subject FROM messages`)
			r.scalar(&fromName, `SELECT from_name FROM messages`)
			r.scalar(&addrName, `SELECT name FROM message_addresses WHERE kind = 'from'`)
			if subject != "Réunion à Zürich" || fromName != "Élodie Müller" || addrName != "Élodie Müller" {
				t.Fatalf("stored subject %q, from %q, address name %q; want “Réunion à Zürich” from “Élodie Müller”", subject, fromName, addrName)
			}
			var hits int
			r.scalar(&hits, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'subject:zürich'`)
			if hits != 1 {
				t.Fatalf("a search for the decoded subject word found %d messages, want 1", hits)
			}
		})
	}
}
