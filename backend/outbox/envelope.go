package outbox

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decodes subjects in every charset
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"mailroom/backend/fault"
)

// prepared is an envelope checked and made ready to store: line endings CRLF, a
// Message-ID and a Date header present.
type prepared struct {
	from      string
	to        []string
	raw       []byte
	messageID string
	subject   string
	queuedBy  int64
	notBefore int64 // unix ms; 0: at once
}

// prepare validates env and returns what Enqueue stores.
func (e *Engine) prepare(env Envelope) (prepared, error) {
	p := prepared{queuedBy: env.QueuedBy}
	if !env.NotBefore.IsZero() {
		p.notBefore = env.NotBefore.UnixMilli()
	}
	from, ok := bareAddress(env.From)
	if !ok {
		return p, ErrFromInvalid.Field("from", fault.P{"address": env.From})
	}
	p.from = from
	seen := map[string]bool{}
	for _, t := range env.To {
		a, ok := bareAddress(t)
		if !ok {
			return p, ErrAddressInvalid.Field("to", fault.P{"address": t})
		}
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			p.to = append(p.to, a)
		}
	}
	switch {
	case len(p.to) == 0:
		return p, ErrNoRecipient.Field("to", nil)
	case len(p.to) > e.opts.MaxRecipients:
		return p, ErrTooManyRecipients.Field("to", fault.P{"max": e.opts.MaxRecipients, "count": len(p.to)})
	}
	raw := crlf(env.Raw)
	if len(bytes.TrimSpace(raw)) == 0 {
		return p, ErrMessageEmpty.Field("raw", nil)
	}
	hdr, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return p, ErrMessageUnreadable.Wrap(err, nil).WithField("raw")
	}
	mh := mail.Header{Header: message.Header{Header: hdr}}
	if !mh.Has("From") {
		return p, ErrNoFromHeader.Field("raw", nil)
	}
	id, err := mh.MessageID()
	if err != nil {
		return p, ErrMessageUnreadable.Wrap(err, nil).WithField("raw")
	}
	want := strings.Trim(strings.TrimSpace(env.MessageID), "<>")
	var add []byte
	switch {
	case id != "" && want != "" && id != want:
		return p, ErrMessageIDMismatch.Field("messageId", fault.P{"found": id, "messageId": want})
	case id == "":
		if want == "" {
			want = newMessageID(from)
		} else if !validMsgID(want) {
			return p, ErrMessageIDInvalid.Field("messageId", fault.P{"messageId": want})
		}
		id = want
		add = fmt.Appendf(add, "Message-ID: <%s>\r\n", id)
	}
	if !mh.Has("Date") {
		// RFC 5322 requires a Date; the time of queueing is when the user sent it.
		add = fmt.Appendf(add, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	}
	if len(add) > 0 {
		raw = append(add, raw...)
	}
	if len(raw) > e.opts.MaxMessageBytes {
		return p, ErrTooLarge.Field("raw", fault.P{"size": megabytes(len(raw)), "limit": megabytes(e.opts.MaxMessageBytes)})
	}
	p.raw, p.messageID = raw, id
	p.subject, _ = mh.Subject() // the raw text when it cannot be decoded
	return p, nil
}

// bareAddress returns s as a bare address (no name, no angle brackets), if it is one.
func bareAddress(s string) (string, bool) {
	s = strings.TrimSpace(s)
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || !strings.EqualFold(a.Address, strings.Trim(s, "<>")) || strings.ContainsAny(s, "\r\n") {
		return "", false
	}
	return a.Address, true
}

// crlf returns msg with every line ending CRLF: SMTP's DATA and IMAP's APPEND both need
// them, and the stored message is exactly what is sent and copied.
func crlf(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+len(msg)/40+2)
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		switch {
		case c == '\r' && i+1 < len(msg) && msg[i+1] == '\n':
			out = append(out, '\r', '\n')
			i++
		case c == '\n' || c == '\r':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return out
}

// idEncoding writes Message-IDs' random part short (26 characters for 128 bits), so the
// header fits on one line for most domains.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newMessageID returns a unique Message-ID (without <>) in the sender's domain: 128 random
// bits, so it never repeats and tells nothing about this computer.
func newMessageID(from string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	domain := "mailroom.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	return strings.ToLower(idEncoding.EncodeToString(b[:])) + "@" + domain
}

// validMsgID reports whether id (without <>) can be written as a Message-ID.
func validMsgID(id string) bool {
	h := mail.Header{}
	h.Set("Message-Id", "<"+id+">")
	got, err := h.MessageID()
	return err == nil && got == id
}
