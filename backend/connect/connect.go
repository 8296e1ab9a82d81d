// Package connect opens IMAP and SMTP connections with an account's settings: DNS through a
// configurable resolver, TCP with a timeout, implicit TLS or mandatory STARTTLS (never
// plaintext), certificate verification with the user's pinned exceptions, and login. Its
// errors are fault errors with a code and words for people.
//
//	d := &connect.Dialer{Pins: connect.NewPins(db)}
//	c, err := d.IMAP(ctx, acc.IMAP, password) // logged in; caller closes
//	s, err := d.SMTP(ctx, acc.SMTP, password) // *mail.Client, dialled and authenticated
//
// The step functions (Resolve, DialTCP, IMAPHandshake, IMAPLogin, SMTPLogin) are exported
// so the connection test can report each step on its own.
package connect

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
)

// Bounds of each network step.
const (
	DefaultTimeout = 15 * time.Second // TCP connect, TLS handshake, greeting, login
)

// Resolver looks up host addresses; *net.Resolver satisfies it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Dialer holds what every connection needs. The zero value uses the system resolver and
// roots and trusts no pinned certificate.
type Dialer struct {
	Resolver  Resolver
	RootCAs   *x509.CertPool   // nil: the system's roots
	Pins      PinStore         // the user's trusted certificates; nil: none
	Timeout   time.Duration    // per step; 0: DefaultTimeout
	Debug     io.Writer        // protocol log, credentials redacted; nil: none
	LocalAddr net.Addr         // source address (tests use 127.0.0.2 to look non-local)
	Now       func() time.Time // for certificate validity; nil: time.Now
	// WrapConn, when set, wraps every new TCP connection (fault-injection tests drop,
	// stall or cut connections through it).
	WrapConn func(net.Conn) net.Conn
}

func (d *Dialer) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

func (d *Dialer) resolver() Resolver {
	if d.Resolver != nil {
		return d.Resolver
	}
	return net.DefaultResolver
}

// Resolve looks up a server's addresses.
func (d *Dialer) Resolve(ctx context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{host}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	addrs, err := d.resolver().LookupHost(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, ErrServerNotFound.Wrap(err, fault.P{"host": host})
	}
	return addrs, nil
}

// DialTCP connects to the first address that answers.
func (d *Dialer) DialTCP(ctx context.Context, addrs []string, srv accounts.Server) (net.Conn, error) {
	nd := net.Dialer{Timeout: d.timeout(), LocalAddr: d.LocalAddr}
	var last error
	for _, a := range addrs {
		conn, err := nd.DialContext(ctx, "tcp", net.JoinHostPort(a, strconv.Itoa(srv.Port)))
		if err == nil {
			if d.WrapConn != nil {
				conn = d.WrapConn(conn)
			}
			return conn, nil
		}
		last = err
	}
	return nil, tcpError(srv, last)
}

func tcpError(srv accounts.Server, err error) error {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return ErrServerTimeout.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrConnectionRefused.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	}
	return ErrConnectFailed.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
}

// dial resolves and connects.
func (d *Dialer) dial(ctx context.Context, srv accounts.Server) (net.Conn, error) {
	addrs, err := d.Resolve(ctx, srv.Host)
	if err != nil {
		return nil, err
	}
	return d.DialTCP(ctx, addrs, srv)
}
