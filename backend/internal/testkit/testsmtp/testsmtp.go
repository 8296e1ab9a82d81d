// Package testsmtp runs go-smtp's server in-process on 127.0.0.1 for tests: AUTH PLAIN with
// known users, AUTH XOAUTH2 with bearer tokens checked by an OAuth provider's introspection,
// STARTTLS or implicit TLS, received messages recorded, and scripted failures
// ("refuse AUTH with 535 5.7.139", "fail the 3rd message with 451", "cut the connection
// after the 2nd message's final dot, before answering").
//
//	srv := testsmtp.Start(t, testsmtp.Options{TLS: cfg, Users: map[string]string{"a@x.test": "pw"}})
//	… send to 127.0.0.1:srv.Port …
//	msgs := srv.Messages()
//	n := srv.Connections() // TCP connections accepted so far
package testsmtp

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailroom/backend/internal/testkit/testoidc"
)

// Options shape the server.
type Options struct {
	TLS         *tls.Config       // certificate for STARTTLS or implicit TLS; nil: no STARTTLS offered
	ImplicitTLS bool              // speak TLS from the first byte (SMTPS)
	Users       map[string]string // username → password accepted by AUTH PLAIN
	// Introspect, when set, also offers AUTH XOAUTH2: a bearer token is accepted for the
	// user it names when Introspect says it is active and that user's, as Dovecot's passdb
	// oauth2 does (e.g. testoidc.RemoteIntrospector(env.OIDCURL + testoidc.PathIntrospect)).
	Introspect testoidc.Introspector
	// AuthError, when set, is returned to every AUTH (e.g. Microsoft's 535 5.7.139).
	AuthError *smtp.SMTPError
	// DataError, when set, is called for the n-th message (1-based) and may return an error.
	DataError func(n int) error
	// MailError, when set, is called at the n-th MAIL FROM (1-based, over all connections)
	// and may return an error (e.g. 451 or 550).
	MailError func(n int) error
	// RcptError, when set, is called for each RCPT TO of the n-th MAIL FROM's transaction.
	RcptError func(n int, rcpt string) error
	// Drop, when set, is asked at each step whether to cut the connection there without
	// answering. n counts MAIL FROMs for StepMail and StepRcpt, messages for StepData
	// (as DataError does).
	Drop func(step Step, n int) bool
	// DataDelay is waited after each message has arrived, before the answer (a slow server).
	DataDelay time.Duration
	// ReadTimeout closes a connection on which the client says nothing this long, as
	// servers do with idle connections; 0: 10 s.
	ReadTimeout time.Duration
}

// Step is a point of the SMTP dialogue where Options.Drop may cut the connection.
type Step string

// Steps of a transaction.
const (
	StepMail Step = "mail" // MAIL FROM received, not answered
	StepRcpt Step = "rcpt" // a RCPT TO received, not answered
	// StepData: the whole message arrived (its final dot included), not answered. The
	// message is recorded in Messages, as a real server may already have queued it.
	StepData Step = "data"
)

// Message is one received message.
type Message struct {
	From string
	To   []string
	Data []byte
	User string
}

// Server is a running test server.
type Server struct {
	Port int
	opts Options

	mu    sync.Mutex
	msgs  []Message
	n     int // messages whose data arrived
	mails int // MAIL FROM commands
	srv   *smtp.Server
	conns atomic.Int64
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{opts: o}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	if o.ReadTimeout > 0 {
		srv.ReadTimeout = o.ReadTimeout
	}
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 25 << 20
	srv.TLSConfig = o.TLS
	srv.AllowInsecureAuth = o.TLS == nil // without TLS there is nothing to require
	srv.ErrorLog = quiet{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln = countingListener{ln, &s.conns}
	if o.ImplicitTLS {
		ln = tls.NewListener(ln, o.TLS)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.srv = srv
	go func() { _ = srv.Serve(ln) }() // returns when Close stops it
	t.Cleanup(func() { srv.Close() })
	return s
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Connections returns how many TCP connections the server has accepted.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// countingListener counts accepted connections (go-smtp opens a new session after
// STARTTLS, so sessions would count a connection twice).
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
	mail int // this transaction's MAIL FROM number
}

// errDropped is returned after the connection was cut on purpose; nobody reads it.
var errDropped = errors.New("testsmtp: connection cut by the test")

// drop cuts the connection under the session if the test asks for it at this step.
func (se *session) drop(step Step, n int) bool {
	if f := se.s.opts.Drop; f == nil || !f(step, n) {
		return false
	}
	se.conn.Conn().Close()
	return true
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

// XOAuth2 is the SASL mechanism name offered when Options.Introspect is set.
const XOAuth2 = "XOAUTH2"

func (se *session) AuthMechanisms() []string {
	if se.s.opts.Introspect != nil {
		return []string{sasl.Plain, XOAuth2}
	}
	return []string{sasl.Plain}
}

var errAuthInvalid = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech == XOAuth2 && se.s.opts.Introspect != nil {
		return xoauth2Answer{testoidc.NewXOAuth2Server(se.s.opts.Introspect, func(user string) error {
			if se.s.opts.AuthError != nil {
				return se.s.opts.AuthError
			}
			se.user = user
			return nil
		})}, nil
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if se.s.opts.AuthError != nil {
			return se.s.opts.AuthError
		}
		if want, ok := se.s.opts.Users[username]; !ok || want != password {
			return errAuthInvalid
		}
		se.user = username
		return nil
	}), nil
}

// xoauth2Answer ends a refused XOAUTH2 exchange with 535 5.7.8, as Gmail does, rather than
// go-smtp's generic 454 for errors that are not SMTP errors.
type xoauth2Answer struct{ sasl.Server }

func (x xoauth2Answer) Next(resp []byte) ([]byte, bool, error) {
	challenge, done, err := x.Server.Next(resp)
	if errors.Is(err, testoidc.ErrXOAuth2Refused) {
		err = errAuthInvalid
	}
	return challenge, done, err
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.user == "" && (len(se.s.opts.Users) > 0 || se.s.opts.Introspect != nil) {
		return errAuthRequired
	}
	se.s.mu.Lock()
	se.s.mails++
	se.mail = se.s.mails
	se.s.mu.Unlock()
	if se.drop(StepMail, se.mail) {
		return errDropped
	}
	if f := se.s.opts.MailError; f != nil {
		if err := f(se.mail); err != nil {
			return err
		}
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.drop(StepRcpt, se.mail) {
		return errDropped
	}
	if f := se.s.opts.RcptError; f != nil {
		if err := f(se.mail, to); err != nil {
			return err
		}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	se.s.mu.Lock()
	se.s.n++
	n := se.s.n
	se.s.mu.Unlock()
	if d := se.s.opts.DataDelay; d > 0 {
		time.Sleep(d)
	}
	if f := se.s.opts.DataError; f != nil {
		if err := f(n); err != nil {
			return err
		}
	}
	se.s.mu.Lock()
	se.s.msgs = append(se.s.msgs, Message{From: se.from, To: se.to, Data: buf.Bytes(), User: se.user})
	se.s.mu.Unlock()
	if se.drop(StepData, n) {
		return errDropped
	}
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }
