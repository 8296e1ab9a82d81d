// Command testpostmark runs the fake Postmark API (package testpostmark) as a process, for
// tests that drive the app from another process: the browser end-to-end test starts it,
// points the app at it with MAILROOM_POSTMARK_URL, and reads what it accepted.
//
//	testpostmark -addr 127.0.0.1:0 -token SERVER-TOKEN -url-file DIR/url \
//	    -signature hello@example.test -confirmed billing@example.test
//
// It listens on 127.0.0.1 only, serves the control endpoints (testpostmark.PathMessages,
// PathSignatures, PathToken), writes its base URL to -url-file once it accepts connections
// (so a script can wait for the file), and stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"mailroom/backend/internal/testkit/testpostmark"
)

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address; loopback only")
	token := flag.String("token", "", "the server token accepted (required)")
	urlFile := flag.String("url-file", "", "write the base URL here once listening")
	var unconfirmed, confirmed list
	flag.Var(&unconfirmed, "signature", "a sender signature (address or domain) waiting for its confirmation; repeatable")
	flag.Var(&confirmed, "confirmed", "a confirmed sender signature (address or domain); repeatable")
	flag.Parse()
	log.SetPrefix("testpostmark: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	s, err := testpostmark.Listen(*addr, testpostmark.Options{Token: *token, Control: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range unconfirmed {
		s.AddSignature(a, false)
	}
	for _, a := range confirmed {
		s.AddSignature(a, true)
	}
	if *urlFile != "" {
		// Written whole then renamed, so a reader never sees half a URL.
		tmp := *urlFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(s.URL+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *urlFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("listening on %s", s.URL)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	got := <-sig
	s.Close()
	fmt.Fprintf(os.Stderr, "testpostmark: stopped (%v)\n", got)
}
