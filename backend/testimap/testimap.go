// Package testimap runs go-imap's in-memory server on 127.0.0.1 for tests, over implicit
// TLS, with STARTTLS, or plain.
//
//	port := testimap.Start(t, testimap.Options{TLS: cfg, ImplicitTLS: true, Users: map[string]string{"a@x.test": "pw"}})
package testimap

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Options shape the server.
type Options struct {
	TLS         *tls.Config       // certificate; with ImplicitTLS false it is offered through STARTTLS
	ImplicitTLS bool              // speak TLS from the first byte (IMAPS)
	Users       map[string]string // username → password; each gets an INBOX
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
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}},
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
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
