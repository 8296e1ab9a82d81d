// Package testimap runs go-imap's in-memory server on 127.0.0.1 for tests, over implicit
// TLS, with STARTTLS, or plain.
//
//	port := testimap.Start(t, testimap.Options{TLS: cfg, ImplicitTLS: true, Users: map[string]string{"a@x.test": "pw"}})
package testimap

import (
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"mailroom/backend/internal/testkit/testoidc"
)

// Options shape the server.
type Options struct {
	TLS         *tls.Config       // certificate; with ImplicitTLS false it is offered through STARTTLS
	ImplicitTLS bool              // speak TLS from the first byte (IMAPS)
	Users       map[string]string // username → password; each gets an INBOX
	// Introspect, when set, also offers AUTHENTICATE XOAUTH2: a bearer token is accepted for
	// the user it names when Introspect says it is active and that user's (as Dovecot's
	// passdb oauth2 does).
	Introspect testoidc.Introspector
	// RefuseAfterAuth makes every mailbox command after a successful sign-in fail, as
	// Outlook does with "User is authenticated but not connected".
	RefuseAfterAuth bool
	// NoKeywords makes every mailbox refuse new keywords: PERMANENTFLAGS lists the system
	// flags only (no \*), and a STORE of any other keyword is answered NO, as servers with
	// a fixed flag set (some hosted Exchange gateways, older Domino) do.
	NoKeywords bool
	// Caps, when set, replace the advertised capabilities (default IMAP4rev1 and IDLE).
	Caps imap.CapSet
}

// Start runs a server until the test ends and returns its port.
func Start(t testing.TB, o Options) int {
	t.Helper()
	mem := imapmemserver.New()
	for name, pw := range o.Users {
		u := imapmemserver.NewUser(name, pw)
		if err := u.Create("INBOX", nil); err != nil {
			t.Fatal(err)
		}
		mem.AddUser(u)
	}
	caps := o.Caps
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}}
	}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if o.Introspect == nil && !o.RefuseAfterAuth && !o.NoKeywords {
				return mem.NewSession(), nil, nil
			}
			return &session{Session: mem.NewSession(), o: o}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true, // loopback only; the client under test is what must insist on TLS
		Logger:       quiet{},
	}
	if !o.ImplicitTLS {
		opts.TLSConfig = o.TLS
	}
	srv := imapserver.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.ImplicitTLS {
		ln = tls.NewListener(ln, o.TLS)
	}
	go func() { _ = srv.Serve(ln) }() // returns when Close stops it
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// session adds XOAUTH2 and the refusals to the in-memory server's session.
type session struct {
	imapserver.Session
	o Options
}

func (s *session) AuthenticateMechanisms() []string {
	if s.o.Introspect == nil {
		return nil
	}
	return []string{"XOAUTH2"}
}

func (s *session) Authenticate(mech string) (sasl.Server, error) {
	if s.o.Introspect == nil || mech != "XOAUTH2" {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Unsupported mechanism"}
	}
	return testoidc.NewXOAuth2Server(s.o.Introspect, func(user string) error {
		return s.Session.Login(user, s.o.Users[user])
	}), nil
}

var errNotConnected = &imap.Error{Type: imap.StatusResponseTypeBad, Text: "User is authenticated but not connected."}

func (s *session) Status(mailbox string, options *imap.StatusOptions) (*imap.StatusData, error) {
	if s.o.RefuseAfterAuth {
		return nil, errNotConnected
	}
	return s.Session.Status(mailbox, options)
}

func (s *session) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	if s.o.RefuseAfterAuth {
		return nil, errNotConnected
	}
	data, err := s.Session.Select(mailbox, options)
	if err == nil && s.o.NoKeywords {
		data.PermanentFlags = slices.DeleteFunc(slices.Clone(data.PermanentFlags), func(f imap.Flag) bool {
			return f == imap.FlagWildcard || !strings.HasPrefix(string(f), `\`)
		})
	}
	return data, err
}

func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	if s.o.NoKeywords {
		for _, f := range flags.Flags {
			if !strings.HasPrefix(string(f), `\`) {
				return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Keywords are not supported"}
			}
		}
	}
	return s.Session.Store(w, numSet, flags, options)
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
