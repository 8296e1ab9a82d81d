package syncer_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"mailroom/backend/internal/testkit/testenv"
)

// The sync benchmark's corpus: 10,000 messages shaped like a small office's mailbox, the
// same bytes on every run (each message comes from its own seeded generator). Sizes follow
// what mailbox statistics report — most mail is a few kilobytes of text, a tail carries
// attachments — for a mean of about 60 KB (600 MB in all):
//
//	56%  text/plain, 1–12 KB
//	16%  multipart/alternative (text + an HTML newsletter-like body, 8–60 KB)
//	 4%  multipart/related (HTML with an inline logo, 5–30 KB)
//	12%  multipart/mixed with one document attachment, 20–200 KB
//	10%  multipart/mixed with two attachments (a photo and a spreadsheet), 10–80 KB each
//	 2%  multipart/mixed with one large attachment, 0.3–1 MB
//
// (attachment sizes before base64, which adds a third).
// A quarter of the messages answer an earlier one (Re: subject, In-Reply-To, References);
// names and subjects are MIME-encoded words (Q and B) when they carry accents.
const benchCorpusSize = 10_000

var benchWords = strings.Fields(`invoice meeting the shipment tomorrow please confirm order devis facture
	livraison réunion demain merci de bien vouloir confirmer commande rendez-vous planning chantier
	budget contract signature payment reminder relance paiement échéance quote estimate delivery`)

var benchNames = []string{"Sophie Lefèvre", "Marc Dubois", "Élodie Garnier", "Thomas Petit", "Anaïs Roux",
	"John Carter", "Nadia Benali", "François Moreau", "Julie Fontaine", "Karim Haddad"}

var benchDomains = []string{"atelier-martin.fr", "cabinet-roux.fr", "example.com", "fournisseur.example",
	"client-nord.fr", "banque.example", "comptable.example", "mairie.example"}

