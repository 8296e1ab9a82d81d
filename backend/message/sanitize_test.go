package message

import (
	"strings"
	"testing"
	"time"
)

const pngData = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

func TestSanitize(t *testing.T) {
	inline := map[string]string{"logo@example.com": pngData, "bad@example.com": "https://example.com/x.png"}
	tests := []struct {
		name    string
		in      string
		opt     SanitizeOptions
		want    string
		remote  int
		blocked bool
	}{
		{name: "keeps mail layout tables with their presentational attributes",
			in:   `<table width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" align="center"><tr><td valign="top" colspan="2" width="50%" style="padding: 10px 20px; font-family: Arial, sans-serif">x</td></tr></table>`,
			want: `<table width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" align="center"><tbody><tr><td valign="top" colspan="2" width="50%" style="padding: 10px 20px; font-family: Arial, sans-serif">x</td></tr></tbody></table>`},
		{name: "keeps text formatting elements",
			in:   `<center><font face="Georgia" color="#333" size="2"><b>b</b><i>i</i><u>u</u><small>s</small><big>g</big></font></center><blockquote>q</blockquote><pre>p</pre><hr>`,
			want: `<center><font color="#333" face="Georgia" size="2"><b>b</b><i>i</i><u>u</u><small>s</small><big>g</big></font></center><blockquote>q</blockquote><pre>p</pre><hr/>`},
		{name: "adds target and rel to links and keeps mailto",
			in:   `<a href="https://example.com/a?b=1&c=2">w</a> <a href="mailto:ann@example.com?subject=Hi">m</a>`,
			want: `<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">w</a> <a href="mailto:ann@example.com?subject=Hi" target="_blank" rel="noopener noreferrer">m</a>`},
		{name: "replaces a caller's target and rel",
			in:   `<a href="https://example.com/" target="_top" rel="opener">x</a>`,
			want: `<a href="https://example.com/" target="_blank" rel="noopener noreferrer">x</a>`},
		{name: "keeps in-message fragment links without a new window",
			in:   `<a href="#top">up</a><a name="top">anchor</a>`,
			want: `<a href="#top">up</a><a name="top">anchor</a>`},
		{name: "makes protocol-relative links https",
			in:   `<a href="//example.com/x">x</a>`,
			want: `<a href="https://example.com/x" target="_blank" rel="noopener noreferrer">x</a>`},
		{name: "unwraps links to other schemes, keeping their text",
			in:   `<a href="javascript:alert(1)">a</a><a href="file:///etc/passwd">b</a><a href="/relative">c</a>`,
			want: `abc`},
		{name: "blocks remote images and counts them",
			in:      `<img src="https://img.example.com/a.png" alt="A" width="10"><img src="//img.example.com/b.png">`,
			want:    `<img alt="A" width="10"/>`,
			remote:  2,
			blocked: true},
		{name: "keeps remote images when allowed",
			in:     `<img src="https://img.example.com/a.png" alt="A"><img src="//img.example.com/b.png">`,
			opt:    SanitizeOptions{AllowRemoteImages: true},
			want:   `<img src="https://img.example.com/a.png" alt="A"/><img src="https://img.example.com/b.png"/>`,
			remote: 2},
		{name: "blocks table backgrounds and keeps them when allowed",
			in:     `<table background="https://img.example.com/bg.png"><tr><td>x</td></tr></table>`,
			opt:    SanitizeOptions{AllowRemoteImages: true},
			want:   `<table background="https://img.example.com/bg.png"><tbody><tr><td>x</td></tr></tbody></table>`,
			remote: 1},
		{name: "strips CSS urls always and counts the remote ones",
			in:      `<div style="color: red; background-image: url(https://img.example.com/bg.png)">x</div>`,
			opt:     SanitizeOptions{AllowRemoteImages: true},
			want:    `<div style="color: red">x</div>`,
			remote:  1,
			blocked: false},
		{name: "replaces cid images with their inline data URL",
			in:   `<img src="cid:logo@example.com" alt="logo"><img src="cid:%3Clogo@example.com%3E">`,
			opt:  SanitizeOptions{Inline: inline},
			want: `<img src="` + pngData + `" alt="logo"/><img src="` + pngData + `"/>`},
		{name: "removes cid images without an inline image or with a non-data URL",
			in:   `<img src="cid:missing@example.com" alt="m"><img src="cid:bad@example.com" alt="b">`,
			opt:  SanitizeOptions{Inline: inline},
			want: `<img alt="m"/><img alt="b"/>`},
		{name: "keeps base64 data images of safe types only",
			in:   `<img src="DATA:image/PNG;base64,iVBO Rw0K"><img src="data:image/svg+xml;base64,PHN2Zz4="><img src="data:image/jpg;base64,/9j/">`,
			want: `<img src="data:image/png;base64,iVBORw0K"/><img src="data:image/jpeg;base64,/9j/"/>`},
		{name: "keeps vetted inline styles and drops the rest",
			in:   `<p style="COLOR: Red; position: fixed; font: 12px/1.5 'Helvetica Neue', Arial; margin: 0 auto !important; display: flex; width: calc(100% - 2px); background-color: rgb(1, 2, 3)">x</p>`,
			want: `<p style="color: Red; font: 12px/1.5 &#39;Helvetica Neue&#39;, Arial; margin: 0 auto !important; background-color: rgb(1, 2, 3)">x</p>`},
		{name: "carries the body colours to a wrapping div",
			in:   `<html><head><style>p{}</style></head><body bgcolor="#eeeeee" text="#111111" style="margin: 0"><p>x</p></body></html>`,
			want: `<div style="background-color: #eeeeee; color: #111111; margin: 0"><p>x</p></div>`},
		{name: "drops scripts, styles, forms controls and frames with their content",
			in:   `a<script>s()</script><style>p{}</style><iframe src="https://x.example/"></iframe><select><option>o</option></select><textarea>t</textarea>b`,
			want: `ab`},
		{name: "unwraps unknown and form elements, keeping their text",
			in:   `<form action="https://x.example/"><label>Name</label><o:p>office</o:p><custom-el>c</custom-el></form>`,
			want: `Nameofficec`},
		{name: "drops comments, doctypes and SVG",
			in:   `<!DOCTYPE html><!-- secret --><p>x</p><svg><text>svg text</text></svg>`,
			want: `<p>x</p>`},
		{name: "keeps text that looks like markup escaped",
			in:   `&lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes" 'apos'`,
			want: `&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34; &#39;apos&#39;`},
		{name: "keeps only the first of duplicate attributes, as browsers do",
			in:   `<a href="https://example.com/" href="javascript:alert(1)">x</a>`,
			want: `<a href="https://example.com/" target="_blank" rel="noopener noreferrer">x</a>`},
		{name: "returns nothing for a frameset document",
			in:   `<frameset><frame src="https://x.example/"></frameset>`,
			want: ``},
		{name: "returns empty for blank input",
			in:   " \n\t",
			want: ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sanitize(tc.in, tc.opt)
			if got.HTML != tc.want {
				t.Errorf("HTML\n got %s\nwant %s", got.HTML, tc.want)
			}
			if got.RemoteImages != tc.remote || got.Blocked != tc.blocked {
				t.Errorf("RemoteImages %d Blocked %v, want %d %v", got.RemoteImages, got.Blocked, tc.remote, tc.blocked)
			}
			if again := Sanitize(got.HTML, tc.opt).HTML; again != got.HTML {
				t.Errorf("not idempotent: %s", again)
			}
			if r := unsafeReasons(got.HTML, !tc.opt.AllowRemoteImages); len(r) > 0 {
				t.Errorf("unsafe: %v", r)
			}
		})
	}
}

