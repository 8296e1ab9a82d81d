package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
)

// copyBatch is how many pending copies the copier reads at a time.
const copyBatch = 50

// copySettle is how long the copier waits, when it starts with copies waiting, before it
// looks for them in the Sent folder.
const copySettle = time.Second

// copyGather is how long the copier lets copies gather after a batch that was not full.
const copyGather = 100 * time.Millisecond

// filesSentItself lists providers whose SMTP server files every submitted message in the
// mailbox's Sent folder: Gmail and Google Workspace ("Gmail automatically saves a copy of
// sent messages", help article 7126229, through SMTP too) and Microsoft (Exchange Online
// and Outlook.com save SMTP AUTH submissions in Sent Items). A copy from us would be a
// second one there. By provider id (the catalogue's, backend/discovery) and, for settings
// typed by hand or found another way, by SMTP host.
var filesSentItself = struct {
	providers, hosts map[string]bool
}{
	providers: map[string]bool{"gmail": true, "outlook": true, "microsoft365": true},
	hosts: map[string]bool{"smtp.gmail.com": true, "smtp.googlemail.com": true,
		"smtp.office365.com": true, "smtp-mail.outlook.com": true},
}

// copyWanted reports whether a message sent from acc gets a copy in its IMAP Sent folder.
// Where a provider not listed above files one too, the check by Message-ID before each
// APPEND finds its copy and adds none, as long as it filed it before we look.
func (e *Engine) copyWanted(acc accounts.Account) bool {
	if acc.IMAP.Host == "" {
		return false
	}
	switch e.opts.SentCopies {
	case CopyNever:
		return false
	case CopyAlways:
		return true
	}
	return !filesSentItself.providers[acc.Provider] && !filesSentItself.hosts[strings.ToLower(acc.SMTP.Host)]
}

// pendingCopy is a sent message whose Sent copy is to make.
type pendingCopy struct {
	id        int64
	messageID string
	raw       []byte
	sentAt    time.Time
}

// copier files the account's sent messages in its Sent folder, over one IMAP connection
// closed after IdleClose, until the worker stops.
func (w *worker) copier() {
	defer close(w.copyDone)
	e := w.e
	var s *imapSession
	defer func() {
		if s != nil {
			s.close()
		}
	}()
	failures := 0
	paused, troubled, gather, settle := false, false, false, true
	var holdUntil time.Time
	for w.ctx.Err() == nil {
		if w.takeCopyForce() {
			paused, holdUntil, failures = false, time.Time{}, 0
		}
		if paused || time.Now().Before(holdUntil) {
			d := time.Duration(-1)
			if !paused {
				d = time.Until(holdUntil)
			}
			sleep(w.ctx, w.copyWake, d)
			continue
		}
		if gather {
			// The last batch was not full: the copier had caught up with the sender. Let
			// copies gather for a moment, so that they go in one SEARCH and a pipeline of
			// APPENDs rather than one by one (a SEARCH scans the whole Sent folder).
			gather = false
			sleep(w.ctx, nil, copyGather)
			continue
		}
		batch, err := w.pendingCopies()
		if err != nil {
			if w.ctx.Err() == nil {
				e.log.Error("outbox: cannot read the Sent copies to make", "account", w.id, "err", err)
				holdUntil = time.Now().Add(storeRetry)
			}
			continue
		}
		if len(batch) == 0 {
			settle = false // nothing was waiting at the start
			d := time.Duration(-1)
			if s != nil {
				d = max(time.Until(s.lastUse.Add(e.opts.IdleClose)), 0)
			}
			if sleep(w.ctx, w.copyWake, d) && s != nil {
				s.close()
				s = nil
			}
			continue
		}
		if settle {
			// Copies were waiting when the copier started: perhaps a crash cut the last
			// run during an APPEND that the server is still completing. Let it finish
			// before the SEARCH that would find it.
			settle = false
			sleep(w.ctx, nil, copySettle)
			continue
		}
		if s == nil {
			if s, err = w.dialIMAP(); err != nil {
				s = nil
				failures++
				switch fault.CodeOf(err) {
				case fault.AuthFailed, fault.TLSUntrusted, fault.TLSRequired, fault.InvalidInput, fault.NotFound:
					paused = true // not in a loop: a password tried again and again can lock the mailbox
				default:
					holdUntil = time.Now().Add(backoff(e.opts.ConnectBackoffMin, e.opts.ConnectBackoffMax, failures))
				}
				troubled = true
				class := fault.Temporary
				if paused {
					class = fault.Permanent
				}
				e.emit(Event{Kind: KindCopies, AccountID: w.id, Failure: failureOf(classed(err, class)), Paused: paused})
				continue
			}
		}
		filed, err := s.copyAll(batch)
		gather = len(batch) < copyBatch
		if len(filed) > 0 {
			failures = 0
			if troubled {
				troubled = false
				e.emit(Event{Kind: KindCopies, AccountID: w.id})
			}
			if err := w.copiedAll(filed); err != nil {
				e.log.Error("outbox: cannot record a Sent copy", "account", w.id, "err", err)
				holdUntil = time.Now().Add(storeRetry)
				continue
			}
		}
		if err == nil {
			continue
		}
		failures++
		holdUntil = time.Now().Add(backoff(e.opts.ConnectBackoffMin, e.opts.ConnectBackoffMax, failures))
		var re *copyRefusal
		if !errors.As(err, &re) { // the connection failed: the copy is tried again later
			s.close()
			s = nil
			continue
		}
		// The server refused this copy (quota, size…): count it, give up after a few.
		if err := w.copyRefused(re.id, s.sent, re.err.Text); err != nil {
			e.log.Error("outbox: cannot record a Sent copy", "account", w.id, "err", err)
		}
	}
}