// benchMessage returns message i of the benchmark corpus, dated date.
func benchMessage(i int, date time.Time) []byte {
	rnd := rand.New(rand.NewPCG(uint64(i), 7))
	var b bytes.Buffer
	person := rnd.IntN(len(benchNames) * len(benchDomains)) // a few dozen correspondents
	name := benchNames[person%len(benchNames)]
	domain := benchDomains[person/len(benchNames)]
	email := strings.ToLower(strings.Fields(strings.NewReplacer("é", "e", "è", "e", "ï", "i", "ç", "c", "É", "E").Replace(name))[0]) + "@" + domain
	enc := mime.QEncoding
	if i%2 == 0 {
		enc = mime.BEncoding
	}
	subject := fmt.Sprintf("%s %s n°%d", capitalise(benchWords[rnd.IntN(len(benchWords))]), benchWords[rnd.IntN(len(benchWords))], i)
	if i%4 == 1 && i > 10 { // a reply in a thread
		parent := rnd.IntN(i)
		subject = fmt.Sprintf("Re: %s %s n°%d", capitalise(benchWords[parent%len(benchWords)]), benchWords[(parent/7)%len(benchWords)], parent)
		fmt.Fprintf(&b, "In-Reply-To: <bench.%d@%s>\r\nReferences: <bench.%d@%s>\r\n", parent, domain, parent, domain)
	}
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: Camille Martin <camille@atelier-martin.fr>\r\n", enc.Encode("utf-8", name), email)
	if i%6 == 0 {
		fmt.Fprintf(&b, "Cc: %s <compta@%s>\r\n", enc.Encode("utf-8", "Comptabilité"), domain)
	}
	fmt.Fprintf(&b, "Subject: %s\r\nDate: %s\r\nMessage-ID: <bench.%d@%s>\r\nMIME-Version: 1.0\r\n",
		enc.Encode("utf-8", subject), date.Format(time.RFC1123Z), i, domain)

	para := func(words int) string {
		var p strings.Builder
		for w := range words {
			if w > 0 {
				p.WriteByte(' ')
			}
			p.WriteString(benchWords[rnd.IntN(len(benchWords))])
		}
		return p.String()
	}
	text := func(min, max int) string { // min..max bytes of paragraphs
		size := min + rnd.IntN(max-min)
		var t strings.Builder
		fmt.Fprintf(&t, "Bonjour,\r\n\r\nmarker%d ", i)
		for t.Len() < size {
			t.WriteString(para(40 + rnd.IntN(60)))
			t.WriteString(".\r\n\r\n")
		}
		t.WriteString("Cordialement,\r\n" + name + "\r\n")
		return t.String()
	}
	html := func(min, max int) string {
		size := min + rnd.IntN(max-min)
		var h strings.Builder
		h.WriteString(`<html><head><style>td{font-family:Arial;padding:4px}</style></head><body><table width="600">`)
		for h.Len() < size {
			fmt.Fprintf(&h, `<tr><td style="color:#333"><p>%s</p><a href="https://%s/p/%d">%s</a></td></tr>`,
				para(30+rnd.IntN(50)), domain, rnd.IntN(1e6), para(3))
		}
		h.WriteString(`</table></body></html>`)
		return h.String()
	}
	attachment := func(boundary, ctype, filename string, size int) {
		data := make([]byte, size)
		for j := 0; j < size; j += 8 {
			v := rnd.Uint64()
			for k := 0; k < 8 && j+k < size; k++ {
				data[j+k] = byte(v >> (8 * k))
			}
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", boundary, ctype, filename, filename)
		writeBase64Lines(&b, data)
	}
	qp := func(s string) string { // the HTML goes quoted-printable, as most senders do
		var out bytes.Buffer
		w := quotedprintable.NewWriter(&out)
		_, _ = w.Write([]byte(s)) // into a bytes.Buffer: cannot fail
		w.Close()
		return out.String()
	}

	switch k := i % 50; {
	case k < 28: // 56% plain text
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s", text(1_000, 12_000))
	case k < 36: // 16% text + HTML
		bd := fmt.Sprintf("alt-%d", i)
		fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"+
			"Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n--%s\r\nContent-Type: text/html; charset=utf-8\r\n"+
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n--%s--\r\n",
			bd, bd, text(1_000, 4_000), bd, qp(html(8_000, 60_000)), bd)
	case k < 38: // 4% HTML with an inline logo
		bd := fmt.Sprintf("rel-%d", i)
		fmt.Fprintf(&b, "Content-Type: multipart/related; boundary=\"%s\"\r\n\r\n--%s\r\nContent-Type: text/html; charset=utf-8\r\n"+
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n", bd, bd, qp(html(2_000, 10_000)+`<img src="cid:logo@bench">`))
		logo := make([]byte, 3_000+rnd.IntN(17_000))
		for j := range logo {
			logo[j] = byte(rnd.Uint32())
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: image/png\r\nContent-ID: <logo@bench>\r\nContent-Disposition: inline\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", bd)
		writeBase64Lines(&b, logo)
		fmt.Fprintf(&b, "--%s--\r\n", bd)
	default: // 22% with attachments
		bd := fmt.Sprintf("mix-%d", i)
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"+
			"Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", bd, bd, text(500, 3_000))
		switch {
		case k < 44: // 12%
			attachment(bd, "application/pdf", fmt.Sprintf("facture-%d.pdf", i), 20_000+rnd.IntN(180_000))
		case k < 49: // 10%
			attachment(bd, "image/jpeg", fmt.Sprintf("photo-%d.jpg", i), 10_000+rnd.IntN(70_000))
			attachment(bd, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fmt.Sprintf("tableau-%d.xlsx", i), 10_000+rnd.IntN(70_000))
		default: // 2%
			attachment(bd, "application/zip", fmt.Sprintf("plans-%d.zip", i), 300_000+rnd.IntN(700_000))
		}
		fmt.Fprintf(&b, "--%s--\r\n", bd)
	}
	return b.Bytes()
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func writeBase64Lines(b *bytes.Buffer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
}

// fillBenchInbox writes n messages of a benchmark corpus into the user's INBOX (oldest
// first, a third seen, every eleventh flagged), one message at a time so the test process
// never holds the corpus, and returns its total size in bytes.
func fillBenchInbox(t testing.TB, env *testenv.Env, user string, n int, gen func(int, time.Time) []byte) int64 {
	t.Helper()
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	var total int64
	for i := range n {
		date := base.Add(time.Duration(i) * 53 * time.Minute)
		flags := ""
		if i%11 == 0 {
			flags += "F"
		}
		if i%3 == 0 {
			flags += "S"
		}
		msg := gen(i, date)
		total += int64(len(msg))
		maildirDeliver(t, env, user, [][]byte{msg}, []time.Time{date}, []string{flags}, i)
	}
	return total
}
