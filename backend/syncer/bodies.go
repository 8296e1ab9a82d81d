package syncer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/message"
)

// snippetRunes is the length of the preview under a subject in the message list.
const snippetRunes = 200

// Body states (messages.body_state).
const (
	bodyNone   = "none"
	bodyDone   = "done"
	bodyFailed = "failed" // unreadable: stored with its problems, never fetched again
)

// BodyStates lists every state of a message's body (mailbox.Message.BodyState).
var BodyStates = []string{bodyNone, bodyDone, bodyFailed}

// parsed is what the store keeps of one body.
type parsed struct {
	state       string
	text, html  string
	snippet     string
	attachments []message.Attachment
	problems    string // codes, space-separated
	bulk        bool   // a list or automated message (message.IsBulk)

	// The headers as the parser read them, for rows stored without an envelope.
	subject, messageID, inReplyTo string
	date                          time.Time
	addresses                     [][]message.Address // in addressKinds order
}

// parseBody reads one raw message. A message that cannot be read, or that makes the
// parser panic, is "failed" with its problems; it never stops the sync.
func parseBody(r io.Reader) (p parsed) {
	defer func() {
		if rec := recover(); rec != nil {
			p = parsed{state: bodyFailed, problems: "parser_panic"}
		}
	}()
	m, err := message.Parse(r, message.DefaultLimits)
	if err != nil || m == nil {
		return parsed{state: bodyFailed, problems: "unreadable"}
	}
	p = parsed{state: bodyDone, text: m.Text, html: m.HTML, attachments: m.Attachments,
		subject: m.Subject, messageID: m.MessageID, inReplyTo: m.InReplyTo, date: m.Date, bulk: m.Bulk,
		addresses: [][]message.Address{m.From, m.Sender, m.ReplyTo, m.To, m.Cc, m.Bcc}}
	p.snippet = message.Snippet(m.Text, snippetRunes)
	seen := map[string]bool{}
	var codes []string
	for _, pr := range m.Problems {
		if !seen[pr.Code] {
			seen[pr.Code] = true
			codes = append(codes, pr.Code)
		}
	}
	p.problems = strings.Join(codes, " ")
	return p
}

type pendingBody struct {
	id   int64
	uid  uint32
	size int64
	bare bool // stored without an envelope: the body gives its headers
}

