package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
)

// session is one logged-in IMAP connection. Only the goroutine that dialled it issues
// commands on it; the reader goroutine of go-imap only reports unilateral data through
// notify, which never blocks.
type session struct {
	c    *imapclient.Client
	conn *watchedConn
	caps imap.CapSet
	host string

	selected string           // the selected mailbox, "" when none
	sel      *imap.SelectData // its SELECT answer

	// news is poked (never blocking) when the server announces, for the selected
	// mailbox, new messages (EXISTS), removals (EXPUNGE) or flag changes (FETCH).
	news chan struct{}

	stopWatch func() bool // ends the context watch that closes the connection
}

// connGuard hands the connection made inside Dialer.IMAP to a context watch that may
// fire before, during or after the dial.
type connGuard struct {
	mu     sync.Mutex
	conn   *watchedConn
	closed bool
}

func (g *connGuard) set(c *watchedConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.conn = c
	if g.closed {
		c.Close()
	}
}

func (g *connGuard) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.conn != nil {
		g.conn.Close()
	}
}

// dialSession connects and logs in. Cancelling ctx closes the connection at once, during
// the dial and for as long as the session lives (until close).
func dialSession(ctx context.Context, base *connect.Dialer, srv accounts.Server, login accounts.Login, opts Options) (*session, error) {
	s := &session{news: make(chan struct{}, 1), host: srv.Host}
	g := &connGuard{}
	d := *base // a copy: the wrapper below is this connection's
	inner := base.WrapConn
	d.Timeout = opts.DialTimeout
	d.WrapConn = func(c net.Conn) net.Conn {
		if inner != nil {
			c = inner(c)
		}
		w := newWatchedConn(c, opts.StallTimeout)
		g.set(w)
		return w
	}
	s.stopWatch = context.AfterFunc(ctx, g.close)
	c, err := d.IMAP(ctx, srv, login, &imapclient.Options{
		UnilateralDataHandler: s.unilateral(),
		WordDecoder:           &mime.WordDecoder{CharsetReader: charset.Reader},
	})
	if err != nil {
		s.stopWatch()
		g.close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	s.c, s.conn = c, g.conn
	s.begin()
	s.caps = c.Caps()
	s.end()
	if s.caps == nil {
		s.close()
		return nil, ErrConnectionLost.New(fault.P{"host": srv.Host})
	}
	return s, nil
}

// close ends the session: the connection is closed and the reader goroutine gone.
func (s *session) close() {
	if s.stopWatch != nil {
		s.stopWatch()
	}
	if s.c != nil {
		_ = s.c.Close() // closes the conn, waits for the reader goroutine
	}
}

// begin and end bracket every exchange in which an answer is due (see watchedConn).
func (s *session) begin() { s.conn.arm(true) }
func (s *session) end()   { s.conn.arm(false) }

func (s *session) unilateral() *imapclient.UnilateralDataHandler {
	notify := func() {
		select {
		case s.news <- struct{}{}:
		default:
		}
	}
	return &imapclient.UnilateralDataHandler{
		Expunge: func(uint32) { notify() },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				notify()
			}
		},
		// Runs on its own goroutine, which ends when the response is fully read.
		Fetch: func(msg *imapclient.FetchMessageData) {
			for msg.Next() != nil {
			}
			notify()
		},
	}
}

// drainNews forgets announcements received so far.
func (s *session) drainNews() {
	select {
	case <-s.news:
	default:
	}
}

func (s *session) has(c imap.Cap) bool { return s.caps.Has(c) }

// selectMailbox selects (read-write, with CONDSTORE when offered) a mailbox, even if it
// is already selected: the answer is the fresh state the sync compares with its own.
func (s *session) selectMailbox(name string) (*imap.SelectData, error) {
	s.begin()
	defer s.end()
	if s.selected != name {
		s.drainNews() // announcements so far were about the other mailbox
	}
	s.selected, s.sel = "", nil
	data, err := s.c.Select(name, &imap.SelectOptions{CondStore: s.has(imap.CapCondStore)}).Wait()
	if err != nil {
		return nil, fmt.Errorf("syncer: select %q: %w", name, err)
	}
	s.selected, s.sel = name, data
	return data, nil
}

// ensureSelected selects name unless it is the selected mailbox.
func (s *session) ensureSelected(name string) (*imap.SelectData, error) {
	if s.selected == name && s.sel != nil {
		return s.sel, nil
	}
	return s.selectMailbox(name)
}

// searchUIDs returns the UIDs of the selected mailbox within set (ESEARCH when offered:
// one compact answer instead of one number per message).
func (s *session) searchUIDs(set imap.UIDSet) ([]imap.UID, error) {
	s.begin()
	defer s.end()
	var opts *imap.SearchOptions
	if s.has(imap.CapESearch) {
		opts = &imap.SearchOptions{ReturnAll: true}
	}
	data, err := s.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, opts).Wait()
	if err != nil {
		return nil, fmt.Errorf("syncer: uid search in %q: %w", s.selected, err)
	}
	return data.AllUIDs(), nil
}

// noop proves the connection alive (and lets the server send its news).
func (s *session) noop() error {
	s.begin()
	defer s.end()
	if err := s.c.Noop().Wait(); err != nil {
		return fmt.Errorf("syncer: noop: %w", err)
	}
	return nil
}

// errIdleUnsupported is returned by idle when the server has no IDLE.
var errIdleUnsupported = errors.New("syncer: server has no IDLE")

// idle runs IDLE until wake returns (it blocks until something happens), then leaves
// IDLE and waits for the server's answer. go-imap requires Close then Wait.
func (s *session) idle(wake func()) error {
	if !s.has(imap.CapIdle) {
		return errIdleUnsupported
	}
	s.begin()
	cmd, err := s.c.Idle()
	if err != nil {
		s.end()
		return fmt.Errorf("syncer: idle: %w", err)
	}
	s.end() // in IDLE the server may stay silent for as long as it likes
	wake()
	s.begin()
	defer s.end()
	if err := cmd.Close(); err != nil {
		_ = cmd.Wait()
		return fmt.Errorf("syncer: leave idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("syncer: idle: %w", err)
	}
	return nil
}

// literal guards a FETCH literal for a rule of go-imap v2.0.0-beta.8: once the literal
// reader has returned an error other than EOF, the client's reader goroutine has moved
// on, and reading that literal again — as FetchMessageData.Next and FetchCommand.Close do
// to discard it — races with it. So after such an error the connection is closed, the
// literal is never read again, and the fetch command is abandoned (closing the client
// ends it). A literal read to EOF is safe to discard.
type literal struct {
	r      io.Reader
	closer func() // closes the connection
	eof    bool
	err    error
}

func (l *literal) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.eof {
		return 0, io.EOF
	}
	n, err := l.r.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		l.eof = true
	default:
		l.err = err
		l.closer()
	}
	return n, err
}

// failed reports whether the literal broke (the fetch must be abandoned).
func (l *literal) failed() bool { return l.err != nil }

// finish makes sure the literal ended: a literal left half-read holds the reader
// goroutine, so the connection is closed and the literal read until it fails. It
// reports whether the fetch command may still be used (the literal was read to EOF).
func (l *literal) finish() bool {
	if l.eof {
		return true
	}
	if l.err == nil {
		l.closer()
		_, _ = io.Copy(io.Discard, l)
	}
	return false
}

func (s *session) literal(r io.Reader) *literal {
	return &literal{r: r, closer: func() { _ = s.conn.Close() }}
}
