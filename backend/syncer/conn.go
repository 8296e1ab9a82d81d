package syncer

import (
	"errors"
	"net"
	"sync"
	"time"
)

// watchedConn is the TCP connection under one IMAP client.
//
// go-imap v2 bounds a response once its first byte has arrived (30 s) but waits without
// limit for that first byte, and takes no context. So the session arms the watch while an
// answer is due (a command in flight, leaving IDLE) and disarms it while it waits on
// purpose (in IDLE, between commands): while armed, every read and write must make
// progress within the stall timeout or fails, which makes the client close the
// connection and the session end. A stalled or half-open connection is thus found within
// the stall timeout of the next command — at the latest, the IDLE refresh — and closed at
// its first timeout.
//
// Deadlines set by the client library are kept and combined with the watch's own.
type watchedConn struct {
	net.Conn
	stall time.Duration

	mu       sync.Mutex
	armed    bool
	readAsk  time.Time // deadlines the client library asked for
	writeAsk time.Time
}

func newWatchedConn(c net.Conn, stall time.Duration) *watchedConn {
	return &watchedConn{Conn: c, stall: stall}
}

// effective combines a deadline asked for with the watch. Callers hold c.mu.
func (c *watchedConn) effective(asked time.Time) time.Time {
	if !c.armed {
		return asked
	}
	d := time.Now().Add(c.stall)
	if !asked.IsZero() && asked.Before(d) {
		return asked
	}
	return d
}

func (c *watchedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	_ = c.Conn.SetReadDeadline(c.effective(c.readAsk))
	c.mu.Unlock()
	n, err := c.Conn.Read(p)
	c.killOnTimeout(err)
	return n, err
}

func (c *watchedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	_ = c.Conn.SetWriteDeadline(c.effective(c.writeAsk))
	c.mu.Unlock()
	n, err := c.Conn.Write(p)
	c.killOnTimeout(err)
	return n, err
}

// killOnTimeout closes the connection at its first timeout: a timed-out connection is
// dead. (go-imap's decoder retries a failed read several times before giving up, each
// retry waiting a whole stall timeout, and a TLS write that timed out leaves the stream
// corrupt.)
func (c *watchedConn) killOnTimeout(err error) {
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		_ = c.Conn.Close()
	}
}

func (c *watchedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readAsk, c.writeAsk = t, t
	return c.Conn.SetDeadline(c.effective(t))
}

func (c *watchedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readAsk = t
	return c.Conn.SetReadDeadline(c.effective(t))
}

func (c *watchedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeAsk = t
	return c.Conn.SetWriteDeadline(c.effective(t))
}

// arm starts (true) or stops (false) the watch; it applies to reads and writes already
// blocked too.
func (c *watchedConn) arm(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = on
	_ = c.Conn.SetReadDeadline(c.effective(c.readAsk))
	_ = c.Conn.SetWriteDeadline(c.effective(c.writeAsk))
}
