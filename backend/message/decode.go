package message

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
)

// sizeLimiter reads at most left bytes from r. Reading past the limit
// returns io.EOF and sets hit; a read error other than io.EOF is kept in err
// so Parse can tell a broken reader from a short message.
type sizeLimiter struct {
	r    io.Reader
	left int64
	n    int64
	hit  bool
	err  error
}

func (l *sizeLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.left <= 0 {
		l.hit = true
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.n += int64(n)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

// crToLF turns every CR into LF, for messages whose lines end in a bare CR.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// decodeFlags records what a transfer decoder had to repair.
type decodeFlags struct {
	bad       bool // characters outside the encoding were skipped
	truncated bool // the input ended inside an encoded unit
}

// base64Reader decodes base64 leniently, as mail clients do: it skips
// whitespace silently and other characters with a flag, and treats padding
// inside the stream as the end of one encoded run and the start of the next.
type base64Reader struct {
	r     io.Reader
	flags *decodeFlags
	buf   [4096]byte
	quad  [4]byte
	nq    int
	outb  [4096/4*3 + 3]byte // decoded bytes of one buf, and a flushed partial unit
	out   []byte             // the part of outb not yet returned
	err   error
}

var base64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

func (b *base64Reader) flushPartial() {
	switch b.nq {
	case 1:
		b.flags.bad = true
	case 2:
		b.out = append(b.out, b.quad[0]<<2|b.quad[1]>>4)
	case 3:
		b.out = append(b.out, b.quad[0]<<2|b.quad[1]>>4, b.quad[1]<<4|b.quad[2]>>2)
	}
	b.nq = 0
}

func (b *base64Reader) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		n, err := b.r.Read(b.buf[:])
		b.out = b.outb[:0]
		for _, c := range b.buf[:n] {
			v := base64Value[c]
			if v == 0xFF {
				switch c {
				case '=':
					if b.nq == 1 {
						b.flags.bad = true
					}
					b.flushPartial()
				case ' ', '\t', '\r', '\n':
				default:
					b.flags.bad = true
				}
				continue
			}
			b.quad[b.nq] = v
			b.nq++
			if b.nq == 4 {
				b.out = append(b.out, b.quad[0]<<2|b.quad[1]>>4, b.quad[1]<<4|b.quad[2]>>2, b.quad[2]<<6|b.quad[3])
				b.nq = 0
			}
		}
		if err != nil {
			if b.nq != 0 {
				b.flags.truncated = true
			}
			b.flushPartial()
			b.err = err
		}
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

// maxQPWhitespace bounds the run of spaces the quoted-printable decoder holds
// back to see whether it ends a line (and is dropped) or not.
const maxQPWhitespace = 1024

// qpReader decodes quoted-printable leniently: "=" not followed by two hex
// digits or a line break is kept literally (with a flag), lower-case hex is
// accepted, control characters pass through, trailing whitespace before a
// line break is dropped as RFC 2045 asks.
type qpReader struct {
	br    *bufio.Reader
	flags *decodeFlags
	ws    []byte
	out   []byte
	err   error
}

func (q *qpReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(q.out) > 0 { // what the byte-by-byte path decoded goes first
			c := copy(p[n:], q.out)
			n += c
			q.out = q.out[:copy(q.out, q.out[c:])]
			continue
		}
		if q.err != nil {
			break
		}
		if len(q.ws) == 0 && q.br.Buffered() > 0 {
			// What is buffered is decoded at once, straight into p (byte by byte this
			// reader was most of the parse's time, and decoding into a buffer of our own
			// first grew it to the size of p, then copied it); what the buffer cannot
			// settle — whitespace or an "=" at its end, a bare CR after "=" — goes byte
			// by byte below. Decoding never lengthens the text, so at most as many bytes
			// as p has room for are given: the output fits in p.
			buf, _ := q.br.Peek(q.br.Buffered())
			if room := len(p) - n; len(buf) > room {
				buf = buf[:room]
			}
			if out, used := decodeQPBuffered(p[n:n], buf); used > 0 {
				n += len(out)
				_, _ = q.br.Discard(used) // buffered: cannot fail
				continue
			}
		}
		c, err := q.br.ReadByte()
		if err != nil {
			q.out = append(q.out, q.ws...)
			q.ws = q.ws[:0]
			q.err = err
			continue
		}
		switch c {
		case ' ', '\t':
			if len(q.ws) >= maxQPWhitespace {
				q.out = append(q.out, q.ws...)
				q.ws = q.ws[:0]
			}
			q.ws = append(q.ws, c)
			continue
		case '\r', '\n':
			q.ws = q.ws[:0]
			q.out = append(q.out, c)
			continue
		}
		q.out = append(q.out, q.ws...)
		q.ws = q.ws[:0]
		if c != '=' {
			q.out = append(q.out, c)
			continue
		}
		q.equals()
	}
	if n == 0 && q.err != nil {
		return 0, q.err
	}
	return n, nil
}

// decodeQPBuffered decodes the start of buf, appended to out, as Read does byte by byte,
// and returns out and how many bytes of buf it consumed: it stops before whitespace whose
// end is not in buf (it may end a line, and is then dropped) and before an "=" it cannot
// decide on. It appends at most as many bytes as it consumes.
func decodeQPBuffered(out, buf []byte) ([]byte, int) {
	i := 0
	for i < len(buf) {
		start := i
		for i < len(buf) && !qpSpecial(buf[i]) {
			i++
		}
		out = append(out, buf[start:i]...)
		if i == len(buf) {
			break
		}
		switch buf[i] {
		case ' ', '\t':
			j := i + 1
			for j < len(buf) && (buf[j] == ' ' || buf[j] == '\t') {
				j++
			}
			if j == len(buf) || j-i >= maxQPWhitespace {
				return out, i
			}
			if buf[j] != '\r' && buf[j] != '\n' { // trailing whitespace is dropped
				out = append(out, buf[i:j]...)
			}
			i = j
		case '=':
			switch {
			case i+2 < len(buf) && isHex(buf[i+1]) && isHex(buf[i+2]):
				out = append(out, unhex(buf[i+1])<<4|unhex(buf[i+2]))
				i += 3
			case i+1 < len(buf) && buf[i+1] == '\n': // a soft line break
				i += 2
			case i+2 < len(buf) && buf[i+1] == '\r' && buf[i+2] == '\n':
				i += 3
			default:
				return out, i
			}
		}
	}
	return out, i
}

// qpSpecial reports whether the quoted-printable reader must look at c alone.
func qpSpecial(c byte) bool {
	return c == '=' || c == ' ' || c == '\t'
}

// equals handles what follows an "=".
func (q *qpReader) equals() {
	peek, _ := q.br.Peek(2)
	if len(peek) == 2 && isHex(peek[0]) && isHex(peek[1]) {
		q.out = append(q.out, unhex(peek[0])<<4|unhex(peek[1]))
		_, _ = q.br.Discard(2) // peeked: cannot fail
		return
	}
	// A soft line break: "=", optional whitespace, then CRLF, LF or the end.
	i := 0
	for {
		peek, _ := q.br.Peek(i + 1)
		if len(peek) <= i {
			_, _ = q.br.Discard(i) // "=" and whitespace at the very end (peeked: cannot fail)
			return
		}
		switch peek[i] {
		case ' ', '\t':
			if i < maxQPWhitespace {
				i++
				continue
			}
		case '\n':
			_, _ = q.br.Discard(i + 1) // peeked: cannot fail
			return
		case '\r':
			_, _ = q.br.Discard(i + 1) // peeked: cannot fail
			if next, _ := q.br.Peek(1); len(next) == 1 && next[0] == '\n' {
				_, _ = q.br.Discard(1) // peeked: cannot fail
			}
			return
		}
		q.flags.bad = true
		q.out = append(q.out, '=')
		return
	}
}

// transferDecoder returns a reader of the decoded body for the
// Content-Transfer-Encoding cte. known is false for an encoding it does not
// know, whose body is then read as it is.
func transferDecoder(cte string, body io.Reader, flags *decodeFlags) (r io.Reader, known bool) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return &base64Reader{r: body, flags: flags}, true
	case "quoted-printable":
		return &qpReader{br: bufio.NewReader(body), flags: flags}, true
	case "", "7bit", "8bit", "binary":
		return body, true
	default:
		return body, false
	}
}

