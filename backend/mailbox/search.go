package mailbox

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// Bounds of a search query.
const (
	maxSearchTerms    = 16
	maxSearchTermRune = 64
)

// Highlight markers around matched words in Hit.Highlight. The UI splits on them and
// shows each piece as text (never as HTML).
const (
	MarkStart = "\u0002"
	MarkEnd   = "\u0003"
)

// Column weights of the ranking (bm25): a word in the subject counts most, then in the
// addresses, then in the body.
const (
	weightSubject   = 5.0
	weightAddresses = 3.0
	weightBody      = 1.0
)

// FTSQuery turns what a user typed into a safe FTS5 query: the words (letters and
// digits; everything else separates them) each quoted — so nothing typed is FTS syntax:
// no NEAR, no column filter, no operator — and matched as a prefix, all required.
// It returns "" when there is no word.
func FTSQuery(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	})
	var terms []string
	for _, w := range words {
		if len(terms) == maxSearchTerms {
			break
		}
		if r := []rune(w); len(r) > maxSearchTermRune {
			w = string(r[:maxSearchTermRune])
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	return strings.Join(terms, " ")
}

// Hit is a search result.
type Hit struct {
	Row
	Rank      float64 // bm25: lower is better
	Highlight string  // with highlight on: a passage of the body (or the subject) with the
	// matched words between MarkStart and MarkEnd
}

// Search returns the best matches of q.Search (prefix matching on every word), best
// first, within q's accounts, folder and filters; at most q's limit. Its cursor is
// ignored: a ranked result is one page.
func (mb *Mailbox) Search(ctx context.Context, q Query, highlight bool) ([]Hit, error) {
	fq := FTSQuery(q.Search)
	if fq == "" {
		return nil, nil
	}
	folders, err := mb.folders(ctx, q)
	if err != nil || len(folders) == 0 {
		return nil, err
	}
	roles := map[int64]string{}
	ids := make([]int64, len(folders))
	for i, f := range folders {
		ids[i], roles[f.id] = f.id, f.role
	}
	ph, fargs := placeholders(ids)
	hl := `''`
	if highlight {
		// The body passage if the body matched, else the subject, marked.
		hl = `CASE WHEN snippet(messages_fts, 2, '` + MarkStart + `', '` + MarkEnd + `', '…', 16) LIKE '%` + MarkStart + `%'
			THEN snippet(messages_fts, 2, '` + MarkStart + `', '` + MarkEnd + `', '…', 16)
			ELSE highlight(messages_fts, 0, '` + MarkStart + `', '` + MarkEnd + `') END`
	}
	query := fmt.Sprintf(`SELECT %s, bm25(messages_fts, %g, %g, %g) AS rank, %s
		FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
		WHERE messages_fts MATCH ? AND m.folder_id IN (%s)`,
		rowColumns, weightSubject, weightAddresses, weightBody, hl, ph)
	args := append([]any{fq}, fargs...)
	if q.Unread {
		query += ` AND m.seen = 0`
	}
	if q.Flagged {
		query += ` AND m.flagged = 1`
	}
	query += ` ORDER BY rank, m.date DESC, m.id DESC LIMIT ?`
	args = append(args, q.limit())
	rows, err := mb.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("mailbox: search: %w", err)
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		r, _, err := scanRow(rows, &h.Rank, &h.Highlight)
		if err != nil {
			return nil, fmt.Errorf("mailbox: search: %w", err)
		}
		r.FolderRole = roles[r.FolderID]
		h.Row = r
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailbox: search: %w", err)
	}
	return out, nil
}