func TestImageDataURL(t *testing.T) {
	tests := []struct {
		name, contentType string
		data              []byte
		want              string
		ok                bool
	}{
		{"encodes a PNG", "image/png", []byte{1, 2, 3}, "data:image/png;base64,AQID", true},
		{"normalises JPEG types", "Image/JPG", []byte{1}, "data:image/jpeg;base64,AQ==", true},
		{"refuses SVG", "image/svg+xml", []byte("<svg/>"), "", false},
		{"refuses empty data", "image/gif", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ImageDataURL(tc.contentType, tc.data)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
			if ok {
				in := `<img src="cid:X@Example">`
				out := Sanitize(in, SanitizeOptions{Inline: map[string]string{"x@example": got}}).HTML
				if want := `<img src="` + got + `"/>`; out != want {
					t.Errorf("Sanitize with it = %s, want %s", out, want)
				}
			}
		})
	}
}

func TestSanitizeBoundsNesting(t *testing.T) {
	tests := []struct {
		name  string
		depth int
	}{
		{"keeps content nested deeper than maxHTMLDepth as text", 400},
		{"shows as text a tree deeper than the parser accepts", 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Repeat("<div><b>", tc.depth/2) + "deep text" + strings.Repeat("</b></div>", tc.depth/2)
			got := Sanitize(in, SanitizeOptions{})
			if !strings.Contains(got.HTML, "deep text") {
				t.Fatalf("text lost: %q", clip(got.HTML, 100))
			}
			if n := strings.Count(got.HTML, "<div>") + strings.Count(got.HTML, "<b>"); n > maxHTMLDepth {
				t.Errorf("%d nested elements kept, want at most %d", n, maxHTMLDepth)
			}
			if again := Sanitize(got.HTML, SanitizeOptions{}).HTML; again != got.HTML {
				t.Error("not idempotent")
			}
		})
	}
}

