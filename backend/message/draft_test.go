package message

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"mailroom/backend/fault"
)

func TestDraftsAnswerTheRightPeopleWithTheRightSubject(t *testing.T) {
	date := time.Date(2025, 3, 4, 9, 15, 0, 0, time.UTC)
	ann := Address{Name: "Ann", Email: "ann@example.com"}
	desk := Address{Name: "Desk", Email: "desk@example.com"}
	me := Address{Name: "Me", Email: "Me@Shop.test"}
	bob := Address{Email: "bob@example.org"}
	eve := Address{Email: "eve@example.org"}
	orig := func(mod func(*Message)) *Message {
		m := &Message{MessageID: "m1@example.com", Subject: "Plans", Date: date, Text: "Voir.",
			From: []Address{ann}, To: []Address{me, bob}, Cc: []Address{eve, {Email: "ANN@example.com"}}}
		if mod != nil {
			mod(m)
		}
		return m
	}
	cases := []struct {
		name    string
		m       *Message
		mode    DraftMode
		to, cc  []Address
		subject string
		refs    []string
	}{
		{"reply to the sender", orig(nil), Reply, []Address{ann}, []Address{}, "Re: Plans", []string{"m1@example.com"}},
		{"reply to Reply-To when there is one", orig(func(m *Message) { m.ReplyTo = []Address{desk} }), Reply,
			[]Address{desk}, []Address{}, "Re: Plans", []string{"m1@example.com"}},
		{"reply to all leaves out the account and who is already in To, whatever the case", orig(nil), ReplyAll,
			[]Address{ann}, []Address{bob, eve}, "Re: Plans", []string{"m1@example.com"}},
		{"no second Re:", orig(func(m *Message) { m.Subject = "RE: Plans" }), Reply,
			[]Address{ann}, []Address{}, "RE: Plans", []string{"m1@example.com"}},
		{"no references without a Message-ID", orig(func(m *Message) { m.MessageID = "" }), Reply,
			[]Address{ann}, []Address{}, "Re: Plans", []string{}},
		{"forward: nobody yet", orig(nil), Forward, []Address{}, []Address{}, "Fwd: Plans", []string{}},
		{"no second Fwd:", orig(func(m *Message) { m.Subject = "fwd: Plans" }), Forward, []Address{}, []Address{}, "fwd: Plans", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := French.Draft(c.m, c.mode, "me@shop.test")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.To, c.to) || !reflect.DeepEqual(d.Cc, c.cc) || d.Subject != c.subject || !reflect.DeepEqual(d.References, c.refs) {
				t.Fatalf("draft = to %v cc %v %q refs %v; want to %v cc %v %q refs %v", d.To, d.Cc, d.Subject, d.References, c.to, c.cc, c.subject, c.refs)
			}
			if c.mode != Forward && d.InReplyTo != c.m.MessageID {
				t.Fatalf("In-Reply-To = %q", d.InReplyTo)
			}
		})
	}
}

func TestADraftQuotesTheOriginalInTheUsersLanguage(t *testing.T) {
	date := time.Date(2025, 3, 4, 9, 15, 0, 0, time.UTC)
	m := &Message{Subject: "Plans", Date: date, Text: "Bonjour\n", HTML: `<p onclick="x()">Bonjour</p><script>bad()</script>`,
		From: []Address{{Name: "Ann", Email: "ann@example.com"}}}
	fr, _ := French.Draft(m, Reply, "")
	if !strings.HasPrefix(fr.Text, "Le mar. 4 mars 2025 à 09:15, Ann a écrit\u00a0:\n> Bonjour") {
		t.Fatalf("French quote = %q", fr.Text)
	}
	if !strings.Contains(fr.QuotedHTML, "Bonjour") || strings.Contains(fr.QuotedHTML, "script") || strings.Contains(fr.QuotedHTML, "onclick") {
		t.Fatalf("quoted HTML not sanitised: %q", fr.QuotedHTML)
	}
	en, _ := English.Draft(m, Forward, "")
	if en.Text != English.ForwardText(m) || !strings.Contains(en.Text, "Forwarded message") {
		t.Fatalf("English forward = %q", en.Text)
	}
	m.HTML = ""
	if d, _ := English.Draft(m, Reply, ""); d.QuotedHTML != "" {
		t.Fatalf("a text original got an HTML quote: %q", d.QuotedHTML)
	}
}

