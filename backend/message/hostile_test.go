package message

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileVector is one line of testdata/hostile, placeholders replaced.
type hostileVector struct {
	file string
	line int
	html string
}

// hostileReplacer fills the placeholders of the corpus (see its README).
var hostileReplacer = strings.NewReplacer(
	"{{JS}}", "alert(1)",
	"{{CANARY}}", "http://"+canaryHost,
	"{{CANARY_HOST}}", canaryHost,
	"{{NUL}}", "\x00",
	"{{TAB}}", "\t",
	"{{LF}}", "\n",
	"{{CR}}", "\r",
	"{{FF}}", "\f",
)

func loadHostileCorpus(t testing.TB) []hostileVector {
	t.Helper()
	files, err := filepath.Glob("testdata/hostile/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no hostile corpus: %v", err)
	}
	var out []hostileVector
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			n++
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if strings.Contains(hostileReplacer.Replace(line), "{{") {
				t.Errorf("%s:%d: unknown placeholder", file, n)
			}
			out = append(out, hostileVector{file: filepath.Base(file), line: n, html: hostileReplacer.Replace(line)})
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// wrapHTML makes a message whose only body is html, in the given transfer
// encoding.
func wrapHTML(html, cte string, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Hostile <hostile@example.net>\r\nTo: victim@example.org\r\nSubject: vector %d\r\n"+
		"Date: Mon, 3 Mar 2025 10:00:00 +0100\r\nMessage-ID: <hostile-%d@example.net>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: %s\r\n\r\n", n, n, cte)
	switch cte {
	case "quoted-printable":
		w := quotedprintable.NewWriter(&b)
		_, _ = w.Write([]byte(html)) // into a bytes.Buffer: cannot fail
		w.Close()
	case "base64":
		s := base64.StdEncoding.EncodeToString([]byte(html))
		for len(s) > 76 {
			b.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		b.WriteString(s)
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func TestHostileCorpus(t *testing.T) {
	vectors := loadHostileCorpus(t)
	if len(vectors) < 300 {
		t.Fatalf("hostile corpus has %d vectors, want at least 300", len(vectors))
	}
	for i, v := range vectors {
		t.Run(fmt.Sprintf("%s:%d", v.file, v.line), func(t *testing.T) {
			check := func(how, out string, blocked bool) {
				t.Helper()
				if r := unsafeReasons(out, blocked); len(r) > 0 {
					t.Errorf("%s: unsafe output %q:\n  %s", how, clip(out, 300), strings.Join(r, "\n  "))
				}
			}
			for _, allow := range []bool{false, true} {
				opt := SanitizeOptions{AllowRemoteImages: allow}
				mode := map[bool]string{false: "images blocked", true: "images allowed"}[allow]

				s := Sanitize(v.html, opt)
				check("Sanitize, "+mode, s.HTML, !allow)
				if again := Sanitize(s.HTML, opt); again.HTML != s.HTML {
					t.Errorf("Sanitize is not idempotent (%s):\n once: %q\ntwice: %q", mode, s.HTML, again.HTML)
				}
				check("QuoteHTML, "+mode, QuoteHTML(v.html, "Hostile <hostile@example.net>", time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), opt), !allow)

				for _, cte := range []string{"quoted-printable", "base64"} {
					m, err := parseWithin(t, wrapHTML(v.html, cte, i), DefaultLimits)
					if err != nil {
						t.Fatalf("%s: Parse: %v", cte, err)
					}
					want := normalizeNewlines(strings.ReplaceAll(v.html, "\x00", ""))
					if m.HTML != want {
						t.Errorf("%s: Parse gave HTML %q, want %q", cte, m.HTML, want)
					}
					check(cte+" MIME, "+mode, Sanitize(m.HTML, opt).HTML, !allow)
					check(cte+" MIME as text", TextToHTML(m.Text), true)
				}
			}
			check("TextToHTML of the source", TextToHTML(v.html), true)
		})
	}
}

// The checker itself must catch what it is meant to catch, or the corpus
// test proves nothing.
func TestUnsafeReasonsCatchesHostileOutput(t *testing.T) {
	tests := []struct {
		html    string
		blocked bool
	}{
		{`<script>alert(1)</script>`, true},
		{`<img src=x onerror=alert(1)>`, true},
		{`<a href="jav&#x09;ascript:alert(1)">x</a>`, true},
		{`<a href="data:text/html,x">x</a>`, true},
		{`<img src="http://canary.invalid/a.png">`, true},
		{`<img src="//canary.invalid/a.png">`, false},
		{`<table background="http://canary.invalid/a.png"></table>`, true},
		{`<div style="background:url(http://canary.invalid/)">x</div>`, true},
		{`<div style="width:expression(alert(1))">x</div>`, true},
		{`<svg><circle/></svg>`, true},
		{`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`, true},
		{`<iframe srcdoc="x"></iframe>`, true},
		{`<p><!-- hidden --></p>`, true},
		{`<table><tr><td background="//canary.invalid/a.png">x</td></tr></table>`, true},
	}
	for _, tc := range tests {
		if r := unsafeReasons(tc.html, tc.blocked); len(r) == 0 {
			t.Errorf("unsafeReasons(%q) found nothing", tc.html)
		}
	}
	for _, ok := range []string{
		`<p><a href="https://example.com/" target="_blank" rel="noopener noreferrer">x</a></p>`,
		`<img src="data:image/png;base64,iVBORw0KGgo="/>`,
		`<div style="color: red">x</div>`,
	} {
		if r := unsafeReasons(ok, true); len(r) > 0 {
			t.Errorf("unsafeReasons(%q) = %v, want none", ok, r)
		}
	}
}
