// Command testdns runs the test DNS server (package testdns) as a process, for tests that
// drive the app from another process: the browser end-to-end test starts it, points the
// app at it with MAILROOM_DNS_SERVER, and changes the zone as a person would at their DNS
// host, by writing the zone file.
//
//	testdns -zone DIR/zone.txt [-addr 127.0.0.1:0] [-origin .]
//
// It serves the records of the zone file (zone-file syntax: $ORIGIN, $TTL, relative names,
// comments) over UDP and TCP on 127.0.0.1, answering NXDOMAIN for every other name, so no
// question of the app leaves the machine. It prints its address ("127.0.0.1:PORT") on
// stdout once it answers. Before each question it looks at the file again and, when it
// changed (another file renamed over it, another size or time), reads it anew: an answer
// never predates a write made before the question. A file that does not parse leaves the
// last records in place and says why on stderr. It stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"mailroom/backend/internal/testkit/testdns"
)

// zoneFile is the zone file and what it was when last read.
type zoneFile struct {
	path, origin string

	mu   sync.Mutex
	seen os.FileInfo
}

// load reads the file when it changed since the last read, and puts its records in place.
func (z *zoneFile) load(s *testdns.Server) error {
	z.mu.Lock()
	defer z.mu.Unlock()
	st, err := os.Stat(z.path)
	if err != nil {
		return err
	}
	if z.seen != nil && os.SameFile(z.seen, st) && z.seen.Size() == st.Size() && z.seen.ModTime().Equal(st.ModTime()) {
		return nil
	}
	f, err := os.Open(z.path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	rrs, err := testdns.ParseZone(f, z.origin, z.path)
	if err != nil {
		return err
	}
	s.Replace(rrs)
	z.seen = st
	log.Printf("%s: %d records", z.path, len(rrs))
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (UDP and TCP); loopback only")
	path := flag.String("zone", "", "the zone file served (required)")
	origin := flag.String("origin", ".", "the origin of relative names when the file sets no $ORIGIN")
	flag.Parse()
	log.SetPrefix("testdns: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if *path == "" {
		log.Fatal("-zone is required")
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("-addr %q: a loopback address and port", *addr)
	}

	z := &zoneFile{path: *path, origin: *origin}
	refresh := func(s *testdns.Server) {
		if err := z.load(s); err != nil {
			log.Printf("%v (the last records stay)", err)
		}
	}
	s, err := testdns.Start(*addr, testdns.WithRefresh(refresh))
	if err != nil {
		log.Fatal(err)
	}
	// The file must be sound at start: a test with a broken zone fails at once.
	if err := z.load(s); err != nil {
		_ = s.Close()
		log.Fatal(err)
	}
	fmt.Println(s.Addr)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
}
