package templates

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mailroom/backend/message"
	"mailroom/backend/records"
)

// fuzzValues is a contact whose first name is v, over the fixture's schema.
func fuzzValues(s *records.Schema, v string) values {
	c := s.TypeByKey(records.ContactType)
	return values{schema: s, records: map[string]records.Record{
		"contact": {TypeID: c.ID, Values: records.Values{"first_name": v}},
	}}
}

// textOf is the text a reader sees in the one <p> of h, and whether h holds exactly that
// element (nothing a value could have added).
func textOf(h string) (string, bool) {
	doc, err := html.Parse(strings.NewReader(h))
	if err != nil {
		return "", false
	}
	var b strings.Builder
	ps := 0
	for n := range doc.Descendants() {
		switch {
		case n.Type == html.ElementNode && n.Data == "p":
			ps++
		case n.Type == html.ElementNode && n.Data != "html" && n.Data != "head" && n.Data != "body":
			return "", false
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		}
	}
	return b.String(), ps == 1
}

// FuzzRenderValue renders <p>{{contact.first_name | default: "?"}}</p> with any name.
// Properties:
//   - rendering never panics and never fails;
//   - the value is escaped exactly once: the HTML holds the template's <p> and nothing
//     else, and its text is the value as a reader should see it (control characters
//     removed; the default when blank) — never markup (escaped zero times) and never
//     "&amp;lt;" (escaped twice);
//   - escaping is idempotent: rendering again with the text a reader saw as the value gives
//     the same HTML byte for byte, and the sanitiser leaves the HTML as it is (a fixed point).
func FuzzRenderValue(f *testing.F) {
	fx := newFixture(f)
	s, err := fx.r.Schema(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	c, err := compile(Draft{HTML: `<p>{{contact.first_name | default: "?"}}</p>`, Language: "fr"}, newKnown(s))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"Élise", `<img src=x onerror=alert(1)>`, "&amp;", "&lt;b&gt;", "a\x00b", "\u00a0",
		`"'><script>alert(1)</script>`, "]]>", "<!--", "\r\n", "{{contact.first_name}}", "\xff\xfe", "  ", "a  b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out, err := c.render(fuzzValues(s, v), French, time.UTC)
		if err != nil {
			t.Fatalf("render %q: %v", v, err)
		}
		got, ok := textOf(out.HTML)
		if !ok {
			t.Fatalf("a value added markup: %q → %s", v, out.HTML)
		}
		want := clean(v, false)
		if strings.TrimSpace(want) == "" {
			want = "?"
		}
		if normalizeSpace(got) != normalizeSpace(want) {
			t.Fatalf("text %q, want %q (HTML %s)", got, want, out.HTML)
		}
		again, err := c.render(fuzzValues(s, got), French, time.UTC)
		if err != nil || again.HTML != out.HTML {
			t.Fatalf("not idempotent: %q → %s → %q → %s", v, out.HTML, got, again.HTML)
		}
		if san := message.Sanitize(out.HTML, message.SanitizeOptions{AllowRemoteImages: true}).HTML; san != out.HTML {
			t.Fatalf("not a fixed point of the sanitiser: %s → %s", out.HTML, san)
		}
	})
}

// normalizeSpace: HTML parsing turns CR LF into LF and a lone CR into LF.
func normalizeSpace(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// FuzzCompileAndRender: any template text — parsed, checked and rendered — never panics;
// what is accepted renders.
func FuzzCompileAndRender(f *testing.F) {
	fx := newFixture(f)
	s, err := fx.r.Schema(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	k := newKnown(s)
	for _, seed := range []string{reminder("fr").HTML, `<a href="{{contact.first_name}}">x</a>`, "{{", "}}{{",
		`<p title="{{contact.first_name}}`, `<script>{{contact.first_name}}</script>`, `<style>p{color:{{contact.first_name}}}</style>`,
		`{{contact.first_name | default: "\"}}`, "\x00[index .V 0]\x00", "{{user.name}}<!-- {{account.address}} -->"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := compile(Draft{Subject: src, HTML: src, Text: src, TextEdited: true, Language: "en"}, k)
		if err != nil {
			return
		}
		if _, err := c.render(fuzzValues(s, `<b>"x"</b>`), English, time.UTC); err != nil {
			t.Fatalf("accepted but does not render: %q: %v", src, err)
		}
	})
}
