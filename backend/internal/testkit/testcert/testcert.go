// Package testcert makes TLS certificates for tests: a private CA and leaves that are
// valid, expired, for another host, or self-signed, so the certificate checks are tested
// against real handshakes.
//
//	ca := testcert.NewCA(t)
//	srvCfg := ca.Leaf(t, testcert.Opts{Hosts: []string{"127.0.0.1", "localhost"}}).ServerConfig()
//	dialer.RootCAs = ca.Pool()
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// CA is a private certificate authority.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// Cert is a leaf certificate and its key.
type Cert struct {
	TLS    tls.Certificate
	Leaf   *x509.Certificate
	SHA256 string
}

// Opts shape a leaf.
type Opts struct {
	Hosts      []string  // DNS names or IPs; default 127.0.0.1 and localhost
	NotAfter   time.Time // default: in a year
	NotBefore  time.Time // default: an hour ago
	SelfSigned bool      // signed by itself instead of the CA
	CommonName string
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// NewCA makes a CA valid for a year.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "Mailroom Test CA", Organization: []string{"Mailroom tests"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{cert: cert, key: key}
}

// Pool is a pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Leaf makes a server certificate.
func (ca *CA) Leaf(t testing.TB, o Opts) *Cert {
	t.Helper()
	c, err := ca.leaf(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (ca *CA) leaf(o Opts) (*Cert, error) {
	if len(o.Hosts) == 0 {
		o.Hosts = []string{"127.0.0.1", "localhost"}
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
		if o.NotBefore.After(o.NotAfter) {
			o.NotBefore = o.NotAfter.Add(-24 * time.Hour)
		}
	}
	if o.CommonName == "" {
		o.CommonName = o.Hosts[0]
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: o.CommonName},
		NotBefore: o.NotBefore, NotAfter: o.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range o.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	parent, signer := ca.cert, ca.key
	if o.SelfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	return &Cert{TLS: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, Leaf: leaf, SHA256: hex.EncodeToString(sum[:])}, nil
}

// AnyNameConfig is a TLS server configuration that presents, for whatever name the client
// asks (SNI), a certificate of this CA for that name, made on first use: one server
// stands for many hosts (autoconfig.DOMAIN, DOMAIN…).
func (ca *CA) AnyNameConfig() *tls.Config {
	var mu sync.Mutex
	leaves := map[string]*tls.Certificate{}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		name := hello.ServerName
		if name == "" {
			return nil, errors.New("testcert: no server name (SNI) asked")
		}
		mu.Lock()
		defer mu.Unlock()
		if c, ok := leaves[name]; ok {
			return c, nil
		}
		c, err := ca.leaf(Opts{Hosts: []string{name}})
		if err != nil {
			return nil, err
		}
		leaves[name] = &c.TLS
		return &c.TLS, nil
	}}
}

// ServerConfig is a TLS server configuration presenting this certificate.
func (c *Cert) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.TLS}, MinVersion: tls.VersionTLS12}
}
