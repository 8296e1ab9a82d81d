package discovery

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
)

// Both resolvers a Discoverer may be given, asked the same questions of the same server.
func TestResolversAnswerFromTheGivenDNSServer(t *testing.T) {
	z := startDNS(t)
	z.add(t,
		"r.test. 60 IN MX 20 backup.r.test.",
		"r.test. 60 IN MX 10 main.r.test.",
		"_imaps._tcp.r.test. 60 IN SRV 10 5 993 light.r.test.",
		"_imaps._tcp.r.test. 60 IN SRV 0 1 993 first.r.test.",
		"_imaps._tcp.r.test. 60 IN SRV 10 50 993 heavy.r.test.",
		"host.r.test. 60 IN A 127.0.0.1",
		"host.r.test. 60 IN AAAA ::1",
	)
	resolvers := []struct {
		name string
		r    Resolver
	}{
		{"the DNS server resolver", NewDNSServerResolver(z.addr)},
		{"a net.Resolver dialling the server", &net.Resolver{PreferGo: true,
			Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "udp", z.addr)
			}}},
	}
	for _, tc := range resolvers {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			mxs, err := tc.r.LookupMX(ctx, "r.test")
			if err != nil {
				t.Fatal(err)
			}
			var mxHosts []string
			for _, m := range mxs {
				mxHosts = append(mxHosts, m.Host)
			}
			if !slices.Equal(mxHosts, []string{"main.r.test.", "backup.r.test."}) {
				t.Errorf("MX = %q, want preference order", mxHosts)
			}

			_, srvs, err := tc.r.LookupSRV(ctx, "imaps", "tcp", "r.test")
			if err != nil {
				t.Fatal(err)
			}
			if len(srvs) != 3 || srvs[0].Target != "first.r.test." {
				t.Errorf("SRV = %+v, want first.r.test. first (lowest priority)", srvs)
			}

			addrs, err := tc.r.LookupHost(ctx, "host.r.test")
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(addrs)
			if !slices.Equal(addrs, []string{"127.0.0.1", "::1"}) {
				t.Errorf("host addresses = %q", addrs)
			}

			_, err = tc.r.LookupHost(ctx, "absent.r.test")
			var dnsErr *net.DNSError
			if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
				t.Errorf("absent name: err = %v, want a not-found *net.DNSError", err)
			}
		})
	}
}

func TestTheDNSServerResolverOrdersSRVByPriorityThenWeight(t *testing.T) {
	z := startDNS(t)
	z.add(t,
		"_submission._tcp.w.test. 60 IN SRV 10 5 587 light.w.test.",
		"_submission._tcp.w.test. 60 IN SRV 10 50 587 heavy.w.test.",
		"_submission._tcp.w.test. 60 IN SRV 20 99 587 later.w.test.",
	)
	_, srvs, err := NewDNSServerResolver(z.addr).LookupSRV(t.Context(), "submission", "tcp", "w.test")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range srvs {
		got = append(got, s.Target)
	}
	if want := []string{"heavy.w.test.", "light.w.test.", "later.w.test."}; !slices.Equal(got, want) {
		t.Fatalf("order %q, want %q", got, want)
	}
}

func TestTheDNSServerResolverReportsAnUnreachableServer(t *testing.T) {
	// A UDP port with nothing behind it: the query fails (refused or timed out), quickly.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	ctx, cancel := context.WithTimeout(t.Context(), DNSQueryTimeout)
	defer cancel()
	_, err = NewDNSServerResolver(addr).LookupMX(ctx, "x.test")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || dnsErr.IsNotFound {
		t.Fatalf("err = %v, want a *net.DNSError that is not not-found", err)
	}
}