// pendingCopies reads the next copies to make.
func (w *worker) pendingCopies() ([]pendingCopy, error) {
	w.copyReads.Add(1)
	rows, err := w.e.deps.DB.R.QueryContext(w.dbctx, `SELECT o.id, o.message_id, r.raw, COALESCE(o.sent_at, o.updated_at)
		FROM outbox o JOIN outbox_raw r ON r.id = o.id
		WHERE o.account_id = ? AND o.copy_state = 'pending' ORDER BY o.id LIMIT ?`, w.id, copyBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pendingCopy
	for rows.Next() {
		var c pendingCopy
		var at int64
		if err := rows.Scan(&c.id, &c.messageID, &c.raw, &at); err != nil {
			return nil, err
		}
		c.sentAt = time.UnixMilli(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// copiedAll records the copies of ids as made, and forgets their last refusals, in one
// transaction.
func (w *worker) copiedAll(ids []int64) error {
	return w.e.deps.DB.Tx(w.dbctx, func(tx *sql.Tx) error {
		st, err := tx.Prepare(`UPDATE outbox SET copy_state = ?, copy_reason = '', copy_params = '', copy_error = '', updated_at = ?
			WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		now := time.Now().UnixMilli()
		for _, id := range ids {
			if _, err := st.Exec(string(CopyDone), now, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// copyRefused counts a copy the server refused to file in folder (words: its answer), and
// gives it up after CopyMaxAttempts.
func (w *worker) copyRefused(id int64, folder, words string) error {
	f := failureOf(ErrCopyRefused.New(fault.P{"folder": folder}).WithDetail(words))
	return w.e.deps.DB.Tx(w.dbctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET copy_attempts = copy_attempts + 1, copy_reason = ?, copy_params = ?, copy_error = ?,
			updated_at = ?, copy_state = CASE WHEN copy_attempts + 1 >= ? THEN 'failed' ELSE copy_state END WHERE id = ?`,
			f.Reason, f.paramsJSON(), f.Detail, time.Now().UnixMilli(), w.e.opts.CopyMaxAttempts, id)
		return err
	})
}

// imapSession is the copier's IMAP connection, with the Sent folder found.
type imapSession struct {
	c       *imapclient.Client
	timeout time.Duration
	sent    string // the Sent folder's name
	lastUse time.Time
	warm    bool        // a first batch was filed: later ones are looked for in one SEARCH
	stop    func() bool // ends the watch that closes the connection when the worker stops

	mu   sync.Mutex
	conn net.Conn // under c: its deadline bounds each command
}

// dialIMAP logs in to the account's IMAP server and finds its Sent folder.
func (w *worker) dialIMAP() (*imapSession, error) {
	e := w.e
	acc, err := e.deps.Accounts.Get(w.ctx, w.id)
	if err != nil {
		return nil, err
	}
	login, err := e.deps.Accounts.Login(w.ctx, w.id)
	if err != nil {
		return nil, err
	}
	s := &imapSession{timeout: e.opts.CommandTimeout, lastUse: time.Now()}
	d := *e.deps.Dialer
	inner := d.WrapConn
	d.WrapConn = func(c net.Conn) net.Conn {
		if inner != nil {
			c = inner(c)
		}
		s.mu.Lock()
		s.conn = c
		s.mu.Unlock()
		return c
	}
	// go-imap takes no context: stopping the worker closes the connection.
	s.stop = context.AfterFunc(w.ctx, s.abort)
	c, err := d.IMAP(w.ctx, acc.IMAP, login, nil)
	if err != nil {
		s.stop()
		s.abort()
		return nil, err
	}
	s.c = c
	if s.sent, err = s.findSent(w.ctx, e, w.id); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *imapSession) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.Close()
	}
}

func (s *imapSession) close() {
	s.stop()
	if s.c != nil {
		s.arm(2 * time.Second)
		_ = s.c.Logout().Wait()
		s.c.Close()
	}
	s.abort()
}

// arm bounds the next command (0: no bound, while the connection waits unused).
func (s *imapSession) arm(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return
	}
	if d == 0 {
		_ = s.conn.SetDeadline(time.Time{})
		return
	}
	_ = s.conn.SetDeadline(time.Now().Add(d))
}

// sentNames are names servers without SPECIAL-USE give the Sent folder (as the syncer's).
var sentNames = []string{"Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent",
	"INBOX/Sent", "Envoyés", "Éléments envoyés", "Messages envoyés"}

// findSent returns the Sent folder: the special-use \Sent mailbox (RFC 6154), else the one
// the syncer found, else a usual name; a mailbox without any gets a "Sent" folder.
func (s *imapSession) findSent(ctx context.Context, e *Engine, accountID int64) (string, error) {
	var opts *imap.ListOptions
	if caps := s.c.Caps(); caps.Has(imap.CapSpecialUse) && caps.Has(imap.CapListExtended) {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	s.arm(s.timeout)
	boxes, err := s.c.List("", "*", opts).Collect()
	s.arm(0)
	if err != nil {
		return "", fmt.Errorf("outbox: list folders: %w", err)
	}
	names := map[string]string{}
	for _, b := range boxes {
		if hasAttr(b.Attrs, imap.MailboxAttrNoSelect) || hasAttr(b.Attrs, imap.MailboxAttrNonExistent) {
			continue
		}
		if hasAttr(b.Attrs, imap.MailboxAttrSent) {
			return b.Mailbox, nil
		}
		names[strings.ToLower(b.Mailbox)] = b.Mailbox
	}
	var synced string
	err = e.deps.DB.R.QueryRowContext(ctx, `SELECT name FROM folders WHERE account_id = ? AND role = 'sent'`, accountID).Scan(&synced)
	if err == nil && names[strings.ToLower(synced)] != "" {
		return synced, nil
	}
	for _, n := range sentNames {
		if name := names[strings.ToLower(n)]; name != "" {
			return name, nil
		}
	}
	s.arm(s.timeout)
	err = s.c.Create("Sent", nil).Wait()
	s.arm(0)
	if err != nil {
		return "", fmt.Errorf("outbox: create the Sent folder: %w", err)
	}
	return "Sent", nil
}

func hasAttr(attrs []imap.MailboxAttr, want imap.MailboxAttr) bool {
	for _, a := range attrs {
		if strings.EqualFold(string(a), string(want)) {
			return true
		}
	}
	return false
}

// copyRefusal is the server's refusal of one copy (quota, size…), as opposed to a
// connection that failed.
type copyRefusal struct {
	id  int64
	err *imap.Error
}

func (r *copyRefusal) Error() string { return r.err.Error() }
func (r *copyRefusal) Unwrap() error { return r.err }

// copyAll files each message of batch in the Sent folder unless a message with its
// Message-ID is there already (our own copy from before a crash, or the provider's), and
// returns the ids of those now there. One SEARCH looks for the whole batch (except on a
// connection's first batch); only when it finds something is each message looked for
// alone. Where the server offers MULTIAPPEND (RFC 3502), the copies to make go in one
// APPEND of up to multiAppendBytes, which the server files all or none; otherwise, and on
// a connection's first batch, each APPEND waits for its answer before the next. Either
// way a crash leaves at most one APPEND that the server may still be completing while the
// restarted copier searches (pipelined single APPENDs, the server went on with up to a
// batch of them after a kill, and the kill test found copies filed twice). A crash
// between an APPEND and the batch's record costs nothing: the next SEARCH finds the copy.
// It stops at the first refusal (a *copyRefusal) or connection failure; the copies filed
// before it are returned with it.
func (s *imapSession) copyAll(batch []pendingCopy) (filed []int64, err error) {
	defer func() { s.lastUse = time.Now() }()
	defer s.arm(0)
	if s.c.Mailbox() == nil || s.c.Mailbox().Name != s.sent {
		s.arm(s.timeout)
		if _, err := s.c.Select(s.sent, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return nil, refusal(batch[0].id, err)
		}
	}
	if !s.warm {
		// The first batch of a connection: perhaps the one a crash cut, whose last
		// APPEND the server may still be completing. Each message is looked for just
		// before its APPEND, as late as possible.
		for _, c := range batch {
			found, err := s.filed(c)
			if err != nil {
				return filed, refusal(c.id, err)
			}
			if !found {
				if err := s.appendOne(c); err != nil {
					return filed, err
				}
			}
			filed = append(filed, c.id)
		}
		s.warm = true
		return filed, nil
	}
	there, err := s.alreadyFiled(batch)
	if err != nil {
		return nil, err
	}
	var todo []pendingCopy
	for _, c := range batch {
		if there[c.id] {
			filed = append(filed, c.id)
		} else {
			todo = append(todo, c)
		}
	}
	multi := s.c.Caps().Has(imap.CapMultiAppend)
	for len(todo) > 0 {
		n, size := 1, len(todo[0].raw)
		for multi && n < len(todo) && size+len(todo[n].raw) <= multiAppendBytes {
			size += len(todo[n].raw)
			n++
		}
		if n == 1 {
			if err := s.appendOne(todo[0]); err != nil {
				return filed, err
			}
		} else if err := s.appendMany(todo[:n], size); err != nil {
			var ie *imap.Error
			if !errors.As(err, &ie) {
				return filed, err
			}
			// Refused whole: one at a time, so that the refusal falls on its copy.
			for _, c := range todo[:n] {
				if err := s.appendOne(c); err != nil {
					return filed, err
				}
				filed = append(filed, c.id)
			}
			todo = todo[n:]
			continue
		}
		for _, c := range todo[:n] {
			filed = append(filed, c.id)
		}
		todo = todo[n:]
	}
	return filed, nil
}

// multiAppendBytes bounds the messages of one MULTIAPPEND (one is sent alone when larger).
const multiAppendBytes = 8 << 20

// appendOne files c with one APPEND; the server's refusal is a *copyRefusal.
func (s *imapSession) appendOne(c pendingCopy) error {
	s.arm(s.timeout + time.Duration(len(c.raw)/minDataRate)*time.Second)
	cmd := s.c.Append(s.sent, int64(len(c.raw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: c.sentAt})
	if _, err := cmd.Write(c.raw); err != nil {
		cmd.Close()
		_, _ = cmd.Wait()
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	if _, err := cmd.Wait(); err != nil {
		return refusal(c.id, err)
	}
	return nil
}

// appendMany files cs with one MULTIAPPEND (size: their bytes); the server files all of
// them or none. The server's refusal is an *imap.Error.
func (s *imapSession) appendMany(cs []pendingCopy, size int) error {
	s.arm(s.timeout + time.Duration(size/minDataRate)*time.Second)
	msgs := make([]imapclient.AppendMessage, len(cs))
	for i, c := range cs {
		msgs[i] = imapclient.AppendMessage{Data: c.raw,
			Options: &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: c.sentAt}}
	}
	cmd := s.c.MultiAppend(s.sent, msgs)
	if err := cmd.Close(); err != nil {
		_, _ = cmd.Wait()
		return err
	}
	_, err := cmd.Wait()
	return err
}

// filed reports whether the Sent folder holds a message with c's Message-ID.
func (s *imapSession) filed(c pendingCopy) (bool, error) {
	s.arm(s.timeout)
	data, err := s.c.UIDSearch(&imap.SearchCriteria{
		Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + c.messageID + ">"}},
	}, nil).Wait()
	if err != nil {
		return false, err
	}
	return len(data.AllUIDs()) > 0, nil
}

// alreadyFiled returns the copies of batch whose Message-ID the Sent folder holds.
func (s *imapSession) alreadyFiled(batch []pendingCopy) (map[int64]bool, error) {
	criteria := func(c pendingCopy) imap.SearchCriteria {
		return imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + c.messageID + ">"}}}
	}
	search := func(cr *imap.SearchCriteria) (bool, error) {
		s.arm(s.timeout)
		data, err := s.c.UIDSearch(cr, nil).Wait()
		if err != nil {
			return false, err
		}
		return len(data.AllUIDs()) > 0, nil
	}
	// OR a (OR b (OR c …)): one pass over the folder for the whole batch.
	all := criteria(batch[len(batch)-1])
	for i := len(batch) - 2; i >= 0; i-- {
		all = imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{criteria(batch[i]), all}}}
	}
	found, err := search(&all)
	var ie *imap.Error
	if err != nil && !errors.As(err, &ie) {
		return nil, err
	}
	if err == nil && !found {
		return nil, nil
	}
	// Something is there (or the server refused the long search): one message at a time.
	there := map[int64]bool{}
	for _, c := range batch {
		ok, err := s.filed(c)
		if err != nil {
			return nil, refusal(c.id, err)
		}
		there[c.id] = ok
	}
	return there, nil
}

// refusal makes err a *copyRefusal of the copy id when the server answered NO or BAD.
func refusal(id int64, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		return &copyRefusal{id: id, err: ie}
	}
	return err
}
