package testcert

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy listens on 127.0.0.1, terminates TLS with cert and forwards the plaintext to
// target: a real server (e.g. the test Dovecot's plain IMAP port) behind a certificate of
// the test's choosing — expired, for another host, self-signed. It returns the port.
func Proxy(t testing.TB, cert *Cert, target string) int {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cert.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			track(c)
			track(up)
			wg.Add(2)
			// Each copy ends when either side closes; its error says no more than that.
			go func() { defer wg.Done(); _, _ = io.Copy(up, c); up.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).Port
}
