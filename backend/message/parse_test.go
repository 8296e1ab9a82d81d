package message

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// crlf turns a readable multi-line literal into a message with CRLF lines.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

const baseHeader = "From: a@example.com\nTo: b@example.org\nDate: Mon, 3 Mar 2025 10:00:00 +0100\nMessage-ID: <t@example.com>\n"

func mustParse(t *testing.T, raw string) *Message {
	t.Helper()
	m, err := parseWithin(t, []byte(raw), DefaultLimits)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkMessageInvariants(t, m, DefaultLimits)
	return m
}

func TestParseHeaders(t *testing.T) {
	paris := time.FixedZone("", 3600)
	tests := []struct {
		name    string
		header  string
		check   func(*Message) any
		want    any
		problem string
	}{
		{"decodes a UTF-8 B encoded subject", "Subject: =?UTF-8?B?Q2Fmw6kgZW4gdGVycmFzc2U=?=",
			func(m *Message) any { return m.Subject }, "Café en terrasse", ""},
		{"decodes an ISO-8859-1 Q encoded subject", "Subject: =?iso-8859-1?q?=C0_bient=F4t?=",
			func(m *Message) any { return m.Subject }, "À bientôt", ""},
		{"decodes an ISO-8859-15 euro sign", "Subject: =?ISO-8859-15?Q?5_=A4?=",
			func(m *Message) any { return m.Subject }, "5 €", ""},
		{"decodes Windows-1252 curly quotes", "Subject: =?windows-1252?Q?=93quoted=94?=",
			func(m *Message) any { return m.Subject }, "“quoted”", ""},
		{"joins adjacent encoded words without the space between them", "Subject: =?utf-8?q?ab?= =?utf-8?q?cd?=",
			func(m *Message) any { return m.Subject }, "abcd", ""},
		{"unfolds folded headers", "Subject: one\n two\n\tthree",
			func(m *Message) any { return m.Subject }, "one two three", ""},
		{"keeps raw UTF-8 in headers without a problem", "Subject: Grüße – ça va",
			func(m *Message) any { return m.Subject }, "Grüße – ça va", ""},
		{"reads raw Latin-1 in headers as Windows-1252", "Subject: caf\xe9 \x80",
			func(m *Message) any { return m.Subject }, "café €", Problem8BitHeader},
		{"degrades an unknown charset to the raw text", "Subject: =?x-nowhere?q?plain?=",
			func(m *Message) any { return m.Subject }, "plain", ProblemBadHeaderEncoding},
		{"leaves a malformed encoded word as written", "Subject: =?utf-8?x?abc?=",
			func(m *Message) any { return m.Subject }, "=?utf-8?x?abc?=", ""},
		{"removes NUL and control characters", "Subject: a\x00b\x01c",
			func(m *Message) any { return m.Subject }, "ab c", ProblemNULByte},
		{"reads quoted names with commas", `Cc: "Doe, Jane" <jane@example.org>, "Roe, R." <r@example.org>`,
			func(m *Message) any { return m.Cc }, []Address{{"Doe, Jane", "jane@example.org"}, {"Roe, R.", "r@example.org"}}, ""},
		{"reads encoded names in addresses", "Cc: =?utf-8?q?Zo=C3=AB?= <zoe@example.org>, plain@example.org",
			func(m *Message) any { return m.Cc }, []Address{{"Zoë", "zoe@example.org"}, {"", "plain@example.org"}}, ""},
		{"reads encoded words inside quoted names", `Cc: "=?utf-8?q?Jos=C3=A9?=" <jose@example.org>`,
			func(m *Message) any { return m.Cc }, []Address{{"José", "jose@example.org"}}, ""},
		{"reads groups", "Cc: team: a@example.org, b@example.org;",
			func(m *Message) any { return m.Cc }, []Address{{"", "a@example.org"}, {"", "b@example.org"}}, ""},
		{"reads a broken list leniently", "Cc: Jane <jane@example.org, bob@example.org carol@example.org",
			func(m *Message) any { return m.Cc }, []Address{{"Jane", "jane@example.org"}, {"", "bob@example.org"}, {"", "carol@example.org"}}, ProblemBadAddress},
		{"reads every address header", "Sender: s@example.com\nReply-To: R <r@example.com>\nBcc: x@example.com",
			func(m *Message) any { return [][]Address{m.Sender, m.ReplyTo, m.Bcc} },
			[][]Address{{{"", "s@example.com"}}, {{"R", "r@example.com"}}, {{"", "x@example.com"}}}, ""},
		{"reads threading headers", "In-Reply-To: <p@example.org>\nReferences: <a@example.org>\n <p@example.org>",
			func(m *Message) any { return []any{m.InReplyTo, m.References} }, []any{"p@example.org", []string{"a@example.org", "p@example.org"}}, ""},
		{"reads mangled references leniently", "References: junk <a@example.org>,<b@example.org> (comment)",
			func(m *Message) any { return m.References }, []string{"a@example.org", "b@example.org"}, ""},
		{"keeps the first of duplicate subjects", "Subject: first\nSubject: second",
			func(m *Message) any { return m.Subject }, "first", ProblemDuplicateHeader},
		{"reads a date with a comment", "Date: Tue, 4 Mar 2025 09:15:00 +0100 (CET)",
			func(m *Message) any { return m.Date.Equal(time.Date(2025, 3, 4, 9, 15, 0, 0, paris)) }, true, ""},
		{"reads a date without a day name or seconds", "Date: 4 Mar 2025 09:15 +0100",
			func(m *Message) any { return m.Date.Equal(time.Date(2025, 3, 4, 9, 15, 0, 0, paris)) }, true, ""},
		{"reads an asctime date", "Date: Tue Mar  4 08:15:00 2025",
			func(m *Message) any { return m.Date.Equal(time.Date(2025, 3, 4, 8, 15, 0, 0, time.UTC)) }, true, ""},
		{"leaves an unreadable date zero", "Date: someday",
			func(m *Message) any { return m.Date.IsZero() }, true, ProblemBadDate},
		{"skips a line without a colon and reads on", "X-Before: 1\nno colon here\nSubject: after",
			func(m *Message) any { return m.Subject }, "after", ProblemBadHeader},
		{"skips an mbox From_ line silently", "",
			func(m *Message) any { return m.Subject }, "mbox", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header := tc.header
			if header != "" {
				header += "\n"
			}
			raw := crlf(baseHeader) + crlf(header)
			if tc.name == "skips an mbox From_ line silently" {
				raw = "From alice@example.com Mon Mar  3 10:00:00 2025\r\n" + crlf(baseHeader) + "Subject: mbox\r\n"
			}
			if strings.HasPrefix(tc.header, "Date:") {
				raw = strings.Replace(raw, "Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n", "", 1)
			}
			raw += "\r\nBody.\r\n"
			m := mustParse(t, raw)
			if got := tc.check(m); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
			if tc.problem == "" && len(m.Problems) > 0 {
				t.Errorf("unexpected problems %+v", m.Problems)
			}
			if tc.problem != "" && !hasProblem(m, tc.problem) {
				t.Errorf("problems %v, want %s", problemCodes(m), tc.problem)
			}
		})
	}
}

