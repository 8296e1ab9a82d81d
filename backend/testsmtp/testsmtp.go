// Package testsmtp runs go-smtp's server in-process on 127.0.0.1 for tests: AUTH PLAIN with
// known users, STARTTLS or implicit TLS, received messages recorded, and scripted failures
// ("refuse AUTH with 535 5.7.139", "fail the 3rd message with 451").
//
//	srv := testsmtp.Start(t, testsmtp.Options{TLS: cfg, Users: map[string]string{"a@x.test": "pw"}})
//	… send to 127.0.0.1:srv.Port …
//	msgs := srv.Messages()
package testsmtp

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options shape the server.
type Options struct {
	TLS         *tls.Config       // certificate for STARTTLS or implicit TLS; nil: no STARTTLS offered
	ImplicitTLS bool              // speak TLS from the first byte (SMTPS)
	Users       map[string]string // username → password accepted by AUTH PLAIN
	// AuthError, when set, is returned to every AUTH (e.g. Microsoft's 535 5.7.139).
	AuthError *smtp.SMTPError
	// DataError, when set, is called for the n-th message (1-based) and may return an error.
	DataError func(n int) error
}

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

	mu   sync.Mutex
	msgs []Message
	n    int
	srv  *smtp.Server
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{opts: o}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 25 << 20
	srv.TLSConfig = o.TLS
	srv.AllowInsecureAuth = o.TLS == nil // without TLS there is nothing to require
	srv.ErrorLog = quiet{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.ImplicitTLS {
		ln = tls.NewListener(ln, o.TLS)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.srv = srv
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	user string
	from string
	to   []string
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if se.s.opts.AuthError != nil {
			return se.s.opts.AuthError
		}
		if want, ok := se.s.opts.Users[username]; !ok || want != password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		se.user = username
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.user == "" && len(se.s.opts.Users) > 0 {
		return errAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
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
	if f := se.s.opts.DataError; f != nil {
		if err := f(n); err != nil {
			return err
		}
	}
	se.s.mu.Lock()
	se.s.msgs = append(se.s.msgs, Message{From: se.from, To: se.to, Data: buf.Bytes(), User: se.user})
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }
