package message

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// HTMLToText renders mail HTML as plain text, for search, previews and the
// text part of replies: scripts, styles and titles dropped, entities
// decoded, blocks on their own lines, whitespace collapsed except in <pre>.
func HTMLToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	t := &textWriter{lineStart: true}
	skip := ""
	pre := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return t.String()
		case html.TextToken:
			if skip == "" {
				t.text(string(z.Text()), pre > 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "title", "noscript", "template", "textarea", "xmp", "noembed", "noframes", "iframe":
				if tt == html.StartTagToken {
					skip = tag
				}
			case "br":
				t.newline()
			case "li":
				t.line()
				t.text("- ", true)
			case "td", "th":
				t.space()
			case "pre":
				t.paragraph()
				if tt == html.StartTagToken {
					pre++
				}
			default:
				if paragraphTags[tag] {
					t.paragraph()
				} else if lineTags[tag] {
					t.line()
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case tag == skip:
				skip = ""
			case tag == "pre":
				if pre > 0 {
					pre--
				}
				t.paragraph()
			case paragraphTags[tag]:
				t.paragraph()
			case lineTags[tag]:
				t.line()
			}
		}
	}
}

var (
	paragraphTags = setOf("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "dl", "table", "hr", "address", "figure")
	lineTags      = setOf("div", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "aside", "main", "center", "caption", "form", "fieldset", "details", "summary", "figcaption", "hgroup")
)

// textWriter builds text with at most one blank line in a row and no
// trailing spaces.
type textWriter struct {
	b         strings.Builder
	lineStart bool
	newlines  int // newlines at the end of b
	pending   bool
}

func (t *textWriter) text(s string, literal bool) {
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case r == '\n' && literal:
			t.newline()
			continue
		case unicode.IsSpace(r) || r == 0:
			if literal && r != 0 {
				t.write(r)
			} else if !t.lineStart {
				t.pending = true
			}
			continue
		}
		if t.pending {
			t.b.WriteByte(' ')
			t.pending = false
		}
		t.write(r)
	}
}

func (t *textWriter) write(r rune) {
	t.b.WriteRune(r)
	t.lineStart, t.newlines = false, 0
}

func (t *textWriter) space() {
	if !t.lineStart {
		t.pending = true
	}
}

func (t *textWriter) newline() {
	t.pending = false
	if t.newlines >= 2 || t.b.Len() == 0 {
		return
	}
	t.b.WriteByte('\n')
	t.newlines++
	t.lineStart = true
}

func (t *textWriter) line() {
	if !t.lineStart {
		t.newline()
	}
	t.pending = false
}

func (t *textWriter) paragraph() {
	t.line()
	if t.newlines < 2 {
		t.newline()
	}
}

func (t *textWriter) String() string {
	lines := strings.Split(t.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// Snippet is a one-line preview of text: whitespace collapsed, control
// characters dropped, at most n runes, with "…" when cut.
func Snippet(text string, n int) string {
	if n <= 0 {
		return ""
	}
	out := make([]rune, 0, n+1)
	space := false
	for _, r := range text {
		switch {
		case unicode.IsSpace(r):
			space = len(out) > 0
			continue
		case unicode.IsControl(r) || r == '\uFFFD' || unicode.Is(unicode.Bidi_Control, r):
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, r)
		if len(out) > n {
			out = append(out[:n-1], '…')
			return string(out)
		}
	}
	return string(out)
}

// urlInText finds links in plain text.
var urlInText = regexp.MustCompile(`(?i)\b(?:https?://|mailto:)[^\s<>"]+`)

// TextToHTML shows plain-text mail as HTML: escaped, line breaks and spaces
// kept, http(s) and mailto URLs turned into links that open outside. Its
// output is what Sanitize would return for it.
func TextToHTML(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.ReplaceAll(text, "\x00", "")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var b strings.Builder
	b.Grow(len(text) + len(text)/8 + 64)
	b.WriteString(`<div style="white-space: pre-wrap">`)
	last := 0
	for _, m := range urlInText.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		end = start + len(trimURLEnd(text[start:end]))
		href, ok := cleanLink(text[start:end])
		if !ok || end <= start {
			continue
		}
		b.WriteString(html.EscapeString(text[last:start]))
		b.WriteString(`<a href="`)
		b.WriteString(html.EscapeString(href))
		b.WriteString(`" target="_blank" rel="noopener noreferrer">`)
		b.WriteString(html.EscapeString(text[start:end]))
		b.WriteString(`</a>`)
		last = end
	}
	b.WriteString(html.EscapeString(text[last:]))
	b.WriteString(`</div>`)
	return b.String()
}

// trimURLEnd drops the punctuation that ends a sentence rather than a URL,
// and a closing bracket that has no opening one in the URL.
func trimURLEnd(u string) string {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?'*", c) >= 0:
			u = u[:len(u)-1]
		case c == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
			u = u[:len(u)-1]
		case c == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
			u = u[:len(u)-1]
		case c == '}' && strings.Count(u, "{") < strings.Count(u, "}"):
			u = u[:len(u)-1]
		default:
			return u
		}
	}
	return u
}
