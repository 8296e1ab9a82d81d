package connect

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// CertInfo describes a server's certificate as the user sees it before trusting it.
type CertInfo struct {
	Subject   string
	Issuer    string
	DNSNames  []string
	NotBefore time.Time
	NotAfter  time.Time
	SHA256    string // hex of the leaf certificate's DER, lower case
}

func certInfo(c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	return CertInfo{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(), DNSNames: c.DNSNames,
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, SHA256: hex.EncodeToString(sum[:]),
	}
}

// Why a certificate is not trusted.
const (
	UntrustedAuthority = "unknown_authority" // self-signed or an unknown CA
	UntrustedExpired   = "expired"           // expired or not yet valid
	UntrustedHost      = "wrong_host"        // issued for another name
	UntrustedChanged   = "changed"           // differs from the one the user trusted for this host and port
	UntrustedOther     = "invalid"
)

// UntrustedReasons lists every reason a certificate is not trusted.
var UntrustedReasons = []string{UntrustedAuthority, UntrustedExpired, UntrustedHost, UntrustedChanged, UntrustedOther}

// UntrustedError is a TLS certificate that failed verification. The user may trust it for
// exactly this host, port and fingerprint (Pins), after seeing Cert.
type UntrustedError struct {
	Host   string
	Port   int
	Reason string
	Cert   CertInfo
	Err    error
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("connect: certificate of %s:%d not trusted (%s): %v", e.Host, e.Port, e.Reason, e.Err)
}

func (e *UntrustedError) Unwrap() error { return e.Err }

// PinStore tells which certificate fingerprint the user trusted for a host and port.
type PinStore interface {
	Pinned(ctx context.Context, host string, port int) (sha256 string, ok bool, err error)
}

// TLSSeen records the certificate a handshake presented, for the connection test's report.
type TLSSeen struct {
	mu      sync.Mutex
	cert    *CertInfo
	version uint16
	pinned  bool
}

// Cert returns the presented leaf certificate, or nil before the handshake.
func (s *TLSSeen) Cert() *CertInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cert
}

// Pinned reports whether the connection was accepted through a certificate the user trusted.
func (s *TLSSeen) Pinned() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pinned
}

// Version returns the negotiated TLS version name.
func (s *TLSSeen) Version() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.version == 0 {
		return ""
	}
	return tls.VersionName(s.version)
}

// tlsConfig verifies the server's certificate against the roots and the host name, and
// accepts a failing certificate only when its SHA-256 matches the one the user trusted for
// exactly this host and port.
//
// Go's normal verification is switched off (InsecureSkipVerify) only so that this function
// can run the same verification itself and then consult the pin: VerifyConnection always
// runs, and every path that does not return nil aborts the handshake. This is the only
// place in Mailroom where verification is customised.
func (d *Dialer) tlsConfig(ctx context.Context, host string, port int, seen *TLSSeen) *tls.Config {
	return &tls.Config{
		ServerName:         host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection below, never skipped
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return &UntrustedError{Host: host, Port: port, Reason: UntrustedOther, Err: errors.New("no certificate presented")}
			}
			leaf := cs.PeerCertificates[0]
			info := certInfo(leaf)
			if seen != nil {
				seen.mu.Lock()
				seen.cert, seen.version = &info, cs.Version
				seen.mu.Unlock()
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, verr := leaf.Verify(x509.VerifyOptions{
				DNSName: host, Roots: d.RootCAs, Intermediates: inter, CurrentTime: d.now(),
			})
			pin, pinned, perr := d.pinned(ctx, host, port)
			if perr != nil {
				return fmt.Errorf("connect: read trusted certificates: %w", perr)
			}
			if verr == nil {
				return nil
			}
			if pinned {
				if strings.EqualFold(pin, info.SHA256) {
					if seen != nil {
						seen.mu.Lock()
						seen.pinned = true
						seen.mu.Unlock()
					}
					return nil
				}
				return &UntrustedError{Host: host, Port: port, Reason: UntrustedChanged, Cert: info, Err: verr}
			}
			return &UntrustedError{Host: host, Port: port, Reason: untrustedReason(verr), Cert: info, Err: verr}
		},
	}
}

func (d *Dialer) pinned(ctx context.Context, host string, port int) (string, bool, error) {
	if d.Pins == nil {
		return "", false, nil
	}
	return d.Pins.Pinned(ctx, host, port)
}

func (d *Dialer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func untrustedReason(err error) string {
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	var unknown x509.UnknownAuthorityError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		return UntrustedExpired
	case errors.As(err, &host):
		return UntrustedHost
	case errors.As(err, &unknown):
		return UntrustedAuthority
	}
	return UntrustedOther
}
