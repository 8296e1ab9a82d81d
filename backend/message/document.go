package message

import (
	"strings"
	"time"

	"golang.org/x/net/html"
)

// DocumentOptions shapes the document Document builds.
type DocumentOptions struct {
	// AllowRemoteImages lets the Content-Security-Policy load http(s)
	// images. Pass the same value given to Sanitize.
	AllowRemoteImages bool
}

// documentCSS is the default look of a message: a readable font, images that
// fit, quotes marked.
const documentCSS = `html{color-scheme:light}` +
	`body{margin:0;padding:16px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff;overflow-wrap:break-word}` +
	`img{max-width:100%;height:auto}` +
	`table{max-width:100%}` +
	`pre{white-space:pre-wrap}` +
	`a{color:#0b57d0}`

// ContentSecurityPolicy is the policy Document sets. Nothing may load but
// data: images (inline ones) and, when allowed, http(s) images; styles only
// inline; no base URL, no form target. Scripts, frames, fonts, media,
// connections and prefetches fall under default-src 'none'.
func ContentSecurityPolicy(allowRemoteImages bool) string {
	img := "data:"
	if allowRemoteImages {
		img += " https: http:"
	}
	return "default-src 'none'; img-src " + img + "; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
}

// Document wraps a body from Sanitize, TextToHTML or QuoteHTML into the full
// HTML document the message view puts in its iframe's srcdoc. The iframe
// must be sandboxed without allow-scripts and allow-same-origin; the
// document's Content-Security-Policy is a second wall. Document does not
// sanitise body.
func Document(body string, opt DocumentOptions) string {
	var b strings.Builder
	b.Grow(len(body) + 1024)
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8">`)
	b.WriteString(`<meta http-equiv="Content-Security-Policy" content="`)
	b.WriteString(ContentSecurityPolicy(opt.AllowRemoteImages)) // no " & < in it
	b.WriteString(`"><meta name="referrer" content="no-referrer">`)
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1">`)
	b.WriteString(`<style>`)
	b.WriteString(documentCSS)
	b.WriteString(`</style></head><body>`)
	b.WriteString(body)
	b.WriteString(`</body></html>`)
	return b.String()
}

// Attribution is the line above a quote: "On Mon, 2 Jan 2006 at 15:04,
// Ann <ann@example.com> wrote:". It is English; a localised composer may
// write its own line.
func Attribution(author string, date time.Time) string {
	author = strings.TrimSpace(author)
	if author == "" {
		author = "someone"
	}
	if date.IsZero() {
		return capitalise(author) + " wrote:"
	}
	return "On " + date.Format("Mon, 2 Jan 2006 at 15:04") + ", " + author + " wrote:"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// QuoteText quotes a plain-text body for a reply: the attribution line, then
// each line prefixed with "> " (">" before lines already quoted, so
// levels stay readable).
func QuoteText(text, author string, date time.Time) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.TrimRight(text, "\n")
	var b strings.Builder
	b.WriteString(Attribution(author, date))
	b.WriteByte('\n')
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, ">"):
			b.WriteString(">")
		case line == "":
			b.WriteString(">")
		default:
			b.WriteString("> ")
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// quoteStyle marks a quote in the message itself, so it shows in any client.
const quoteStyle = "margin: 0 0 0 0.8ex; border-left: 1px solid #cccccc; padding-left: 1ex"

// QuoteHTML quotes an HTML body for a reply: the attribution line, then the
// body, sanitised with opt, in a blockquote. The result is Sanitize output,
// so it is safe in the composer and in the message sent.
func QuoteHTML(body, author string, date time.Time, opt SanitizeOptions) string {
	inner := Sanitize(body, opt).HTML
	q := `<div>` + html.EscapeString(Attribution(author, date)) + `</div>` +
		`<blockquote type="cite" style="` + quoteStyle + `">` + inner + `</blockquote>`
	return Sanitize(q, opt).HTML
}

// forwardFields are the lines of a forwarded message's header block.
func forwardFields(m *Message) [][2]string {
	join := func(l []Address) string {
		s := make([]string, len(l))
		for i, a := range l {
			s[i] = a.String()
		}
		return strings.Join(s, ", ")
	}
	f := [][2]string{{"From", join(m.From)}}
	if !m.Date.IsZero() {
		f = append(f, [2]string{"Date", m.Date.Format("Mon, 2 Jan 2006 at 15:04")})
	}
	f = append(f, [2]string{"Subject", m.Subject}, [2]string{"To", join(m.To)})
	if len(m.Cc) > 0 {
		f = append(f, [2]string{"Cc", join(m.Cc)})
	}
	return f
}

const forwardLine = "---------- Forwarded message ----------"

// ForwardText is the plain-text body of a forward of m: a header block, then
// m's text.
func ForwardText(m *Message) string {
	var b strings.Builder
	b.WriteString(forwardLine + "\n")
	for _, f := range forwardFields(m) {
		b.WriteString(f[0] + ": " + f[1] + "\n")
	}
	b.WriteString("\n")
	b.WriteString(m.Text)
	return b.String()
}

// ForwardHTML is the HTML body of a forward of m: a header block, then m's
// HTML sanitised with opt (or its text, shown as HTML).
func ForwardHTML(m *Message, opt SanitizeOptions) string {
	var b strings.Builder
	b.WriteString("<div>" + html.EscapeString(forwardLine) + "<br>")
	for _, f := range forwardFields(m) {
		b.WriteString(html.EscapeString(f[0]+": "+f[1]) + "<br>")
	}
	b.WriteString("</div><br>")
	if m.HTML != "" {
		b.WriteString(Sanitize(m.HTML, opt).HTML)
	} else {
		b.WriteString(TextToHTML(m.Text))
	}
	return Sanitize(b.String(), opt).HTML
}
