package bulk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"mailroom/backend/records"
)

// unsubscribeWords are what a reply to the List-Unsubscribe mailto says, in its subject or
// its first line (accents, case, punctuation and a "Re:" ignored).
var unsubscribeWords = map[string]bool{"unsubscribe": true, "desinscription": true, "se desabonner": true}

// fold lowers s, drops accents and keeps letters and single spaces.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(out) {
		if unicode.IsLetter(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// IsUnsubscribeRequest reports whether a mail's subject or first non-empty line asks to
// unsubscribe ("unsubscribe", "désinscription", "se désabonner"; "Re:" ignored).
func IsUnsubscribeRequest(subject, text string) bool {
	s := fold(subject)
	for _, p := range []string{"re ", "tr ", "fwd ", "fw ", "aw "} {
		s = strings.TrimPrefix(s, p)
	}
	if unsubscribeWords[s] {
		return true
	}
	for _, line := range strings.Split(text, "\n") {
		if l := fold(line); l != "" {
			return unsubscribeWords[l]
		}
	}
	return false
}

// Unsubscribe is a received mail that asks not to be written to again, from a contact who
// still may be: the message view offers, and only offers, to set their "do not email".
type Unsubscribe struct {
	ContactID int64
	Name      string
	Email     string
}

// UnsubscribeRequest tells whether a stored message is a request to unsubscribe sent to
// its account's own address (the List-Unsubscribe mailto of bulk and automated mails) by a
// contact whose "do not email" is not set yet.
func (b *Bulk) UnsubscribeRequest(ctx context.Context, messageID int64) (Unsubscribe, bool, error) {
	var subject, from, text, account string
	err := b.d.DB.R.QueryRowContext(ctx, `SELECT m.subject, m.from_email, coalesce(bd.text, m.snippet), a.email
		FROM messages m JOIN accounts a ON a.id = m.account_id LEFT JOIN message_bodies bd ON bd.message_id = m.id
		WHERE m.id = ?`, messageID).Scan(&subject, &from, &text, &account)
	if errors.Is(err, sql.ErrNoRows) {
		return Unsubscribe{}, false, nil
	}
	if err != nil {
		return Unsubscribe{}, false, fmt.Errorf("bulk: read message %d: %w", messageID, err)
	}
	if !IsUnsubscribeRequest(subject, text) || strings.EqualFold(from, account) {
		return Unsubscribe{}, false, nil
	}
	var toUs bool
	if err := b.d.DB.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM message_addresses WHERE message_id = ?
		AND kind IN ('to', 'cc') AND email = ?)`, messageID, account).Scan(&toUs); err != nil {
		return Unsubscribe{}, false, fmt.Errorf("bulk: read message %d: %w", messageID, err)
	}
	if !toUs {
		return Unsubscribe{}, false, nil
	}
	ids, err := b.d.Records.ContactsByEmail(ctx, from)
	if err != nil {
		return Unsubscribe{}, false, err
	}
	for _, id := range ids {
		d, err := b.d.Records.Get(ctx, id)
		if err != nil {
			continue
		}
		if v, _ := d.Values[records.ContactDoNotEmail].(bool); !v {
			return Unsubscribe{ContactID: id, Name: d.Title, Email: from}, true, nil
		}
	}
	return Unsubscribe{}, false, nil
}

// StopEmailing sets a contact's "do not email", as the user asked in one click.
func (b *Bulk) StopEmailing(ctx context.Context, by, contactID int64) error {
	_, err := b.d.Records.Update(ctx, by, contactID, records.Values{records.ContactDoNotEmail: true})
	return err
}