// syncBodies fetches the folder's missing bodies, newest first, in batches bounded in
// count and bytes; each batch commits in one transaction. Each message is tried once per
// pass: one the server no longer has is left to the next header sync to remove.
func (w *worker) syncBodies(ctx context.Context, s *session, f *folder) error {
	f, err := w.loadFolder(ctx, f.id)
	if err != nil {
		return err
	}
	var total int
	if err := w.e.deps.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE folder_id = ? AND body_state = 'none'`,
		f.id).Scan(&total); err != nil {
		return dbError(fmt.Errorf("syncer: count bodies to fetch: %w", err))
	}
	if total == 0 {
		return nil
	}
	w.progress(Event{Folder: f.name, Phase: PhaseBodies, Done: 0, Total: total})
	// Three stages overlap: this goroutine fetches batch k+1 while the parse pool parses
	// batch k and the committer writes batch k-1.
	pool := newParsePool()
	com := newCommitter(w.e.log.Error)
	done := 0 // the committer's
	err = w.fetchAllBodies(ctx, s, f, pool, com, func(n int) bool { return done+n >= total }, func(n int) {
		done += n
		w.progress(Event{Folder: f.name, Phase: PhaseBodies, Done: min(done, total), Total: total})
		w.e.emitChanged(w.id, false)
	})
	if cerr := com.wait(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if done < total {
		w.progress(Event{Folder: f.name, Phase: PhaseBodies, Done: total, Total: total})
	}
	return nil
}

// fetchAllBodies fetches batch after batch and hands each to the parse pool and the
// committer; stored is called (on the committer) after each batch is written, and last
// (on the committer, before it) says whether a batch of n completes the folder's bodies.
func (w *worker) fetchAllBodies(ctx context.Context, s *session, f *folder, pool *parsePool, com *committer,
	last func(n int) bool, stored func(n int)) error {
	cursor := uint32(math.MaxUint32)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		select { // flag changes made meanwhile go out between batches
		case <-w.flags:
			if err := w.pushFlags(s); err != nil {
				return err
			}
		default:
		}
		batch, err := w.nextBodies(ctx, f.id, cursor)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		cursor = batch[len(batch)-1].uid
		sel, err := s.ensureSelected(f.name)
		if err != nil {
			return err
		}
		if sel.UIDValidity != f.uidvalidity {
			return nil // the folder was recreated: the next header sync purges it
		}
		t0 := time.Now()
		fetched, err := s.fetchBatch(batch)
		if err != nil {
			return err
		}
		fetchTook := time.Since(t0)
		parsed := pool.parse(fetched)
		err = com.submit(func() error {
			parsed()
			t1 := time.Now()
			// The worker's context, not the sync's: a Cancel stops fetching, but what
			// was fetched is kept.
			err := w.e.deps.DB.Tx(w.ctx, func(tx *sql.Tx) error {
				return storeBodies(w.ctx, tx, batch, fetched)
			})
			if err != nil {
				return dbError(fmt.Errorf("syncer: store bodies of %q: %w", f.name, err))
			}
			w.e.log.Debug("syncer: bodies", "account", w.id, "folder", f.name, "messages", len(batch),
				"fetch", fetchTook, "store", time.Since(t1))
			ids := make([]int64, len(batch))
			for i, b := range batch {
				ids[i] = b.id
			}
			w.e.stored(Stored{AccountID: w.id, MessageIDs: ids, Bodies: true, Drained: last(len(batch))})
			stored(len(batch))
			return nil
		})
		if err != nil {
			parsed() // not submitted: its parses end here, not after the sync
			return err
		}
	}
}

// nextBodies returns the next batch of messages without a body below cursor, newest
// first: at most BodyBatch messages and BodyBatchBytes bytes (at least one message).
func (w *worker) nextBodies(ctx context.Context, folderID int64, cursor uint32) ([]pendingBody, error) {
	rows, err := w.e.deps.DB.R.QueryContext(ctx, `SELECT id, uid, size,
		subject = '' AND from_email = '' AND message_id = '' FROM messages
		WHERE folder_id = ? AND body_state = 'none' AND uid < ? ORDER BY uid DESC LIMIT ?`,
		folderID, cursor, w.e.opts.BodyBatch)
	if err != nil {
		return nil, dbError(fmt.Errorf("syncer: bodies to fetch: %w", err))
	}
	defer rows.Close()
	var out []pendingBody
	var bytes int64
	for rows.Next() {
		var b pendingBody
		if err := rows.Scan(&b.id, &b.uid, &b.size, &b.bare); err != nil {
			return nil, dbError(fmt.Errorf("syncer: bodies to fetch: %w", err))
		}
		cost := b.size
		if cost >= partialMin && !b.bare {
			cost = partialMin // fetched without its attachments, most likely (see partial.go)
		}
		if len(out) > 0 && bytes+cost > w.e.opts.BodyBatchBytes {
			break
		}
		bytes += cost
		out = append(out, b)
	}
	return out, rows.Err()
}

// bufferedBodyMax is the largest body read whole into memory and parsed on the parse
// pool; larger ones are parsed as they stream in, on the worker.
const bufferedBodyMax = 2 << 20

// fetchedBody is one message of a body batch: raw (to be parsed) or already parsed.
type fetchedBody struct {
	uid  uint32
	raw  []byte
	body *parsed
	plan *partialPlan // set when the attachments were left out
}

// fetchBodies fetches the bodies of uids: small ones into memory for the parse pool,
// large ones parsed as they stream (never held whole).
func (s *session) fetchBodies(uids []imap.UID) ([]fetchedBody, error) {
	s.begin()
	defer s.end()
	cmd := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	out := make([]fetchedBody, 0, len(uids))
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var b fetchedBody
		got := false
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				b.uid = uint32(it.UID)
			case imapclient.FetchItemDataBodySection:
				if it.Literal == nil || got {
					continue
				}
				got = true
				lit := s.literal(it.Literal)
				if size := it.Literal.Size(); size <= bufferedBodyMax {
					b.raw = make([]byte, size)
					if _, err := io.ReadFull(lit, b.raw); err != nil && !lit.failed() {
						b.raw = b.raw[:0] // shorter than announced: parse what came
					}
				} else {
					p := parseBody(lit)
					b.body = &p
				}
				if lit.failed() {
					// The connection broke under the reader: the batch is abandoned (the
					// session ends); the message is not "failed".
					return nil, fmt.Errorf("syncer: fetch bodies in %q: %w", s.selected, lit.err)
				}
			}
		}
		if b.uid != 0 && got {
			out = append(out, b)
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("syncer: fetch bodies in %q: %w", s.selected, err)
	}
	return out, nil
}

// storeBodies stores the parsed bodies of a batch: text and HTML, attachments, snippet,
// problems, and the body words in the search index.
func storeBodies(ctx context.Context, tx *sql.Tx, batch []pendingBody, fetched []fetchedBody) error {
	ctx = statementContext(ctx)
	got := make(map[uint32]*parsed, len(fetched))
	for _, f := range fetched {
		if f.body != nil {
			got[f.uid] = f.body
		}
	}
	body, err := tx.PrepareContext(ctx, `INSERT INTO message_bodies(message_id, text, html) VALUES (?, ?, ?)
		ON CONFLICT(message_id) DO UPDATE SET text = excluded.text, html = excluded.html`)
	if err != nil {
		return err
	}
	defer body.Close()
	delAtt, err := tx.PrepareContext(ctx, `DELETE FROM attachments WHERE message_id = ?`)
	if err != nil {
		return err
	}
	defer delAtt.Close()
	att, err := tx.PrepareContext(ctx, `INSERT INTO attachments(message_id, part_path, filename, content_type, size,
		content_id, inline) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer att.Close()
	msg, err := tx.PrepareContext(ctx, `UPDATE messages SET body_state = ?, snippet = ?, problems = ?, bulk = ?,
		has_attachments = CASE WHEN ? THEN ? ELSE has_attachments END WHERE id = ?`)
	if err != nil {
		return err
	}
	defer msg.Close()
	indexed := make([]int64, 0, len(batch))
	for _, b := range batch {
		p, ok := got[b.uid]
		if !ok {
			continue
		}
		if _, err := body.ExecContext(ctx, b.id, p.text, p.html); err != nil {
			return err
		}
		if _, err := delAtt.ExecContext(ctx, b.id); err != nil {
			return err
		}
		hasAtt := false
		for _, a := range p.attachments {
			if !a.Inline {
				hasAtt = true
			}
			if _, err := att.ExecContext(ctx, b.id, a.PartPath, a.Filename, a.ContentType, a.Size, a.ContentID, a.Inline); err != nil {
				return err
			}
		}
		parsedOK := p.state == bodyDone
		if _, err := msg.ExecContext(ctx, p.state, p.snippet, p.problems, p.bulk, parsedOK, hasAtt, b.id); err != nil {
			return err
		}
		// A row stored without an envelope takes its headers from the body; so does one
		// with raw 8-bit or NUL bytes in its headers, which the parser decodes as it decodes
		// the body (a server's ENVELOPE passes such bytes through, or alters them: Dovecot
		// sends a NUL as 0x80).
		if p.state == bodyDone && (b.bare || hasProblem(p.problems, message.Problem8BitHeader) ||
			hasProblem(p.problems, message.ProblemNULByte)) {
			if err := fillHeaders(ctx, tx, b.id, *p); err != nil {
				return err
			}
		}
		indexed = append(indexed, b.id)
	}
	return indexBodies(ctx, tx, indexed)
}