func TestCleanStyle(t *testing.T) {
	tests := []struct {
		name, in, want string
		remote         int
	}{
		{"keeps colours, fonts and boxes", "color:#fff;font-size:14px;padding:0 4px", "color: #fff; font-size: 14px; padding: 0 4px", 0},
		{"lowercases names and collapses spaces", "  FONT-WEIGHT :  bold ;", "font-weight: bold", 0},
		{"drops unknown properties", "position:absolute;z-index:10;color:red", "color: red", 0},
		{"drops values with url()", "background:url(data:image/png;base64,AAAA);color:red", "color: red", 0},
		{"counts remote urls", "background:url('https://x.example/a.png');background-image:url(//x.example/b.png)", "", 2},
		{"drops functions other than colours", "width:calc(1px + 2px);color:hsla(0,0%,0%,.5);height:var(--x)", "color: hsla(0,0%,0%,.5)", 0},
		{"drops escapes and comments", `color:r\65d;margin:0/**/auto`, "", 0},
		{"drops expression in any case", "width:EXPRESSION(alert(1))", "", 0},
		{"keeps quoted font names", `font-family:"Segoe UI", 'Noto Sans', sans-serif`, `font-family: "Segoe UI", 'Noto Sans', sans-serif`, 0},
		{"keeps non-ASCII font names", "font-family:微软雅黑", "font-family: 微软雅黑", 0},
		{"drops unbalanced quotes", `font-family:"a`, "", 0},
		{"keeps important", "color:red ! important", "color: red !important", 0},
		{"drops other bangs", "color:red !ie", "", 0},
		{"splits only outside quotes and parentheses", `font-family:"a;b";color:rgb(1,2,3)`, "color: rgb(1,2,3)", 0},
		{"drops unknown display values", "display:contents;display:none", "display: none", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, remote := cleanStyle(tc.in)
			if got != tc.want || remote != tc.remote {
				t.Errorf("cleanStyle(%q) = %q, %d; want %q, %d", tc.in, got, remote, tc.want, tc.remote)
			}
			if got != "" && !styleAttrPattern.MatchString(got) {
				t.Errorf("%q does not match the bluemonday style pattern", got)
			}
		})
	}
}

