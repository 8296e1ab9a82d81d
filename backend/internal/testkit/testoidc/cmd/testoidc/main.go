// Command testoidc runs the test OAuth/OIDC provider (package testoidc) as a process, for
// servers that outlive any one test: scripts/testenv/up.sh starts it beside Dovecot, whose
// passdb oauth2 introspects its tokens, and tests get tokens from it over HTTP
// (testoidc.PathMint; backend/internal/testkit/testenv wraps that).
//
//	testoidc -addr 127.0.0.1:24000 -url-file DIR/oidc/url
//
// It listens on 127.0.0.1 only, writes its base URL to -url-file once it accepts
// connections (so a script can wait for the file), and stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"mailroom/backend/internal/testkit/testoidc"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address; loopback only")
	urlFile := flag.String("url-file", "", "write the base URL here once listening")
	email := flag.String("email", "user@example.test", "who signs in when the authorisation request names nobody (login_hint)")
	clientID := flag.String("client-id", "test-client", "the client accepted at the token endpoint")
	flag.Parse()
	log.SetPrefix("testoidc: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	// A test provider must never be reachable from elsewhere: it hands out tokens to anyone.
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("-addr %q: want a loopback host:port", *addr)
	}
	p, err := testoidc.Listen(*addr, testoidc.Options{
		ClientID: *clientID, Email: *email, LoginHint: true, Control: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	// The signing key takes up to a second to make; only sign-ins need it, so it is made
	// while Dovecot and the tests start rather than before the URL is announced.
	go p.WarmUp()
	if *urlFile != "" {
		// Written whole then renamed, so a reader never sees half a URL.
		tmp := *urlFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(p.URL+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *urlFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("listening on %s", p.URL)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	p.Close()
	fmt.Fprintf(os.Stderr, "testoidc: stopped (%v)\n", s)
}