// utf8Labels need no conversion.
var utf8Labels = map[string]bool{"utf-8": true, "utf8": true, "us-ascii": true, "ascii": true, "": true}

// decodeCharset converts a text body to UTF-8. With no charset, UTF-8 is
// assumed when valid, else HTML is prescanned for a <meta charset>, else
// Windows-1252. An unknown charset or bytes invalid in UTF-8 are read as
// Windows-1252 per byte. problem is "" or a detail for ProblemBadCharset.
func decodeCharset(b string, label, mediaType string) (text string, problem string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if utf8Labels[label] {
		if utf8.ValidString(b) {
			return b, ""
		}
		if label == "" && mediaType == "text/html" {
			// A BOM or <meta charset>; windows-1252 uncertain is the default
			// when neither is found.
			enc, name, certain := htmlcharset.DetermineEncoding([]byte(b[:min(len(b), 1024)]), "")
			if enc != nil && name != "utf-8" && (certain || name != "windows-1252") {
				if out, err := enc.NewDecoder().String(b); err == nil {
					s, _ := fixUTF8(out)
					return s, ""
				}
			}
		}
		s, _ := fixUTF8(b)
		if label == "" {
			return s, "no charset and bytes that are not UTF-8: read as Windows-1252"
		}
		return s, "declared " + label + " but holds bytes that are not UTF-8: read as Windows-1252"
	}
	r, err := charset.Reader(label, strings.NewReader(b))
	if err != nil || r == nil {
		s, _ := fixUTF8(b)
		return s, "unknown charset " + clip(label, 40) + ": read as UTF-8 or Windows-1252"
	}
	// bytes.Buffer reads straight into itself (io.Copy into a strings.Builder allocated
	// and cleared a 32 KB buffer per part: most of the sync's parse allocations).
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/2 + bytes.MinRead) // two-byte charsets grow into three-byte UTF-8
	if _, err := out.ReadFrom(r); err != nil {
		s, _ := fixUTF8(b)
		return s, "cannot convert from " + clip(label, 40) + ": read as UTF-8 or Windows-1252"
	}
	s, _ := fixUTF8(out.String())
	return s, ""
}
