package syncer_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The sync benchmark's second corpus: ordinary business mail, the same bytes on every run.
// Where the first corpus (bench_corpus_test.go) is heavy with attachments, this one is what
// most mailboxes hold — small messages, so the cost per message, not per byte, decides:
//
//	95%  under 8 KB: plain text (60%) or text + HTML (35%)
//	 5%  multipart/mixed with one attachment of 10–150 KB
//
// in UTF-8 (60%), ISO-8859-1 (15%), windows-1252 (15%), ISO-2022-JP (5%) and GB2312 (5%);
// long threads (a third of the messages answer one of a dozen running threads, with
// References chains), 1% with a raw 8-bit Latin-1 subject and sender name (no encoded
// words), and 0.5% with a broken multipart boundary.

// ordinaryCharset is a charset of the corpus with words of its language.
type ordinaryCharset struct {
	name  string
	enc   encoding.Encoding // nil: UTF-8
	words []string
	join  string // between words
}

var ordinaryCharsets = []ordinaryCharset{
	{"utf-8", nil, strings.Fields(`bonjour merci pour votre retour je vous confirme la livraison de la commande
		prévue mardi le devis ci-dessous reste valable trente jours n'hésitez pas à me rappeler réunion
		échéance facture acompte chantier rendez-vous équipe planning prochaine étape`), " "},
	{"iso-8859-1", charmap.ISO8859_1, strings.Fields(`bonjour veuillez trouver le récapitulatif de la réunion
		à Zürich les éléments du dossier sont prêts première échéance reçue garçon façade`), " "},
	{"windows-1252", charmap.Windows1252, strings.Fields(`l’entreprise « Martin & fils » confirme l’intervention
		œuvre coût estimé 1 200 € — merci de valider l’acompte … cordialement`), " "},
	{"iso-2022-jp", japanese.ISO2022JP, strings.Fields(`お世話になっております 見積書 請求書 納品 確認 よろしくお願いします 会議 来週 担当`), ""},
	// GB2312's bytes are GBK's for the characters it has; x/text names the encoder GBK.
	{"gb2312", simplifiedchinese.GBK, strings.Fields(`您好 发票 报价 订单 确认 会议 下周 合同 付款 谢谢`), ""},
}

