package postmark

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // bodies in other charsets become UTF-8 JSON strings
	"github.com/emersion/go-message/mail"

	"mailroom/backend/fault"
)

// email is the JSON body of POST /email.
// https://postmarkapp.com/developer/user-guide/send-email-with-api
type email struct {
	From          string
	To            string       `json:",omitempty"`
	Cc            string       `json:",omitempty"`
	Bcc           string       `json:",omitempty"`
	Subject       string       `json:",omitempty"`
	Tag           string       `json:",omitempty"`
	HTMLBody      string       `json:"HtmlBody,omitempty"`
	TextBody      string       `json:",omitempty"`
	ReplyTo       string       `json:",omitempty"`
	Headers       []header     `json:",omitempty"`
	TrackOpens    *bool        `json:",omitempty"`
	TrackLinks    string       `json:",omitempty"`
	Attachments   []attachment `json:",omitempty"`
	MessageStream string       `json:",omitempty"`
}

type header struct {
	Name  string
	Value string
}

type attachment struct {
	Name        string
	Content     string // base64 of the decoded bytes
	ContentType string
	ContentID   string `json:",omitempty"` // "cid:…" for a part the HTML shows inline
}

// fieldHeaders are the headers Postmark writes itself, from the JSON fields or from the
// MIME structure it builds: sending them again as custom headers would duplicate them.
// Date is Postmark's to set, as it stamps the message when it accepts it; Sender and
// Return-Path are too, since Postmark sends as the From's signature with its own bounce
// address; Received and DKIM-Signature belong to the servers on the way, which Postmark is.
var fieldHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true, "Subject": true,
	"Date": true, "Mime-Version": true, "Sender": true, "Return-Path": true,
	"Received": true, "Dkim-Signature": true,
}

// convert reads a rendered message into Postmark's JSON form. It also returns the bare
// From address and the Message-ID without angle brackets. Its errors are permanent: the same
// message would fail the same way again.
func convert(raw []byte) (e *email, from, messageID string, err error) {
	invalid := func(part string, err error) (*email, string, string, error) {
		return nil, "", "", ErrMessageUnreadable.Wrap(err, fault.P{"part": part, "header": ""})
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return invalid("header", err)
	}
	h := mail.Header{Header: ent.Header}

	fromList, err := h.AddressList("From")
	if err != nil || len(fromList) != 1 {
		return invalid("from", err)
	}
	e = &email{From: formatAddress(fromList[0])}
	for _, f := range []struct {
		key string
		dst *string
	}{{"To", &e.To}, {"Cc", &e.Cc}, {"Bcc", &e.Bcc}, {"Reply-To", &e.ReplyTo}} {
		list, err := h.AddressList(f.key)
		if err != nil {
			return nil, "", "", ErrMessageUnreadable.Wrap(err, fault.P{"part": "address", "header": f.key})
		}
		*f.dst = formatAddresses(list)
	}
	if e.To == "" && e.Cc == "" && e.Bcc == "" {
		return invalid("recipient", nil)
	}
	if e.Subject, err = h.Subject(); err != nil {
		// An undecodable encoded word: Postmark gets the subject as written.
		e.Subject = h.Get("Subject")
	}
	messageID, _ = h.MessageID()

	fields := h.Fields()
	for fields.Next() {
		key := fields.Key()
		if fieldHeaders[key] || strings.HasPrefix(key, "Content-") {
			continue
		}
		name := key // canonical ("Message-Id"); the spelling the message used reads better
		if raw, err := fields.Raw(); err == nil {
			if colon := bytes.IndexByte(raw, ':'); colon > 0 {
				name = strings.TrimSpace(string(raw[:colon]))
			}
		}
		e.Headers = append(e.Headers, header{Name: name, Value: fields.Value()})
	}

	if err := ent.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) {
			return err // an unknown transfer encoding: the bytes cannot be decoded
		}
		mt, _, _ := part.Header.ContentType()
		if strings.HasPrefix(mt, "multipart/") {
			return nil // its parts come next
		}
		if mt == "" {
			mt = "text/plain" // RFC 2045's default
		}
		data, err := io.ReadAll(part.Body)
		if err != nil {
			return err
		}
		disp, _, _ := part.Header.ContentDisposition()
		name, _ := (&mail.AttachmentHeader{Header: part.Header}).Filename()
		if disp != "attachment" && name == "" {
			switch {
			case mt == "text/plain" && e.TextBody == "":
				e.TextBody = string(data)
				return nil
			case mt == "text/html" && e.HTMLBody == "":
				e.HTMLBody = string(data)
				return nil
			}
		}
		// go-message has decoded the transfer encoding and, for text/* parts with a
		// charset, converted the text to UTF-8; the type is sent without parameters, as
		// Postmark validates it as a bare media type.
		a := attachment{
			Name:        name,
			Content:     base64.StdEncoding.EncodeToString(data),
			ContentType: mt,
		}
		if cid := strings.Trim(strings.TrimSpace(part.Header.Get("Content-Id")), "<>"); cid != "" {
			a.ContentID = "cid:" + cid
		}
		if a.Name == "" {
			// Postmark requires a name; a part without one is most often an inline image.
			a.Name = fmt.Sprintf("part%d%s", len(e.Attachments)+1, extension(mt))
		}
		e.Attachments = append(e.Attachments, a)
		return nil
	}); err != nil {
		return invalid("body", err)
	}
	if e.TextBody == "" && e.HTMLBody == "" {
		return invalid("body", errors.New("no text/plain or text/html part"))
	}
	return e, fromList[0].Address, messageID, nil
}

// formatAddress writes an address as Postmark reads it, `"Name" <addr>`, with the name in
// UTF-8: Postmark encodes it for the message it builds.
func formatAddress(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	name := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a.Name)
	return `"` + name + `" <` + a.Address + `>`
}

func formatAddresses(list []*mail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = formatAddress(a)
	}
	return strings.Join(s, ", ")
}

func extension(mediaType string) string {
	if exts, err := mime.ExtensionsByType(mediaType); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}
