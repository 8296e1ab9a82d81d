package message

import (
	"strings"

	"mailroom/backend/fault"
)

// DraftMode is what a draft answers: a reply to the sender, a reply to all, or a forward.
type DraftMode string

// The draft modes.
const (
	Reply    DraftMode = "reply"
	ReplyAll DraftMode = "reply_all"
	Forward  DraftMode = "forward"
)

// ErrDraftMode is a draft asked for with a mode other than reply, reply to all or forward.
var ErrDraftMode = fault.Define("draft_mode_unknown", fault.InvalidInput,
	"choose reply, reply to all or forward (not {mode})")

// Draft is a reply or a forward ready for the composer: its recipients, subject, threading
// headers, and the original quoted as text and, when it had HTML, as sanitised HTML.
type Draft struct {
	To, Cc     []Address
	Subject    string
	InReplyTo  string
	References []string
	Text       string // the quote (or the forwarded message) as text, for the composer
	QuotedHTML string // sanitised; "" when the original had no HTML
}

// Draft prepares a reply or a forward of orig, with the lines Mailroom writes (the
// attribution, the forward's header block) in l. self is the address of the account that
// answers: a reply to all leaves it out, as it leaves out the addresses already in To.
// The subject gets "Re: " or "Fwd: " unless it has it already.
//
//	d, err := message.French.Draft(orig, message.ReplyAll, "me@example.com")
func (l Lang) Draft(orig *Message, mode DraftMode, self string) (Draft, error) {
	d := Draft{To: []Address{}, Cc: []Address{}, References: []string{}}
	opt := SanitizeOptions{}
	switch mode {
	case Reply, ReplyAll:
		d.Subject = prefixed("Re: ", orig.Subject)
		d.To = append(d.To, orig.ReplyTo...)
		if len(d.To) == 0 {
			d.To = append(d.To, orig.From...)
		}
		if mode == ReplyAll {
			seen := map[string]bool{strings.ToLower(self): true}
			for _, a := range d.To {
				seen[strings.ToLower(a.Email)] = true
			}
			for _, a := range append(append([]Address{}, orig.To...), orig.Cc...) {
				if !seen[strings.ToLower(a.Email)] {
					seen[strings.ToLower(a.Email)] = true
					d.Cc = append(d.Cc, a)
				}
			}
		}
		d.InReplyTo = orig.MessageID
		if orig.MessageID != "" {
			d.References = append(d.References, orig.MessageID)
		}
		author := author(orig)
		d.Text = l.QuoteText(orig.Text, author, orig.Date)
		if orig.HTML != "" {
			d.QuotedHTML = l.QuoteHTML(orig.HTML, author, orig.Date, opt)
		}
	case Forward:
		d.Subject = prefixed("Fwd: ", orig.Subject)
		d.Text = l.ForwardText(orig)
		if orig.HTML != "" {
			d.QuotedHTML = l.ForwardHTML(orig, opt)
		}
	default:
		return Draft{}, ErrDraftMode.Field("mode", fault.P{"mode": string(mode)})
	}
	return d, nil
}

// author names the original's writer for the attribution: the first From's name, else
// its address.
func author(m *Message) string {
	if len(m.From) == 0 {
		return ""
	}
	if m.From[0].Name != "" {
		return m.From[0].Name
	}
	return m.From[0].Email
}

func prefixed(prefix, subject string) string {
	if strings.HasPrefix(strings.ToLower(subject), strings.ToLower(prefix)) {
		return subject
	}
	return prefix + subject
}

// ComposedBody returns the text and HTML parts of a message written in the composer:
// the user's text, and, when it answers an HTML original, the quote as HTML after it
// (re-sanitised here: whatever the composer sends, only what the sanitiser allows leaves)
// with its text version completing the text part, for readers that show only text. html
// is "" for a message of text only.
func ComposedBody(text, quotedText, quotedHTML string) (plain, html string) {
	return SignedBody(text, "", quotedText, quotedHTML)
}

// AppendSignature adds a rendered signature ("" for none; sanitised here again) after a
// body that has both parts already (a template's): in a <div class="signature"> in the HTML
// part and after the usual "-- " line in the text part.
func AppendSignature(text, html, signature string) (string, string) {
	if strings.TrimSpace(signature) == "" {
		return text, html
	}
	sig := Sanitize(signature, SanitizeOptions{AllowRemoteImages: true}).HTML
	if strings.TrimSpace(sig) == "" {
		return text, html
	}
	if html == "" {
		html = TextToHTML(text)
	}
	return strings.TrimRight(text, "\n") + "\n\n-- \n" + HTMLToText(sig), html + `<div class="signature">` + sig + `</div>`
}

// SignedBody is ComposedBody with a signature: signature is its rendered HTML ("" for
// none), sanitised here again. It follows the text typed, before the quote, in a
// <div class="signature"> in the HTML part and after the usual "-- " line in the text part.
// A signed message always has an HTML part.
func SignedBody(text, signature, quotedText, quotedHTML string) (plain, html string) {
	plain = text
	sig := ""
	if strings.TrimSpace(signature) != "" {
		sig = Sanitize(signature, SanitizeOptions{AllowRemoteImages: true}).HTML
	}
	if sig != "" {
		plain = strings.TrimRight(text, "\n") + "\n\n-- \n" + HTMLToText(sig)
	}
	if quotedHTML == "" {
		if sig == "" {
			return plain, ""
		}
		return plain, TextToHTML(text) + `<div class="signature">` + sig + `</div>`
	}
	if strings.TrimSpace(quotedText) != "" {
		plain = strings.TrimRight(plain, "\n") + "\n\n" + quotedText
	}
	if sig != "" {
		sig = `<div class="signature">` + sig + `</div>`
	}
	return plain, TextToHTML(text) + sig + Sanitize(quotedHTML, SanitizeOptions{AllowRemoteImages: true}).HTML
}
