package outbox

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"mailroom/backend/fault"
)

// Address is a name and an email address.
type Address struct {
	Name  string
	Email string
}

// Attachment is a file carried by a message. With a ContentID it is inline, referenced
// from the HTML as "cid:<ContentID>".
type Attachment struct {
	Filename    string
	ContentType string // "" : application/octet-stream
	Data        []byte
	ContentID   string
}

// Compose is a message as the composer, a template or an automation writes it.
type Compose struct {
	From        Address
	To, Cc, Bcc []Address
	ReplyTo     *Address
	Subject     string
	Text        string // text/plain body; with HTML too, the two are alternatives
	HTML        string // text/html body, already sanitised by the caller
	Attachments []Attachment
	InReplyTo   string   // Message-ID of the message answered, without <>
	References  []string // Message-IDs of the thread, oldest first, without <>
	MessageID   string   // "": a new one in the sender's domain
	Date        time.Time
	// ListUnsubscribe is the address a recipient writes to to stop getting these mails
	// (bulk and automated sends): List-Unsubscribe: <mailto:…?subject=unsubscribe>
	// (RFC 2369). No List-Unsubscribe-Post (RFC 8058): that one-click form needs an https
	// endpoint, and a desktop app has none to offer.
	ListUnsubscribe string
}

// userAgent names the app in what it sends, instead of the library's default.
const userAgent = "Mailroom"

// Render builds the RFC 5322 message of c with go-mail (MIME structure, encodings,
// RFC 2047 words) and returns its envelope: the sender, and every To, Cc and Bcc
// recipient. Bcc recipients are in the envelope only, never in the header.
func Render(c Compose) (Envelope, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from, ok := bareAddress(c.From.Email)
	if !ok {
		return Envelope{}, ErrFromInvalid.Field("from", fault.P{"address": c.From.Email})
	}
	if err := m.FromFormat(c.From.Name, from); err != nil {
		return Envelope{}, ErrFromInvalid.Field("from", fault.P{"address": c.From.Email})
	}
	env := Envelope{From: from}
	for _, set := range []struct {
		field string
		addrs []Address
		add   func(name, email string) error
	}{
		{"to", c.To, m.AddToFormat}, {"cc", c.Cc, m.AddCcFormat}, {"bcc", c.Bcc, m.AddBccFormat},
	} {
		for _, a := range set.addrs {
			email, ok := bareAddress(a.Email)
			if !ok {
				return Envelope{}, ErrAddressInvalid.Field(set.field, fault.P{"address": a.Email})
			}
			if err := set.add(a.Name, email); err != nil {
				return Envelope{}, ErrAddressInvalid.Field(set.field, fault.P{"address": a.Email})
			}
			env.To = append(env.To, email)
		}
	}
	if len(env.To) == 0 {
		return Envelope{}, ErrNoRecipient.Field("to", nil)
	}
	if c.ReplyTo != nil {
		if err := m.ReplyToFormat(c.ReplyTo.Name, strings.TrimSpace(c.ReplyTo.Email)); err != nil {
			return Envelope{}, ErrAddressInvalid.Field("replyTo", fault.P{"address": c.ReplyTo.Email})
		}
	}
	m.Subject(c.Subject)
	id := strings.Trim(strings.TrimSpace(c.MessageID), "<>")
	if id == "" {
		id = newMessageID(from)
	} else if !validMsgID(id) {
		return Envelope{}, ErrMessageIDInvalid.Field("messageId", fault.P{"messageId": id})
	}
	m.SetMessageIDWithValue(id)
	env.MessageID = id
	if c.Date.IsZero() {
		m.SetDate()
	} else {
		m.SetDateWithValue(c.Date)
	}
	m.SetUserAgent(userAgent)
	if r := strings.Trim(strings.TrimSpace(c.InReplyTo), "<>"); r != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+r+">")
	}
	if len(c.References) > 0 {
		refs := make([]string, 0, len(c.References))
		for _, r := range c.References {
			if r = strings.Trim(strings.TrimSpace(r), "<>"); r != "" {
				refs = append(refs, "<"+r+">")
			}
		}
		if len(refs) > 0 {
			m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
		}
	}
	if u := strings.TrimSpace(c.ListUnsubscribe); u != "" {
		a, ok := bareAddress(u)
		if !ok {
			return Envelope{}, ErrAddressInvalid.Field("listUnsubscribe", fault.P{"address": u})
		}
		m.SetGenHeader(gomail.Header("List-Unsubscribe"), "<mailto:"+a+"?subject=unsubscribe>")
	}
	switch {
	case c.HTML != "" && c.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, c.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, c.HTML)
	case c.HTML != "":
		m.SetBodyString(gomail.TypeTextHTML, c.HTML)
	default:
		m.SetBodyString(gomail.TypeTextPlain, c.Text)
	}
	for _, a := range c.Attachments {
		name := strings.TrimSpace(a.Filename)
		if name == "" {
			return Envelope{}, ErrAttachmentNoName.Field("attachments", nil)
		}
		ct := gomail.ContentType(a.ContentType)
		if ct == "" {
			ct = gomail.TypeAppOctetStream
		}
		opts := []gomail.FileOption{gomail.WithFileContentType(ct)}
		var err error
		if a.ContentID != "" {
			opts = append(opts, gomail.WithFileContentID(a.ContentID))
			err = m.EmbedReader(name, bytes.NewReader(a.Data), opts...)
		} else {
			err = m.AttachReader(name, bytes.NewReader(a.Data), opts...)
		}
		if err != nil {
			return Envelope{}, fmt.Errorf("outbox: render: attach %q: %w", name, err)
		}
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return Envelope{}, fmt.Errorf("outbox: render: %w", err)
	}
	env.Raw = buf.Bytes()
	return env, nil
}
