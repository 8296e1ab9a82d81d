package outbox_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"mailroom/backend/fault"
	"mailroom/backend/outbox"
)

func TestRenderBuildsTheMessageAndItsEnvelope(t *testing.T) {
	pdf := bytes.Repeat([]byte("%PDF-1.7 facture\n"), 200)
	env, err := outbox.Render(outbox.Compose{
		From:        outbox.Address{Name: "Éloïse Martin", Email: "eloise@example.test"},
		To:          []outbox.Address{{Name: "Client Dupont", Email: "dupont@example.org"}},
		Cc:          []outbox.Address{{Email: "compta@example.org"}},
		Bcc:         []outbox.Address{{Name: "Archive", Email: "archive@example.test"}},
		ReplyTo:     &outbox.Address{Email: "factures@example.test"},
		Subject:     "Votre facture n°2024-117 — échéance",
		Text:        "Bonjour,\nVeuillez trouver la facture ci-jointe.\n",
		HTML:        "<p>Bonjour,</p><p>Veuillez trouver la facture ci-jointe.</p>",
		Attachments: []outbox.Attachment{{Filename: "facture-2024-117.pdf", ContentType: "application/pdf", Data: pdf}},
		InReplyTo:   "<question.1@example.org>",
		References:  []string{"first.0@example.org", "<question.1@example.org>"},
		Date:        time.Date(2024, 11, 5, 9, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if env.From != "eloise@example.test" || !slices.Equal(env.To, []string{"dupont@example.org", "compta@example.org", "archive@example.test"}) {
		t.Fatalf("envelope from %q to %v", env.From, env.To)
	}
	mr, err := mail.CreateReader(bytes.NewReader(env.Raw))
	if err != nil {
		t.Fatal(err)
	}
	h := mr.Header
	subject, _ := h.Subject()
	from, _ := h.AddressList("From")
	to, _ := h.AddressList("To")
	mid, _ := h.MessageID()
	irt, _ := h.MsgIDList("In-Reply-To")
	refs, _ := h.MsgIDList("References")
	date, _ := h.Date()
	switch {
	case subject != "Votre facture n°2024-117 — échéance":
		t.Errorf("subject %q", subject)
	case len(from) != 1 || from[0].Name != "Éloïse Martin" || from[0].Address != "eloise@example.test":
		t.Errorf("from %v", from)
	case len(to) != 1 || to[0].Address != "dupont@example.org":
		t.Errorf("to %v", to)
	case h.Has("Bcc") || bytes.Contains(env.Raw, []byte("archive@example.test")):
		t.Errorf("the Bcc recipient is visible in the message")
	case mid != env.MessageID || !strings.HasSuffix(mid, "@example.test"):
		t.Errorf("Message-ID %q, envelope %q", mid, env.MessageID)
	case !slices.Equal(irt, []string{"question.1@example.org"}) || !slices.Equal(refs, []string{"first.0@example.org", "question.1@example.org"}):
		t.Errorf("In-Reply-To %v, References %v", irt, refs)
	case !date.Equal(time.Date(2024, 11, 5, 9, 30, 0, 0, time.UTC)):
		t.Errorf("date %v", date)
	case h.Get("User-Agent") != "Mailroom" || strings.Contains(string(env.Raw), "go-mail"):
		t.Errorf("User-Agent %q", h.Get("User-Agent"))
	case h.Get("Reply-To") == "":
		t.Errorf("no Reply-To")
	}
	var texts, htmls []string
	var attached []byte
	var name string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p.Body)
		switch ph := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := ph.ContentType()
			if ct == "text/html" {
				htmls = append(htmls, string(body))
			} else {
				texts = append(texts, string(body))
			}
		case *mail.AttachmentHeader:
			name, _ = ph.Filename()
			attached = body
		}
	}
	if len(texts) != 1 || !strings.Contains(texts[0], "facture ci-jointe") || len(htmls) != 1 || !strings.Contains(htmls[0], "<p>Bonjour,</p>") {
		t.Fatalf("bodies: text %q html %q", texts, htmls)
	}
	if name != "facture-2024-117.pdf" || !bytes.Equal(attached, pdf) {
		t.Fatalf("attachment %q, %d bytes (want %d, same content)", name, len(attached), len(pdf))
	}
}

func TestRenderRefusesWhatCannotBeSent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     outbox.Compose
		field string
	}{
		{"no recipient", outbox.Compose{From: outbox.Address{Email: "a@example.test"}}, "to"},
		{"a bad sender", outbox.Compose{From: outbox.Address{Email: "a@"}, To: []outbox.Address{{Email: "b@example.org"}}}, "from"},
		{"a bad Cc", outbox.Compose{From: outbox.Address{Email: "a@example.test"}, To: []outbox.Address{{Email: "b@example.org"}}, Cc: []outbox.Address{{Email: "nope"}}}, "cc"},
		{"a bad Message-ID", outbox.Compose{From: outbox.Address{Email: "a@example.test"}, To: []outbox.Address{{Email: "b@example.org"}}, MessageID: "a b@c"}, "messageId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := outbox.Render(tc.c)
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Code != fault.InvalidInput || fe.Field != tc.field {
				t.Fatalf("err = %v; want invalid_input on %q", err, tc.field)
			}
		})
	}
}

// Bulk and automated mails carry List-Unsubscribe (a mailto, no List-Unsubscribe-Post).
func TestRenderAddsListUnsubscribe(t *testing.T) {
	env, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: "factures@example.test"},
		To: []outbox.Address{{Email: "client@example.org"}}, Subject: "Relance", Text: "Bonjour", ListUnsubscribe: "factures@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := mail.CreateReader(bytes.NewReader(env.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Header.Get("List-Unsubscribe"); got != "<mailto:factures@example.test?subject=unsubscribe>" {
		t.Fatalf("List-Unsubscribe %q", got)
	}
	if h.Header.Has("List-Unsubscribe-Post") {
		t.Fatal("List-Unsubscribe-Post without an https endpoint")
	}
	if _, err := outbox.Render(outbox.Compose{From: outbox.Address{Email: "factures@example.test"},
		To: []outbox.Address{{Email: "client@example.org"}}, Text: "x", ListUnsubscribe: "not an address"}); fault.ReasonOf(err) != outbox.ErrAddressInvalid.Name {
		t.Fatalf("a bad List-Unsubscribe address: %v", err)
	}
}
