package syncer

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"net/textproto"

	"mailroom/backend/fault"
)

// partPathPattern is an IMAP part number: "2", "1.2.3".
var partPathPattern = regexp.MustCompile(`^[1-9][0-9]{0,3}(\.[1-9][0-9]{0,3}){0,19}$`)

var errPartGone = ErrPartGone.New(nil)

// FetchPart streams one part of a message (an attachment, an inline image) from the
// server, transfer encoding removed, with its file name and media type as the message
// described them. The caller reads and must Close the reader; cancelling ctx aborts it.
//
// It opens its own short-lived connection (read-only EXAMINE, BINARY.PEEK when the
// server offers BINARY) rather than asking the account's worker: saving a 20 MB
// attachment must not wait behind an initial sync, nor hold the worker's connection —
// and with it IDLE and the sync of every folder — while the user picks a file name.
func (e *Engine) FetchPart(ctx context.Context, messageID int64, partPath string) (io.ReadCloser, string, string, error) {
	if !partPathPattern.MatchString(partPath) {
		return nil, "", "", ErrPartInvalid.Field("part", nil)
	}
	var (
		accountID   int64
		uid         uint32
		mailbox     string
		uidvalidity uint32
		filename    string
		contentType string
	)
	err := e.deps.DB.R.QueryRowContext(ctx, `SELECT m.account_id, m.uid, f.name, f.uidvalidity,
		COALESCE(a.filename, ''), COALESCE(a.content_type, '')
		FROM messages m JOIN folders f ON f.id = m.folder_id
		LEFT JOIN attachments a ON a.message_id = m.id AND a.part_path = ?
		WHERE m.id = ?`, partPath, messageID).Scan(&accountID, &uid, &mailbox, &uidvalidity, &filename, &contentType)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", "", ErrMessageGone.New(nil)
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("syncer: fetch part: %w", err)
	}
	acc, err := e.deps.Accounts.Get(ctx, accountID)
	if err != nil {
		return nil, "", "", err
	}
	if acc.Disabled {
		return nil, "", "", ErrDisabled.New(nil)
	}
	login, err := e.deps.Accounts.Login(ctx, accountID)
	if err != nil {
		return nil, "", "", err
	}
	s, err := dialSession(ctx, e.deps.Dialer, acc.IMAP, login, e.opts)
	if err != nil {
		return nil, "", "", err
	}
	pr := &partReader{e: e, s: s}
	if !e.track(pr) {
		s.close()
		return nil, "", "", ErrShuttingDown.New(nil)
	}
	if err := pr.open(mailbox, uidvalidity, imap.UID(uid), partPath); err != nil {
		pr.Close()
		return nil, "", "", err
	}
	return pr, filename, contentType, nil
}

func (e *Engine) track(pr *partReader) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return false
	}
	e.parts[pr] = struct{}{}
	return true
}

func (e *Engine) untrack(pr *partReader) {
	e.mu.Lock()
	delete(e.parts, pr)
	e.mu.Unlock()
}

// partReader streams a part's literal from its own connection.
type partReader struct {
	e   *Engine
	s   *session
	cmd *imapclient.FetchCommand
	lit *literal  // the literal as sent
	r   io.Reader // the literal decoded

	once sync.Once
	err  error
}

// open selects the mailbox and starts the fetch. The watch on the connection stays armed
// until Close: an answer is due as long as the part is not read to its end (a reader
// that pauses reading has no read pending, so no deadline runs).
func (pr *partReader) open(mailbox string, uidvalidity uint32, uid imap.UID, partPath string) error {
	s := pr.s
	s.begin()
	sel, err := s.c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			return errPartGone
		}
		return ErrConnectionLost.Wrap(err, fault.P{"host": pr.s.host})
	}
	if sel.UIDValidity != uidvalidity {
		return errPartGone
	}
	var path []int
	for _, n := range strings.Split(partPath, ".") {
		i, _ := strconv.Atoi(n)
		path = append(path, i)
	}
	encoding := ""
	binary := s.has(imap.CapBinary)
	if !binary {
		// Without BINARY the part comes transfer-encoded: its MIME header says how.
		header, err := pr.fetchOne(uid, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{
			{Part: path, Specifier: imap.PartSpecifierMIME, Peek: true}}})
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(header)
		if err != nil || !pr.lit.finish() {
			return ErrConnectionLost.Wrap(err, fault.P{"host": pr.s.host})
		}
		err = pr.cmd.Close()
		pr.cmd, pr.lit = nil, nil
		if err != nil {
			return ErrConnectionLost.Wrap(err, fault.P{"host": pr.s.host})
		}
		encoding = transferEncoding(raw)
	}
	opts := &imap.FetchOptions{UID: true}
	if binary {
		opts.BinarySection = []*imap.FetchItemBinarySection{{Part: path, Peek: true}}
	} else {
		opts.BodySection = []*imap.FetchItemBodySection{{Part: path, Peek: true}}
	}
	body, err := pr.fetchOne(uid, opts)
	if err != nil {
		return err
	}
	pr.r = decodeTransfer(body, encoding)
	return nil
}

// fetchOne starts a FETCH of one literal of one message and returns it as it streams.
func (pr *partReader) fetchOne(uid imap.UID, opts *imap.FetchOptions) (io.Reader, error) {
	s := pr.s
	pr.cmd = s.c.Fetch(imap.UIDSetNum(uid), opts)
	msg := pr.cmd.Next()
	if msg == nil {
		err := pr.cmd.Close()
		pr.cmd = nil
		if err != nil {
			return nil, ErrPartRefused.Wrap(err, nil).WithDetail(imapText(err))
		}
		return nil, errPartGone
	}
	for item := msg.Next(); item != nil; item = msg.Next() {
		var r io.Reader
		switch it := item.(type) {
		case imapclient.FetchItemDataBinarySection:
			if it.Literal != nil {
				r = it.Literal
			}
		case imapclient.FetchItemDataBodySection:
			if it.Literal != nil {
				r = it.Literal
			}
		}
		if r != nil {
			pr.lit = s.literal(r)
			return pr.lit, nil
		}
	}
	return nil, errPartGone
}

// transferEncoding reads Content-Transfer-Encoding from a part's MIME header.
func transferEncoding(mimeHeader []byte) string {
	for _, line := range strings.Split(string(mimeHeader), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(k)) == "Content-Transfer-Encoding" {
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	return ""
}

func decodeTransfer(r io.Reader, encoding string) io.Reader {
	switch encoding {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r) // skips CR and LF
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

func (pr *partReader) Read(p []byte) (int, error) {
	return pr.r.Read(p)
}

// abort closes the connection under a reader (the engine is stopping); Read fails and
// the owner's Close returns quickly.
func (pr *partReader) abort() { _ = pr.s.conn.Close() }

// Close ends the fetch and closes the connection. A part not read to its end is not
// downloaded further.
func (pr *partReader) Close() error {
	pr.once.Do(func() {
		usable := pr.lit == nil || pr.lit.finish()
		if pr.cmd != nil && usable {
			if err := pr.cmd.Close(); err != nil {
				pr.err = fmt.Errorf("syncer: fetch part: %w", err)
			}
		}
		pr.s.end()
		pr.s.close()
		pr.e.untrack(pr)
	})
	return pr.err
}

// imapText is the server's words in an IMAP refusal, or "".
func imapText(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) {
		return ie.Text
	}
	return ""
}
