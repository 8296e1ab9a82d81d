package oauth

import (
	"bytes"
	"net"
	"sync"
)

// IMAPConn wraps the connection a go-imap client writes to (for implicit TLS, the
// *tls.Conn) so that an empty SASL response goes out as the empty line RFC 3501 asks for.
// go-imap v2.0.0-beta.8 sends "=" there, the RFC 4959 marker that is valid only as an
// initial response; Dovecot answers "BAD Invalid base64 data in continued response"
// (go-imap issue #760). XOAUTH2 sends that empty response after every refused token.
//
// With STARTTLS go-imap makes the TLS connection itself, out of reach of a wrapper: there
// a refused token still ends the command (with BAD instead of NO) and XOAuth2Client still
// records why, so callers must go by XOAuth2Client.Failure, not by the status type.
func IMAPConn(conn net.Conn) net.Conn { return &imapConn{Conn: conn} }

type imapConn struct {
	net.Conn
	mu     sync.Mutex
	inAuth bool // an AUTHENTICATE command was sent and no other command since
}

var (
	authenticateVerb   = []byte(" AUTHENTICATE ")
	goIMAPEmptySASL    = []byte("=\r\n")
	rfc3501EmptyAnswer = []byte("\r\n")
)

func (c *imapConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// go-imap flushes a SASL response as one write of its own. A response is base64, so
	// any write with a space is a command, which ends the exchange.
	if c.inAuth && bytes.Equal(p, goIMAPEmptySASL) {
		if _, err := c.Conn.Write(rfc3501EmptyAnswer); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if bytes.IndexByte(p, ' ') >= 0 {
		c.inAuth = bytes.Contains(p, authenticateVerb)
	}
	return c.Conn.Write(p)
}