func TestAnUnknownDraftModeIsRefusedWithItsReason(t *testing.T) {
	_, err := English.Draft(&Message{}, "archive", "")
	fe, ok := fault.As(err)
	if !ok || !ErrDraftMode.Is(err) || fe.Field != "mode" || fe.Params["mode"] != "archive" {
		t.Fatalf("Draft(archive) = %v; want %s on mode", err, ErrDraftMode.Name)
	}
}

func TestAComposedReplyCarriesTheQuoteInBothPartsSanitised(t *testing.T) {
	cases := []struct {
		name, text, quotedText, quotedHTML string
		plain                              string
		htmlHas, htmlHasNot                []string
	}{
		{"text only", "Merci.\n", "> Bonjour", "", "Merci.\n", nil, nil},
		{"an HTML quote completes the text part", "Merci.\n\n", "> Bonjour", `<p>Bonjour</p><img src="https://x.test/a.png"><script>bad()</script>`,
			"Merci.\n\n> Bonjour", []string{"Merci.", "<p>Bonjour</p>", "https://x.test/a.png"}, []string{"script", "bad()"}},
		{"an empty text quote leaves the text alone", "Merci.", " ", `<p>Bonjour</p>`, "Merci.", []string{"Bonjour"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plain, html := ComposedBody(c.text, c.quotedText, c.quotedHTML)
			if plain != c.plain {
				t.Fatalf("text part = %q; want %q", plain, c.plain)
			}
			if c.quotedHTML == "" && html != "" {
				t.Fatalf("a text message got an HTML part: %q", html)
			}
			for _, s := range c.htmlHas {
				if !strings.Contains(html, s) {
					t.Errorf("HTML part lacks %q: %q", s, html)
				}
			}
			for _, s := range c.htmlHasNot {
				if strings.Contains(html, s) {
					t.Errorf("HTML part keeps %q: %q", s, html)
				}
			}
		})
	}
}

func TestASignatureFollowsTheTextBeforeTheQuoteInBothParts(t *testing.T) {
	sig := `<p onclick="x()"><b>Sophie</b> — Comptable<script>alert(1)</script></p>`
	plain, html := SignedBody("Merci.\n", sig, "> avant", "<blockquote>avant</blockquote>")
	if want := "Merci.\n\n-- \nSophie — Comptable\n\n> avant"; plain != want {
		t.Errorf("text part %q, want %q", plain, want)
	}
	i, j, k := strings.Index(html, "Merci."), strings.Index(html, `<div class="signature"><p><b>Sophie</b>`), strings.Index(html, "<blockquote>")
	if i < 0 || j < i || k < j {
		t.Errorf("HTML part order (text %d, signature %d, quote %d): %s", i, j, k, html)
	}
	if strings.Contains(html, "script") || strings.Contains(html, "onclick") {
		t.Errorf("the signature was not sanitised again: %s", html)
	}
	// A message of text only gains an HTML part with its signature; none without.
	if p, h := SignedBody("Bonjour", "<p>Sophie</p>", "", ""); p != "Bonjour\n\n-- \nSophie" || !strings.Contains(h, "<p>Sophie</p>") {
		t.Errorf("text only, signed: %q / %q", p, h)
	}
	if p, h := SignedBody("Bonjour", "  ", "", ""); p != "Bonjour" || h != "" {
		t.Errorf("text only, unsigned: %q / %q", p, h)
	}
}