// indexBodies gives the search index each message's one row: its subject, addresses and
// body text as the store holds them (fillHeaders has run for rows whose headers come from
// the body), read through messages_search — the view the index takes its content from, so
// that the words it is later told to forget are the ones it was given (migration 0099). A
// message is indexed once: its body_state left 'none' in this transaction.
//
// One statement for the whole batch, after every other write of it: FTS5 writes the words
// it holds in memory out as a new segment whenever a statement opens a savepoint in the
// transaction (SQLite opens one for any statement that may write several rows, such as an
// INSERT … SELECT, or that may abort halfway), and one index insert per message, between
// the body's writes, made a segment of each message — which FTS5 then spent a good part of
// the commit merging. Now a batch's words go out as one segment, at the commit.
func indexBodies(ctx context.Context, tx *sql.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO messages_fts(rowid, subject, addresses, body)
		SELECT id, subject, addresses, body FROM messages_search WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	return err
}

// hasProblem reports whether the space-separated problem codes hold code.
func hasProblem(problems, code string) bool {
	for _, c := range strings.Fields(problems) {
		if c == code {
			return true
		}
	}
	return false
}

// fillHeaders gives a row stored without an envelope the headers its body carries.
func fillHeaders(ctx context.Context, tx *sql.Tx, id int64, p parsed) error {
	ctx = statementContext(ctx)
	var fromName, fromEmail string
	if from := p.addresses[0]; len(from) > 0 {
		fromName, fromEmail = from[0].Name, from[0].Email
	}
	var date int64
	if !p.date.IsZero() {
		date = p.date.Unix()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET subject = ?, from_name = ?, from_email = ?, message_id = ?,
		in_reply_to = ?, date = CASE WHEN ? > 0 THEN ? ELSE date END WHERE id = ?`,
		p.subject, fromName, fromEmail, p.messageID, p.inReplyTo, date, date, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_addresses WHERE message_id = ?`, id); err != nil {
		return err
	}
	for k, list := range p.addresses {
		for pos, a := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_addresses(message_id, kind, position, name, email)
				VALUES (?, ?, ?, ?, ?)`, id, addressKinds[k], pos, a.Name, a.Email); err != nil {
				return err
			}
		}
	}
	return nil // the index row follows, from these (storeBodies)
}
