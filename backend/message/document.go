package message

import (
	"fmt"
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

// Lang is the language of the lines Mailroom writes into a reply or a forward (the
// attribution, the forward's header block): the user's language, "fr" or "en".
// Go's time package formats dates in English only and no maintained library formats
// French dates, so the few words needed are here.
type Lang string

// The languages of the interface.
const (
	English Lang = "en"
	French  Lang = "fr"
)

var (
	frDays   = [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}
	frMonths = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
)

func (l Lang) date(t time.Time) string {
	if l == French {
		return fmt.Sprintf("%s %d %s %d à %s", frDays[t.Weekday()], t.Day(), frMonths[t.Month()-1], t.Year(), t.Format("15:04"))
	}
	return t.Format("Mon, 2 Jan 2006 at 15:04")
}

// Attribution is the line above a quote: "On Mon, 2 Jan 2006 at 15:04, Ann
// <ann@example.com> wrote:" ("Le lun. 2 janv. 2006 à 15:04, Ann … a écrit :").
func (l Lang) Attribution(author string, date time.Time) string {
	author = strings.TrimSpace(author)
	if l == French {
		if author == "" {
			author = "quelqu’un"
		}
		if date.IsZero() {
			return capitalise(author) + " a écrit\u00a0:"
		}
		return "Le " + l.date(date) + ", " + author + " a écrit\u00a0:"
	}
	if author == "" {
		author = "someone"
	}
	if date.IsZero() {
		return capitalise(author) + " wrote:"
	}
	return "On " + l.date(date) + ", " + author + " wrote:"
}

// Attribution is English's attribution line.
func Attribution(author string, date time.Time) string { return English.Attribution(author, date) }

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
	return English.QuoteText(text, author, date)
}

// QuoteText is QuoteText with the attribution in l.
func (l Lang) QuoteText(text, author string, date time.Time) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.TrimRight(text, "\n")
	var b strings.Builder
	b.WriteString(l.Attribution(author, date))
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
	return English.QuoteHTML(body, author, date, opt)
}

// QuoteHTML is QuoteHTML with the attribution in l.
func (l Lang) QuoteHTML(body, author string, date time.Time, opt SanitizeOptions) string {
	inner := Sanitize(body, opt).HTML
	q := `<div>` + html.EscapeString(l.Attribution(author, date)) + `</div>` +
		`<blockquote type="cite" style="` + quoteStyle + `">` + inner + `</blockquote>`
	return Sanitize(q, opt).HTML
}

// forwardFields are the lines of a forwarded message's header block.
func (l Lang) forwardFields(m *Message) [][2]string {
	join := func(list []Address) string {
		s := make([]string, len(list))
		for i, a := range list {
			s[i] = a.String()
		}
		return strings.Join(s, ", ")
	}
	names := [5]string{"From", "Date", "Subject", "To", "Cc"}
	if l == French {
		names = [5]string{"De", "Date", "Objet", "À", "Cc"}
	}
	f := [][2]string{{names[0], join(m.From)}}
	if !m.Date.IsZero() {
		f = append(f, [2]string{names[1], l.date(m.Date)})
	}
	f = append(f, [2]string{names[2], m.Subject}, [2]string{names[3], join(m.To)})
	if len(m.Cc) > 0 {
		f = append(f, [2]string{names[4], join(m.Cc)})
	}
	return f
}

func (l Lang) forwardLine() string {
	if l == French {
		return "---------- Message transféré ----------"
	}
	return "---------- Forwarded message ----------"
}

// ForwardText is the plain-text body of a forward of m: a header block, then
// m's text.
func ForwardText(m *Message) string { return English.ForwardText(m) }

// ForwardText is ForwardText with the header block in l.
func (l Lang) ForwardText(m *Message) string {
	var b strings.Builder
	b.WriteString(l.forwardLine() + "\n")
	for _, f := range l.forwardFields(m) {
		b.WriteString(f[0] + ": " + f[1] + "\n")
	}
	b.WriteString("\n")
	b.WriteString(m.Text)
	return b.String()
}

// ForwardHTML is the HTML body of a forward of m: a header block, then m's
// HTML sanitised with opt (or its text, shown as HTML).
func ForwardHTML(m *Message, opt SanitizeOptions) string { return English.ForwardHTML(m, opt) }

// ForwardHTML is ForwardHTML with the header block in l.
func (l Lang) ForwardHTML(m *Message, opt SanitizeOptions) string {
	var b strings.Builder
	b.WriteString("<div>" + html.EscapeString(l.forwardLine()) + "<br>")
	for _, f := range l.forwardFields(m) {
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