func TestParseMissingDateIsAProblem(t *testing.T) {
	m := mustParse(t, "From: a@example.com\r\nSubject: x\r\n\r\nbody")
	if !m.Date.IsZero() || !hasProblem(m, ProblemMissingDate) {
		t.Errorf("date %v problems %v, want zero and %s", m.Date, problemCodes(m), ProblemMissingDate)
	}
}

func b64lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return out.String() + s
}

func TestParseBodies(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nfake image bytes")
	tests := []struct {
		name        string
		body        string
		text, html  string
		attachments []Attachment
		problem     string
	}{
		{
			name: "reads a plain body with the default content type",
			body: "\nHello\nworld\n",
			text: "Hello\nworld",
		},
		{
			name: "renders an HTML-only body as text for search",
			body: "Content-Type: text/html; charset=utf-8\n\n<p>Hello <b>world</b></p><script>x()</script><p>Second&amp;last</p>",
			text: "Hello world\n\nSecond&last",
			html: "<p>Hello <b>world</b></p><script>x()</script><p>Second&amp;last</p>",
		},
		{
			name: "decodes quoted-printable with soft breaks and a charset",
			body: "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nd=E9j=E0 un long=\n mot =3D ok",
			text: "déjà un long mot = ok",
		},
		{
			name: "decodes base64 in any line length",
			body: "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + b64lines([]byte("Zoë et Chloé")),
			text: "Zoë et Chloé",
		},
		{
			name: "converts KOI8-R",
			body: "Content-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4",
			text: "Привет",
		},
		{
			name: "converts Shift_JIS",
			body: "Content-Type: text/plain; charset=shift_jis\n\n\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd",
			text: "こんにちは",
		},
		{
			name: "takes both bodies of multipart/alternative",
			body: "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\nplain\n--a\nContent-Type: text/html\n\n<p>html</p>\n--a--\n",
			text: "plain",
			html: "<p>html</p>",
		},
		{
			name: "takes only the first alternative of each kind",
			body: "Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain\n\none\n--a\nContent-Type: text/plain\n\ntwo\n--a--\n",
			text: "one",
		},
		{
			name: "joins the inline text parts of multipart/mixed",
			body: "Content-Type: multipart/mixed; boundary=m\n\n--m\n\nfirst\n--m\nContent-Type: text/plain\nContent-Disposition: inline\n\nsecond\n--m--\n",
			text: "first\n\nsecond",
		},
		{
			name: "lists attachments and inline cid images with IMAP part numbers",
			body: "Content-Type: multipart/mixed; boundary=m\n\n" +
				"--m\nContent-Type: multipart/related; boundary=r\n\n" +
				"--r\nContent-Type: text/html\n\n<img src=\"cid:img1@x\">\n" +
				"--r\nContent-Type: image/png\nContent-ID: <img1@x>\nContent-Transfer-Encoding: base64\n\n" + b64lines(png) + "\n--r--\n" +
				"--m\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Transfer-Encoding: base64\n\n" + b64lines([]byte("%PDF")) + "\n" +
				"--m\nContent-Type: text/plain; name=\"notes.txt\"\n\nnot the body\n" +
				"--m\nContent-Type: text/plain\nContent-Disposition: attachment\n\nnot the body either\n" +
				"--m\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--m--\n",
			html: `<img src="cid:img1@x">`,
			attachments: []Attachment{
				{PartPath: "1.2", ContentType: "image/png", Size: int64(len(png)), ContentID: "img1@x", Inline: true},
				{PartPath: "2", Filename: "a.pdf", ContentType: "application/pdf", Size: 4},
				{PartPath: "3", Filename: "notes.txt", ContentType: "text/plain", Size: 12},
				{PartPath: "4", ContentType: "text/plain", Size: 19},
				{PartPath: "5", ContentType: "message/rfc822", Size: 28},
			},
			text: "",
		},
		{
			name: "numbers a single-part attachment message as part 1",
			body: "Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"../../etc/x.pdf\"\n\n%PDF",
			attachments: []Attachment{
				{PartPath: "1", Filename: "x.pdf", ContentType: "application/pdf", Size: 4},
			},
		},
		{
			name: "numbers nested multiparts like IMAP",
			body: "Content-Type: multipart/mixed; boundary=a\n\n--a\n\nt\n--a\nContent-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: image/gif\n\nG\n--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\nContent-Type: image/gif\n\nGG\n--c--\n--b--\n--a--\n",
			text: "t",
			attachments: []Attachment{
				{PartPath: "2.1", ContentType: "image/gif", Size: 1},
				{PartPath: "2.2.1", ContentType: "image/gif", Size: 2},
			},
		},
		{
			name: "ignores preamble and epilogue",
			body: "Content-Type: multipart/mixed; boundary=\"x y\"\n\nThis is a MIME message.\n--x y\n\nbody\n--x y--\nepilogue text\n",
			text: "body",
		},
		{
			name:    "reads a multipart without boundary as text",
			body:    "Content-Type: multipart/mixed\n\nraw text",
			text:    "raw text",
			problem: ProblemBrokenBoundary,
		},
		{
			name:    "keeps what precedes a cut-off multipart",
			body:    "Content-Type: multipart/mixed; boundary=z\n\n--z\n\nkept\n--z\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAAAN",
			text:    "kept",
			problem: ProblemTruncated,
			attachments: []Attachment{
				{PartPath: "2", ContentType: "image/png", Size: 12},
			},
		},
		{
			name:    "skips junk in base64",
			body:    "Content-Transfer-Encoding: base64\n\nSGVs!bG8=",
			text:    "Hello",
			problem: ProblemBadEncoding,
		},
		{
			name:    "keeps an invalid quoted-printable escape literally",
			body:    "Content-Transfer-Encoding: quoted-printable\n\n100 =ZZ =41",
			text:    "100 =ZZ A",
			problem: ProblemBadEncoding,
		},
		{
			name:    "reads an unknown charset as UTF-8 or Windows-1252",
			body:    "Content-Type: text/plain; charset=x-martian\n\ncaf\xe9",
			text:    "café",
			problem: ProblemBadCharset,
		},
		{
			name:    "repairs stray Latin-1 bytes in a UTF-8 body byte by byte",
			body:    "Content-Type: text/plain; charset=utf-8\n\nété \xe9t\xe9",
			text:    "été été",
			problem: ProblemBadCharset,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, crlf(baseHeader+"Subject: body test\n"+tc.body))
			if m.Text != tc.text {
				t.Errorf("Text = %q, want %q", m.Text, tc.text)
			}
			if m.HTML != tc.html {
				t.Errorf("HTML = %q, want %q", m.HTML, tc.html)
			}
			if !reflect.DeepEqual(m.Attachments, tc.attachments) {
				t.Errorf("Attachments = %+v\nwant %+v", m.Attachments, tc.attachments)
			}
			if tc.problem == "" && len(m.Problems) > 0 {
				t.Errorf("unexpected problems %+v", m.Problems)
			}
			if tc.problem != "" && !hasProblem(m, tc.problem) {
				t.Errorf("problems %v, want %s", problemCodes(m), tc.problem)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		lim     Limits
		problem string
		check   func(*testing.T, *Message)
	}{
		{
			name:    "stops at MaxSize",
			raw:     crlf(baseHeader+"\n") + strings.Repeat("x", 5000),
			lim:     Limits{MaxSize: 1000},
			problem: ProblemTooLarge,
			check: func(t *testing.T, m *Message) {
				if m.Size != 1000 {
					t.Errorf("Size = %d, want 1000", m.Size)
				}
			},
		},
		{
			name:    "cuts text at MaxTextBytes on a rune boundary",
			raw:     crlf(baseHeader+"\n") + strings.Repeat("é", 100),
			lim:     Limits{MaxTextBytes: 51},
			problem: ProblemBodyTooLarge,
			check: func(t *testing.T, m *Message) {
				if m.Text != strings.Repeat("é", 25) {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name:    "skips parts beyond MaxParts",
			raw:     crlf(baseHeader + "Content-Type: multipart/mixed; boundary=p\n\n" + strings.Repeat("--p\nContent-Type: image/gif\n\nG\n", 10) + "--p--\n"),
			lim:     Limits{MaxParts: 3},
			problem: ProblemTooManyParts,
			check: func(t *testing.T, m *Message) {
				if len(m.Attachments) != 3 {
					t.Errorf("%d attachments, want 3", len(m.Attachments))
				}
			},
		},
		{
			name:    "skips multiparts nested beyond MaxDepth but keeps the shallow ones",
			raw:     string(nestedMessage(5)),
			lim:     Limits{MaxDepth: 3},
			problem: ProblemTooDeep,
		},
		{
			name:    "skips the rest of a header block beyond MaxHeaderBytes",
			raw:     crlf(baseHeader + "Subject: kept\nX-Big: " + strings.Repeat("b", 2000) + "\nX-After: lost\n\nbody"),
			lim:     Limits{MaxHeaderBytes: 1024},
			problem: ProblemHeaderTooLarge,
			check: func(t *testing.T, m *Message) {
				if m.Subject != "kept" || m.Text != "body" {
					t.Errorf("Subject %q Text %q, want kept, body", m.Subject, m.Text)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseWithin(t, []byte(tc.raw), tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			checkMessageInvariants(t, m, tc.lim)
			if !hasProblem(m, tc.problem) {
				t.Errorf("problems %v, want %s", problemCodes(m), tc.problem)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	broken := errors.New("connection reset")
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"refuses empty input", strings.NewReader(""), ErrEmpty},
		{"refuses input without a header field", strings.NewReader("just some text\r\nand more\r\n"), ErrNotMessage},
		{"reports a failing reader instead of a cut message", io.MultiReader(strings.NewReader("Subject: x\r\n\r\nbody"), errReader{broken}), broken},
		{"reports a reader failing at once", errReader{broken}, broken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.r, DefaultLimits)
			if !errors.Is(err, tc.want) || m != nil {
				t.Fatalf("Parse = %v, %v; want nil, %v", m, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "message: parse: ") {
				t.Errorf("error %q lacks the operation", err)
			}
		})
	}
}

func TestParseHeaderAlone(t *testing.T) {
	raw := crlf(baseHeader + "Subject: =?utf-8?q?Caf=C3=A9?=\nContent-Type: multipart/mixed; boundary=x\n\n")
	m, err := ParseHeader(strings.NewReader(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Café" || len(m.From) != 1 || m.Date.IsZero() {
		t.Errorf("header fields not read: %+v", m)
	}
	if len(m.Problems) > 0 {
		t.Errorf("a header without its body is no defect, got %+v", m.Problems)
	}
	if _, err := ParseHeader(strings.NewReader(""), DefaultLimits); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty header: %v", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// readCounter counts what Parse reads from it.
type readCounter struct {
	r io.Reader
	n int64
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestParseNeverReadsMoreThanMaxSize(t *testing.T) {
	src := &readCounter{r: io.MultiReader(strings.NewReader(crlf(baseHeader+"\n")), zeros{})}
	m, err := Parse(src, Limits{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if src.n > 1<<20 {
		t.Errorf("read %d bytes, limit %d", src.n, 1<<20)
	}
	if !hasProblem(m, ProblemTooLarge) {
		t.Errorf("problems %v, want %s", problemCodes(m), ProblemTooLarge)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

func TestExtractPart(t *testing.T) {
	raw, err := os.ReadFile("testdata/valid/mixed-attachments.eml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		wantType   string
		wantPrefix string
		wantErr    error
	}{
		{"extracts a nested inline image", "1.2.2", "image/png", "\x89PNG", nil},
		{"extracts a top-level attachment", "2", "application/pdf", "%PDF-1.4", nil},
		{"extracts a text body as bytes", "1.1", "text/plain", "Our new logo", nil},
		{"reports a missing part", "7", "", "", ErrPartNotFound},
		{"refuses a malformed part number", "1..2", "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			a, err := ExtractPart(bytes.NewReader(raw), tc.path, DefaultLimits, &out)
			if tc.wantType == "" {
				if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != tc.wantType || a.PartPath != tc.path || !strings.HasPrefix(out.String(), tc.wantPrefix) || a.Size != int64(out.Len()) {
				t.Errorf("got %+v %q", a, clip(out.String(), 20))
			}
		})
	}
}

// hugeMessage streams a message of about size bytes: a short text part and
// one base64 attachment (or, with textBody, one huge text body).
func hugeMessage(size int64, textBody bool) io.Reader {
	head := crlf(baseHeader + "Subject: huge\nContent-Type: multipart/mixed; boundary=huge\n\n--huge\n\nshort text\n--huge\n")
	if textBody {
		head += "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	} else {
		head += "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	}
	line := []byte(strings.Repeat("QUJD", 19) + "\r\n")
	body := &repeatReader{line: line, left: size - int64(len(head)) - 12}
	return io.MultiReader(strings.NewReader(head), body, strings.NewReader("\r\n--huge--\r\n"))
}

type repeatReader struct {
	line []byte
	left int64
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:], r.line[r.off:])
		if int64(c) > r.left {
			c = int(r.left)
		}
		n += c
		r.left -= int64(c)
		r.off = (r.off + c) % len(r.line)
	}
	return n, nil
}

// peakHeap samples the heap while f runs and returns the growth of its
// peak over the heap before, and the bytes allocated in all. The collector
// runs often meanwhile, so the peak is close to what f holds, not to the
// garbage it leaves.
func peakHeap(f func()) (growth uint64, total uint64) {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > max {
				max = ms.HeapAlloc
			}
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	max := <-peak
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if max > before.HeapAlloc {
		growth = max - before.HeapAlloc
	}
	return growth, after.TotalAlloc - before.TotalAlloc
}

func TestParseHugeMessageStaysWithinMemoryBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 60 MiB")
	}
	const size = 60 << 20
	tests := []struct {
		name     string
		textBody bool
		lim      Limits
		maxPeak  uint64
	}{
		// An attachment is counted, never held: the heap stays flat.
		{"streams a 60 MiB attachment", false, Limits{MaxSize: 100 << 20}, 4 << 20},
		// Past MaxSize nothing more is read at all.
		{"stops a 60 MiB message at the default 50 MiB", false, DefaultLimits, 4 << 20},
		// A text body is kept up to MaxTextBytes: the heap holds a few copies
		// of that (read, converted, lines normalised, joined), whatever the
		// message size.
		{"keeps 2 MiB of a 60 MiB text body", true, Limits{MaxSize: 100 << 20, MaxTextBytes: 2 << 20}, 5 * 2 << 20},
		{"keeps 8 MiB of a 60 MiB text body", true, Limits{MaxSize: 100 << 20}, 5 * DefaultMaxTextBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m *Message
			var err error
			peak, total := peakHeap(func() { m, err = Parse(hugeMessage(size, tc.textBody), tc.lim) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("heap peak growth %.1f MiB, allocated %.1f MiB, read %.1f MiB", float64(peak)/(1<<20), float64(total)/(1<<20), float64(m.Size)/(1<<20))
			if peak > tc.maxPeak {
				t.Errorf("heap grew by %d MiB, want at most %d MiB", peak>>20, tc.maxPeak>>20)
			}
			if tc.textBody {
				// Cut at MaxTextBytes of decoded text, then CRLF became LF.
				max := tc.lim.withDefaults().MaxTextBytes
				if len(m.Text) > max || len(m.Text) < max*9/10 || !hasProblem(m, ProblemBodyTooLarge) {
					t.Errorf("text %d bytes, problems %v", len(m.Text), problemCodes(m))
				}
				return
			}
			if len(m.Attachments) != 1 || m.Text != "short text" {
				t.Fatalf("attachments %+v text %q", m.Attachments, m.Text)
			}
			if tc.lim.MaxSize == DefaultMaxSize {
				if m.Size != DefaultMaxSize || !hasProblem(m, ProblemTooLarge) {
					t.Errorf("read %d, problems %v", m.Size, problemCodes(m))
				}
			} else if want := int64(size) / 78 * 57; m.Attachments[0].Size < want-(64<<10) || m.Attachments[0].Size > want {
				// 78-byte lines of base64 hold 57 bytes each.
				t.Errorf("attachment size %d, want about %d", m.Attachments[0].Size, want)
			}
		})
	}
}

func TestParseMarksBulkMail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra string
		bulk  bool
	}{
		{"a personal message", "", false},
		{"a mailing list (List-Id)", "List-Id: Team <team.example.org>\n", true},
		{"a newsletter (List-Unsubscribe)", "List-Unsubscribe: <mailto:u@example.org>\n", true},
		{"Precedence bulk", "Precedence: bulk\n", true},
		{"Precedence list, any case", "Precedence: List\n", true},
		{"Precedence junk", "Precedence: junk\n", true},
		{"Precedence first-class", "Precedence: first-class\n", false},
		{"an auto-reply", "Auto-Submitted: auto-replied\n", true},
		{"auto-generated with parameters", "Auto-Submitted: auto-generated; owner-email=a@b.fr\n", true},
		{"Auto-Submitted no", "Auto-Submitted: no\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, crlf(baseHeader+tc.extra+"\nHello\n"))
			if m.Bulk != tc.bulk {
				t.Errorf("Bulk = %v, want %v", m.Bulk, tc.bulk)
			}
		})
	}
}