func TestTextToHTML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"escapes markup and keeps line breaks",
			"a <b> & c\r\nd",
			`<div style="white-space: pre-wrap">a &lt;b&gt; &amp; c` + "\n" + `d</div>`},
		{"links http, https and mailto URLs",
			"see https://example.com/a?b=1&c=2, or mailto:ann@example.com.",
			`<div style="white-space: pre-wrap">see <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">https://example.com/a?b=1&amp;c=2</a>, or <a href="mailto:ann@example.com" target="_blank" rel="noopener noreferrer">mailto:ann@example.com</a>.</div>`},
		{"keeps balanced parentheses in URLs and drops a closing one",
			"(https://en.example.org/wiki/A_(b))",
			`<div style="white-space: pre-wrap">(<a href="https://en.example.org/wiki/A_(b)" target="_blank" rel="noopener noreferrer">https://en.example.org/wiki/A_(b)</a>)</div>`},
		{"does not link other schemes",
			"javascript:alert(1) file:///etc/passwd",
			`<div style="white-space: pre-wrap">javascript:alert(1) file:///etc/passwd</div>`},
		{"removes NUL bytes",
			"a\x00b",
			`<div style="white-space: pre-wrap">ab</div>`},
		{"shows empty text as an empty block",
			"",
			`<div style="white-space: pre-wrap"></div>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := TextToHTML(tc.in)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if s := Sanitize(got, SanitizeOptions{}).HTML; s != got {
				t.Errorf("Sanitize changes it:\n%s", s)
			}
		})
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"separates blocks and collapses spaces", "<h1>Title</h1>\n<p>one   two\nthree</p><div>four</div>", "Title\n\none two three\n\nfour"},
		{"drops scripts, styles and titles", "<title>T</title><style>p{}</style><script>x()</script><p>body</p>", "body"},
		{"keeps preformatted text", "<pre>a\n  b</pre>", "a\n  b"},
		{"lists items and cells", "<ul><li>a</li><li>b</li></ul><table><tr><td>c</td><td>d</td></tr></table>", "- a\n- b\n\nc d"},
		{"decodes entities", "caf&eacute; &amp; &lt;tag&gt;", "café & <tag>"},
		{"breaks lines at br", "a<br>b<br/><br>c", "a\nb\n\nc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTMLToText(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"collapses whitespace to one line", "  Hello,\n\n  world\t! ", 40, "Hello, world !"},
		{"cuts at n runes with an ellipsis", "Grüße aus Zürich", 8, "Grüße a…"},
		{"keeps text of exactly n runes", "abcde", 5, "abcde"},
		{"drops control and bidi characters", "a\x00b\u202ec", 10, "abc"},
		{"returns nothing for n <= 0", "abc", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Snippet(tc.in, tc.n); got != tc.want {
				t.Errorf("Snippet(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	date := time.Date(2025, 3, 4, 9, 15, 0, 0, time.UTC)
	t.Run("quotes text with one more level", func(t *testing.T) {
		got := QuoteText("Hello\r\n\r\n> earlier\nBye\n", "Ann <ann@example.com>", date)
		want := "On Tue, 4 Mar 2025 at 09:15, Ann <ann@example.com> wrote:\n> Hello\n>\n>> earlier\n> Bye\n"
		if got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
	t.Run("quotes HTML sanitised in a blockquote", func(t *testing.T) {
		got := QuoteHTML(`<p onclick="x()">Hi <img src="https://t.example/p.gif"></p><script>s()</script>`, "Ann <ann@example.com>", date, SanitizeOptions{})
		want := `<div>On Tue, 4 Mar 2025 at 09:15, Ann &lt;ann@example.com&gt; wrote:</div><blockquote type="cite" style="margin: 0 0 0 0.8ex; border-left: 1px solid #cccccc; padding-left: 1ex"><p>Hi </p></blockquote>`
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		if again := Sanitize(got, SanitizeOptions{}).HTML; again != got {
			t.Errorf("QuoteHTML output is not Sanitize output: %s", again)
		}
	})
	t.Run("writes an attribution without a date", func(t *testing.T) {
		if got := Attribution("", time.Time{}); got != "Someone wrote:" {
			t.Errorf("got %q", got)
		}
	})
}

func TestForward(t *testing.T) {
	m := &Message{
		From:    []Address{{"Ann", "ann@example.com"}},
		To:      []Address{{"", "bob@example.org"}},
		Subject: "Plans <draft>",
		Date:    time.Date(2025, 3, 4, 9, 15, 0, 0, time.UTC),
		Text:    "See you.",
		HTML:    `<p>See <b>you</b>.</p><script>x()</script>`,
	}
	text := ForwardText(m)
	if want := "---------- Forwarded message ----------\nFrom: Ann <ann@example.com>\nDate: Tue, 4 Mar 2025 at 09:15\nSubject: Plans <draft>\nTo: bob@example.org\n\nSee you."; text != want {
		t.Errorf("ForwardText = %q\nwant %q", text, want)
	}
	h := ForwardHTML(m, SanitizeOptions{})
	if !strings.Contains(h, "Subject: Plans &lt;draft&gt;") || !strings.Contains(h, "<p>See <b>you</b>.</p>") || strings.Contains(h, "script") {
		t.Errorf("ForwardHTML = %s", h)
	}
	if r := unsafeReasons(h, true); len(r) > 0 {
		t.Errorf("unsafe: %v", r)
	}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		name    string
		allow   bool
		wantCSP string
	}{
		{"allows no network source while images are blocked", false, "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"},
		{"allows http(s) images only when asked", true, "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := Document("<p>x</p>", DocumentOptions{AllowRemoteImages: tc.allow})
			if !strings.HasPrefix(doc, `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="`+tc.wantCSP+`">`) {
				t.Errorf("document head: %s", clip(doc, 300))
			}
			if !strings.HasSuffix(doc, "<body><p>x</p></body></html>") {
				t.Errorf("document body: %s", doc)
			}
			if !strings.Contains(doc, `<meta name="referrer" content="no-referrer">`) {
				t.Error("no referrer policy")
			}
		})
	}
}

func TestRepliesAndForwardsAreWrittenInTheUsersLanguage(t *testing.T) {
	date := time.Date(2025, 3, 4, 9, 15, 0, 0, time.UTC)
	if got, want := French.QuoteText("Bonjour\n", "Ann <ann@example.com>", date), "Le mar. 4 mars 2025 à 09:15, Ann <ann@example.com> a écrit\u00a0:\n> Bonjour\n"; got != want {
		t.Errorf("French quote:\n%q\nwant\n%q", got, want)
	}
	if got := French.Attribution("", time.Time{}); got != "Quelqu’un a écrit\u00a0:" {
		t.Errorf("French attribution without author or date: %q", got)
	}
	if got := French.QuoteHTML("<p>Salut</p>", "Ann", date, SanitizeOptions{}); !strings.Contains(got, "Le mar. 4 mars 2025 à 09:15, Ann a écrit") {
		t.Errorf("French HTML quote: %s", got)
	}
	m := &Message{Subject: "Plans", Date: date, Text: "Voir.", From: []Address{{Name: "Ann", Email: "ann@example.com"}},
		To: []Address{{Email: "bob@example.org"}}, Cc: []Address{{Email: "eve@example.org"}}}
	if got, want := French.ForwardText(m), "---------- Message transféré ----------\nDe: Ann <ann@example.com>\nDate: mar. 4 mars 2025 à 09:15\nObjet: Plans\nÀ: bob@example.org\nCc: eve@example.org\n\nVoir."; got != want {
		t.Errorf("French forward:\n%s\nwant\n%s", got, want)
	}
	if got := French.ForwardHTML(m, SanitizeOptions{}); !strings.Contains(got, "Message transféré") || !strings.Contains(got, "Objet: Plans") {
		t.Errorf("French HTML forward: %s", got)
	}
	if English.ForwardText(m) != ForwardText(m) || English.QuoteText("x", "A", date) != QuoteText("x", "A", date) {
		t.Error("the English methods and the package functions differ")
	}
}