// ordinaryMessage returns message i of the ordinary corpus, dated date.
func ordinaryMessage(i int, date time.Time) []byte {
	rnd := rand.New(rand.NewPCG(uint64(i), 11))
	var b bytes.Buffer
	cs := ordinaryCharsets[0]
	switch k := i % 20; {
	case k < 12:
	case k < 15:
		cs = ordinaryCharsets[1]
	case k < 18:
		cs = ordinaryCharsets[2]
	case k < 19:
		cs = ordinaryCharsets[3]
	default:
		cs = ordinaryCharsets[4]
	}
	encode := func(s string) []byte {
		if cs.enc == nil {
			return []byte(s)
		}
		out, err := cs.enc.NewEncoder().Bytes([]byte(s))
		if err != nil { // a character the charset lacks: the benchmark's words never have one
			panic(fmt.Sprintf("corpus word not in %s: %v", cs.name, err))
		}
		return out
	}
	person := rnd.IntN(len(benchNames) * len(benchDomains))
	name := benchNames[person%len(benchNames)]
	domain := benchDomains[person/len(benchNames)]
	email := fmt.Sprintf("contact%d@%s", person%len(benchNames), domain)
	para := func(words int) string {
		var p strings.Builder
		for w := range words {
			if w > 0 {
				p.WriteString(cs.join)
			}
			p.WriteString(cs.words[rnd.IntN(len(cs.words))])
		}
		return p.String()
	}
	subject := fmt.Sprintf("%s %s n°%d", capitalise(para(1)), para(2), i)
	if i%3 == 1 && i > 30 { // one of a dozen long-running threads
		thread := i % 12
		subject = fmt.Sprintf("Re: Dossier %d — suivi", thread)
		var refs []string
		for j := i - 36; j < i; j += 12 { // the thread's previous messages
			if j > 0 && j%3 == 1 {
				refs = append(refs, fmt.Sprintf("<ord.%d@%s>", j, domain))
			}
		}
		if len(refs) > 0 {
			fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", refs[len(refs)-1], strings.Join(refs, " "))
		}
	}
	if i%100 == 37 { // raw 8-bit Latin-1 headers, no encoded words
		fmt.Fprintf(&b, "From: %s <%s>\r\nSubject: ", latin1("Élodie Müller"), email)
		b.Write(latin1(fmt.Sprintf("Réunion à Zürich n°%d", i)))
		b.WriteString("\r\n")
	} else {
		enc := mime.QEncoding
		if cs.enc != nil && cs.name != "iso-8859-1" && cs.name != "windows-1252" {
			enc = mime.BEncoding
		}
		fmt.Fprintf(&b, "From: %s <%s>\r\nSubject: %s\r\n", mime.QEncoding.Encode("utf-8", name), email, enc.Encode("utf-8", subject))
	}
	fmt.Fprintf(&b, "To: Camille Martin <camille@atelier-martin.fr>\r\nDate: %s\r\nMessage-ID: <ord.%d@%s>\r\nMIME-Version: 1.0\r\n",
		date.Format(time.RFC1123Z), i, domain)

	text := func(min, max int) []byte {
		size := min + rnd.IntN(max-min)
		var t bytes.Buffer
		fmt.Fprintf(&t, "marker%d\r\n\r\n", i)
		for t.Len() < size {
			t.Write(encode(para(8 + rnd.IntN(20))))
			t.WriteString(".\r\n")
		}
		t.WriteString("-- \r\n" + email + "\r\n") // names have letters the Asian charsets lack
		return t.Bytes()
	}
	qp := func(p []byte) []byte {
		var out bytes.Buffer
		w := quotedprintable.NewWriter(&out)
		_, _ = w.Write(p) // into a bytes.Buffer: cannot fail
		w.Close()
		return out.Bytes()
	}
	ctype := func(sub string) string {
		return fmt.Sprintf("Content-Type: text/%s; charset=%s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", sub, cs.name)
	}
	if cs.enc == japanese.ISO2022JP { // a 7-bit charset: sent as it is, as Japanese mailers do
		ctype = func(sub string) string {
			return fmt.Sprintf("Content-Type: text/%s; charset=%s\r\nContent-Transfer-Encoding: 7bit\r\n\r\n", sub, cs.name)
		}
		qp = func(p []byte) []byte { return p }
	}
	if cs.name == "gb2312" { // Chinese mailers send base64, which quoted-printable would triple
		ctype = func(sub string) string {
			return fmt.Sprintf("Content-Type: text/%s; charset=%s\r\nContent-Transfer-Encoding: base64\r\n\r\n", sub, cs.name)
		}
		qp = func(p []byte) []byte {
			var out bytes.Buffer
			writeBase64Lines(&out, p)
			return out.Bytes()
		}
	}
	bd := fmt.Sprintf("ord-%d", i)
	switch kind := i % 100; {
	case kind < 5: // text and one attachment
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n%s", bd, bd, ctype("plain"))
		b.Write(qp(text(300, 3_000)))
		size := 10_000 + rnd.IntN(140_000)
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(rnd.Uint32())
		}
		fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: application/pdf; name=\"devis-%d.pdf\"\r\n"+
			"Content-Disposition: attachment; filename=\"devis-%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd, i, i)
		writeBase64Lines(&b, data)
		fmt.Fprintf(&b, "--%s--\r\n", bd)
	case kind < 40: // text + HTML
		fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n%s", bd, bd, ctype("plain"))
		body := text(300, 2_000)
		b.Write(qp(body))
		if i%200 == 110 { // a broken boundary: the next delimiter matches nothing
			bd += "-not-the-same"
		}
		fmt.Fprintf(&b, "\r\n--%s\r\n%s", bd, ctype("html"))
		var h bytes.Buffer
		h.WriteString(`<html><body><div style="font-family:Arial">`)
		for _, line := range bytes.Split(body, []byte("\r\n")) {
			h.WriteString("<p>")
			h.Write(line)
			h.WriteString("</p>")
		}
		h.WriteString(`</div></body></html>`)
		b.Write(qp(h.Bytes()))
		fmt.Fprintf(&b, "\r\n--%s--\r\n", bd)
	default: // plain text
		b.WriteString(ctype("plain"))
		b.Write(qp(text(400, 4_500)))
	}
	return b.Bytes()
}

// latin1 returns s in ISO-8859-1 bytes.
func latin1(s string) []byte {
	out, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return out
}
