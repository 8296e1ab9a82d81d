package deliverability_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/deliverability"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/internal/testkit/testdns"
	"mailroom/backend/oauth"
	"mailroom/backend/store"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

var ctx = context.Background()

// The providers' own zones, as they publish them (ranges shortened to a few).
var providerZones = []string{
	`_spf.google.com. 300 IN TXT "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all"`,
	`_netblocks.google.com. 300 IN TXT "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:209.85.128.0/17 ~all"`,
	`_netblocks2.google.com. 300 IN TXT "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ~all"`,
	`_netblocks3.google.com. 300 IN TXT "v=spf1 ip4:172.217.0.0/19 ip4:108.177.96.0/19 ~all"`,
	`spf.protection.outlook.com. 300 IN TXT "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip6:2a01:111:f400::/48 -all"`,
	`pm.mtasv.net. 300 IN TXT "v=spf1 include:spf.mtasv.net ~all"`,
	`spf.mtasv.net. 300 IN TXT "v=spf1 ip4:50.31.156.96/27 ip4:104.245.209.192/26 ip4:3.134.147.250 ~all"`,
	`mailgun.org. 300 IN TXT "v=spf1 include:_spf.mailgun.org include:_spf.eu.mailgun.org ~all"`,
	`_spf.mailgun.org. 300 IN TXT "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 ip4:198.61.254.0/23 ~all"`,
	`_spf.eu.mailgun.org. 300 IN TXT "v=spf1 ip4:141.193.32.0/23 ip4:159.135.140.80/29 ~all"`,
	`mx.ovh.com. 300 IN TXT "v=spf1 ip4:46.105.0.0/16 ip4:87.98.128.0/17 ~all"`,
	`spf.infomaniak.ch. 300 IN TXT "v=spf1 ip4:83.166.143.0/24 ip4:84.16.66.0/24 ~all"`,
	`smtp.artisan-bois.fr. 300 IN A 203.0.113.25`,
	`mx.artisan-bois.fr. 300 IN A 203.0.113.10`,
	`artisan-bois.fr. 300 IN MX 10 mx.artisan-bois.fr.`,
}

var (
	keysOnce sync.Once
	rsaKey   string // p= of a 2048-bit RSA key
	edKey    string // p= of an Ed25519 key
)

func keys(t *testing.T) (string, string) {
	keysOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			panic(err)
		}
		rsaKey = base64.StdEncoding.EncodeToString(der)
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		edKey = base64.StdEncoding.EncodeToString(pub)
	})
	return rsaKey, edKey
}

// txt is a TXT record in zone-file syntax, split into strings of at most 255 bytes.
func txt(name, value string) string {
	var parts []string
	for len(value) > 255 {
		parts = append(parts, `"`+value[:255]+`"`)
		value = value[255:]
	}
	parts = append(parts, `"`+value+`"`)
	return name + " 300 IN TXT " + strings.Join(parts, " ")
}

func dkimKey(name string, t *testing.T) string {
	k, _ := keys(t)
	return txt(name, "v=DKIM1; k=rsa; p="+k)
}

// want is an expected finding: its code and severity, the params it must carry (a
// subset), and its fix exactly (nil: none).
type want struct {
	code   string
	sev    deliverability.Severity
	params fault.P
	fix    *deliverability.Record
}

func google(email string) accounts.Account {
	return accounts.Account{ID: 1, Email: email, Auth: accounts.OAuth, OAuthProvider: oauth.Google,
		SMTP: accounts.Server{Host: "smtp.gmail.com", Port: 465}}
}

func TestFindingsAndFixes(t *testing.T) {
	_, ed := keys(t)
	cases := []struct {
		name      string
		account   accounts.Account
		selectors []string
		zone      []string
		path      deliverability.PathID
		want      []want
	}{{
		name:    "Google Workspace, all good",
		account: google("contact@acme-conseil.fr"),
		zone: []string{
			txt("acme-conseil.fr.", "v=spf1 include:_spf.google.com ~all"),
			dkimKey("google._domainkey.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme-conseil.fr"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_pass", sev: "ok", params: fault.P{"domain": "acme-conseil.fr", "address": "35.190.247.0", "count": 4}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "google", "algorithm": "rsa", "bits": 2048}},
			{code: "dmarc_ok", sev: "ok", params: fault.P{"domain": "acme-conseil.fr", "policy": "quarantine", "adkim": "r", "aspf": "r"}},
		},
	}, {
		name: "Microsoft 365 with its DKIM selectors as CNAMEs (old and new forms)",
		account: accounts.Account{ID: 1, Email: "accueil@cabinet-martin.fr",
			SMTP: accounts.Server{Host: "smtp.office365.com", Port: 587}},
		zone: []string{
			txt("cabinet-martin.fr.", "v=spf1 include:spf.protection.outlook.com -all"),
			"selector1._domainkey.cabinet-martin.fr. 300 IN CNAME selector1-cabinet-martin-fr._domainkey.cabinetmartin.onmicrosoft.com.",
			dkimKey("selector1-cabinet-martin-fr._domainkey.cabinetmartin.onmicrosoft.com.", t),
			"selector2._domainkey.cabinet-martin.fr. 300 IN CNAME selector2-cabinet-martin-fr._domainkey.cabinetmartin.r-v1.dkim.mail.microsoft.",
			txt("selector2-cabinet-martin-fr._domainkey.cabinetmartin.r-v1.dkim.mail.microsoft.", "v=DKIM1; k=ed25519; p="+ed),
			txt("_dmarc.cabinet-martin.fr.", "v=DMARC1; p=reject; adkim=s"),
		},
		path: deliverability.PathMicrosoft,
		want: []want{
			{code: "spf_pass", sev: "ok", params: fault.P{"address": "40.92.0.0", "count": 1}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "selector1", "algorithm": "rsa"}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "selector2", "algorithm": "ed25519", "bits": 256}},
			{code: "dmarc_ok", sev: "ok", params: fault.P{"policy": "reject", "adkim": "s", "aspf": "r"}},
		},
	}, {
		name: "Microsoft 365 with selector2 missing: its CNAME read from selector1's",
		account: accounts.Account{ID: 1, Email: "accueil@cabinet-martin.fr",
			SMTP: accounts.Server{Host: "smtp.office365.com", Port: 587}},
		zone: []string{
			txt("cabinet-martin.fr.", "v=spf1 include:spf.protection.outlook.com -all"),
			"selector1._domainkey.cabinet-martin.fr. 300 IN CNAME selector1-cabinet-martin-fr._domainkey.cabinetmartin.onmicrosoft.com.",
			dkimKey("selector1-cabinet-martin-fr._domainkey.cabinetmartin.onmicrosoft.com.", t),
			txt("_dmarc.cabinet-martin.fr.", "v=DMARC1; p=reject"),
		},
		path: deliverability.PathMicrosoft,
		want: []want{
			{code: "spf_pass", sev: "ok"},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "selector1"}},
			{code: "dkim_cname_missing", sev: "failure", params: fault.P{"selector": "selector2", "domain": "cabinet-martin.fr"},
				fix: &deliverability.Record{Name: "selector2._domainkey.cabinet-martin.fr", Type: "CNAME",
					Value: "selector2-cabinet-martin-fr._domainkey.cabinetmartin.onmicrosoft.com"}},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name: "Postmark with its selector and its return path",
		account: accounts.Account{ID: 1, Email: "factures@atelier-nova.fr",
			Sender: accounts.Sender{Kind: accounts.Postmark}},
		selectors: []string{"20240312102030pm"},
		zone: []string{
			txt("atelier-nova.fr.", "v=spf1 mx ~all"),
			"atelier-nova.fr. 300 IN MX 10 mx1.atelier-nova.fr.",
			"pm-bounces.atelier-nova.fr. 300 IN CNAME pm.mtasv.net.",
			dkimKey("20240312102030pm._domainkey.atelier-nova.fr.", t),
			txt("_dmarc.atelier-nova.fr.", "v=DMARC1; p=quarantine; pct=100"),
		},
		path: deliverability.PathPostmark,
		want: []want{
			{code: "postmark_return_path_ok", sev: "ok", params: fault.P{"name": "pm-bounces.atelier-nova.fr"}},
			{code: "spf_pass", sev: "ok", params: fault.P{"domain": "pm-bounces.atelier-nova.fr", "address": "50.31.156.96", "count": 1}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "20240312102030pm"}},
			{code: "dmarc_ok", sev: "ok", params: fault.P{"policy": "quarantine"}},
		},
	}, {
		name: "Postmark without its return path nor a selector",
		account: accounts.Account{ID: 1, Email: "factures@atelier-nova.fr",
			Sender: accounts.Sender{Kind: accounts.Postmark}},
		zone: []string{
			txt("_dmarc.atelier-nova.fr.", "v=DMARC1; p=quarantine"),
		},
		path: deliverability.PathPostmark,
		want: []want{
			{code: "postmark_return_path_missing", sev: "warning", params: fault.P{"name": "pm-bounces.atelier-nova.fr"},
				fix: &deliverability.Record{Name: "pm-bounces.atelier-nova.fr", Type: "CNAME", Value: "pm.mtasv.net"}},
			{code: "dkim_selector_unknown", sev: "warning", params: fault.P{"domain": "atelier-nova.fr"}},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name: "Mailgun EU on its sending domain",
		account: accounts.Account{ID: 1, Email: "news@boutique-lyon.fr",
			Sender: accounts.Sender{Kind: accounts.Mailgun, Domain: "mg.boutique-lyon.fr", Region: accounts.RegionEU}},
		zone: []string{
			txt("mg.boutique-lyon.fr.", "v=spf1 include:mailgun.org ~all"),
			dkimKey("pic._domainkey.mg.boutique-lyon.fr.", t),
			txt("_dmarc.boutique-lyon.fr.", "v=DMARC1; p=reject; rua=mailto:dmarc@boutique-lyon.fr"),
		},
		path: deliverability.PathMailgunEU,
		want: []want{
			{code: "spf_pass", sev: "ok", params: fault.P{"domain": "mg.boutique-lyon.fr", "address": "141.193.32.0", "count": 3}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "pic", "domain": "mg.boutique-lyon.fr"}},
			{code: "dmarc_ok", sev: "ok", params: fault.P{"domain": "boutique-lyon.fr", "policy": "reject"}},
			{code: "mailgun_return_path_aligned", sev: "ok", params: fault.P{"sending": "mg.boutique-lyon.fr"}},
		},
	}, {
		name:    "two SPF records, merged into one",
		account: google("contact@acme-conseil.fr"),
		zone: []string{
			txt("acme-conseil.fr.", "v=spf1 include:_spf.google.com ~all"),
			txt("acme-conseil.fr.", "v=spf1 include:spf.brevo.com -all"),
			dkimKey("google._domainkey.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=quarantine"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_multiple", sev: "failure", params: fault.P{"count": 2},
				fix: &deliverability.Record{Name: "acme-conseil.fr", Type: "TXT",
					Value:    "v=spf1 include:_spf.google.com include:spf.brevo.com ~all",
					Replaces: []string{"v=spf1 include:_spf.google.com ~all", "v=spf1 include:spf.brevo.com -all"}}},
			{code: "dkim_ok", sev: "ok"},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name:    "eleven lookups",
		account: google("contact@acme-conseil.fr"),
		zone: append([]string{
			txt("acme-conseil.fr.", "v=spf1 include:_spf.google.com include:spf.brevo.com include:servers.mcsv.net include:spf.sendinblue.com include:_spf.salesforce.com include:mail.zendesk.com include:spf.hubspot.com include:spf.ovh.com ~all"),
			dkimKey("google._domainkey.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=quarantine"),
		}, ip4Zones("spf.brevo.com", "servers.mcsv.net", "spf.sendinblue.com", "_spf.salesforce.com", "mail.zendesk.com", "spf.hubspot.com", "spf.ovh.com")...),
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_too_many_lookups", sev: "failure", params: fault.P{"domain": "acme-conseil.fr", "count": 11}},
			{code: "dkim_ok", sev: "ok"},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name:    "DMARC p=none: a warning, with the record that enforces it",
		account: google("contact@acme-conseil.fr"),
		zone: []string{
			txt("acme-conseil.fr.", "v=spf1 include:_spf.google.com ~all"),
			dkimKey("google._domainkey.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=none; sp=none; rua=mailto:dmarc@acme-conseil.fr"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_pass", sev: "ok"},
			{code: "dkim_ok", sev: "ok"},
			{code: "dmarc_policy_none", sev: "warning", params: fault.P{"domain": "acme-conseil.fr"},
				fix: &deliverability.Record{Name: "_dmarc.acme-conseil.fr", Type: "TXT",
					Value:    "v=DMARC1; p=quarantine; sp=none; rua=mailto:dmarc@acme-conseil.fr",
					Replaces: []string{"v=DMARC1; p=none; sp=none; rua=mailto:dmarc@acme-conseil.fr"}}},
		},
	}, {
		name:    "DKIM missing; DMARC missing at the domain and at its organisational domain",
		account: google("contact@ventes.acme-conseil.fr"),
		zone: []string{
			txt("ventes.acme-conseil.fr.", "v=spf1 include:_spf.google.com ~all"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_pass", sev: "ok"},
			{code: "dkim_missing", sev: "failure", params: fault.P{"selector": "google", "domain": "ventes.acme-conseil.fr"},
				fix: &deliverability.Record{Name: "google._domainkey.ventes.acme-conseil.fr", Type: "TXT",
					Value: "v=DKIM1; k=rsa; p=<…>", Placeholder: true}},
			{code: "dmarc_missing", sev: "warning", params: fault.P{"domain": "acme-conseil.fr"},
				fix: &deliverability.Record{Name: "_dmarc.acme-conseil.fr", Type: "TXT",
					Value: "v=DMARC1; p=none; rua=mailto:postmaster@acme-conseil.fr"}},
		},
	}, {
		name:    "SPF without the path's include, DMARC read at the organisational domain",
		account: google("contact@ventes.acme-conseil.fr"),
		zone: []string{
			txt("ventes.acme-conseil.fr.", "v=spf1 mx include:mx.ovh.com -all"),
			"ventes.acme-conseil.fr. 300 IN MX 1 mx1.mail.ovh.net.",
			dkimKey("google._domainkey.ventes.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=reject; sp=quarantine"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_include_missing", sev: "failure", params: fault.P{"domain": "ventes.acme-conseil.fr", "include": "_spf.google.com"},
				fix: &deliverability.Record{Name: "ventes.acme-conseil.fr", Type: "TXT",
					Value:    "v=spf1 mx include:mx.ovh.com include:_spf.google.com -all",
					Replaces: []string{"v=spf1 mx include:mx.ovh.com -all"}}},
			{code: "dkim_ok", sev: "ok"},
			{code: "dmarc_ok", sev: "ok", params: fault.P{"domain": "acme-conseil.fr", "policy": "quarantine"}},
		},
	}, {
		name:    "no SPF record, +all elsewhere is flagged",
		account: google("contact@acme-conseil.fr"),
		zone: []string{
			dkimKey("google._domainkey.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=quarantine"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_missing", sev: "failure", params: fault.P{"domain": "acme-conseil.fr"},
				fix: &deliverability.Record{Name: "acme-conseil.fr", Type: "TXT", Value: "v=spf1 include:_spf.google.com ~all"}},
			{code: "dkim_ok", sev: "ok"},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name:    "+all",
		account: google("contact@acme-conseil.fr"),
		zone: []string{
			txt("acme-conseil.fr.", "v=spf1 include:_spf.google.com +all"),
			dkimKey("google._domainkey.acme-conseil.fr.", t),
			txt("_dmarc.acme-conseil.fr.", "v=DMARC1; p=quarantine"),
		},
		path: deliverability.PathGoogle,
		want: []want{
			{code: "spf_plus_all", sev: "failure",
				fix: &deliverability.Record{Name: "acme-conseil.fr", Type: "TXT", Value: "v=spf1 include:_spf.google.com ~all",
					Replaces: []string{"v=spf1 include:_spf.google.com +all"}}},
			{code: "dkim_ok", sev: "ok"},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name: "own SMTP server not allowed by SPF: a:host added; a usual DKIM selector found",
		account: accounts.Account{ID: 1, Email: "atelier@artisan-bois.fr",
			SMTP: accounts.Server{Host: "smtp.artisan-bois.fr", Port: 587}},
		zone: []string{
			txt("artisan-bois.fr.", "v=spf1 mx -all"),
			dkimKey("mail._domainkey.artisan-bois.fr.", t),
			txt("_dmarc.artisan-bois.fr.", "v=DMARC1; p=quarantine"),
		},
		path: deliverability.PathOwnSMTP,
		want: []want{
			{code: "spf_not_authorised", sev: "failure", params: fault.P{"address": "203.0.113.25", "result": "fail"},
				fix: &deliverability.Record{Name: "artisan-bois.fr", Type: "TXT", Value: "v=spf1 mx a:smtp.artisan-bois.fr -all",
					Replaces: []string{"v=spf1 mx -all"}}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "mail"}},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name: "own SMTP server given by its address: ip4: added, not a:",
		account: accounts.Account{ID: 1, Email: "atelier@artisan-bois.fr",
			SMTP: accounts.Server{Host: "203.0.113.25", Port: 587}},
		zone: []string{
			txt("artisan-bois.fr.", "v=spf1 mx ~all"),
			dkimKey("default._domainkey.artisan-bois.fr.", t),
			txt("_dmarc.artisan-bois.fr.", "v=DMARC1; p=reject"),
		},
		path: deliverability.PathOwnSMTP,
		want: []want{
			{code: "spf_not_authorised", sev: "failure", params: fault.P{"address": "203.0.113.25", "result": "softfail"},
				fix: &deliverability.Record{Name: "artisan-bois.fr", Type: "TXT", Value: "v=spf1 mx ip4:203.0.113.25 ~all",
					Replaces: []string{"v=spf1 mx ~all"}}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "default"}},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name: "own SMTP server given by its address, allowed: SPF passes",
		account: accounts.Account{ID: 1, Email: "atelier@artisan-bois.fr",
			SMTP: accounts.Server{Host: "203.0.113.25", Port: 587}},
		zone: []string{
			txt("artisan-bois.fr.", "v=spf1 mx ip4:203.0.113.25 ~all"),
			dkimKey("default._domainkey.artisan-bois.fr.", t),
			txt("_dmarc.artisan-bois.fr.", "v=DMARC1; p=reject"),
		},
		path: deliverability.PathOwnSMTP,
		want: []want{
			{code: "spf_pass", sev: "ok", params: fault.P{"address": "203.0.113.25"}},
			{code: "dkim_ok", sev: "ok", params: fault.P{"selector": "default"}},
			{code: "dmarc_ok", sev: "ok"},
		},
	}, {
		name:    "a mailbox provider's own domain",
		account: google("someone@gmail.com"),
		path:    deliverability.PathGoogle,
		want:    []want{{code: "deliverability_domain_managed", sev: "ok", params: fault.P{"domain": "gmail.com"}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := testdns.New(t)
			z.Add(t, providerZones...)
			z.Add(t, tc.zone...)
			c := deliverability.New(deliverability.Deps{Resolver: deliverability.ResolverFor(discovery.NewDNSServerResolver(z.Addr))}, deliverability.Options{})
			r, err := c.Run(ctx, tc.account, deliverability.Input{Selectors: tc.selectors})
			if err != nil {
				t.Fatal(err)
			}
			if r.Path != tc.path {
				t.Errorf("path %q, want %q", r.Path, tc.path)
			}
			checkFindings(t, r.Findings, tc.want)
		})
	}
}

func ip4Zones(names ...string) []string {
	var out []string
	for i, n := range names {
		out = append(out, txt(n+".", fmt.Sprintf("v=spf1 ip4:198.51.100.%d ~all", i)))
	}
	return out
}

func checkFindings(t *testing.T, got []deliverability.Finding, want []want) {
	t.Helper()
	var codes, wantCodes []string
	for _, f := range got {
		codes = append(codes, f.Code+"/"+string(f.Severity))
	}
	for _, w := range want {
		wantCodes = append(wantCodes, w.code+"/"+string(w.sev))
	}
	if !reflect.DeepEqual(codes, wantCodes) {
		t.Fatalf("findings\n got %v\nwant %v\n(%+v)", codes, wantCodes, got)
	}
	for i, w := range want {
		f := got[i]
		for k, v := range w.params {
			if fmt.Sprint(f.Params[k]) != fmt.Sprint(v) {
				t.Errorf("%s: param %s = %v, want %v (all: %v)", w.code, k, f.Params[k], v, f.Params)
			}
		}
		if !reflect.DeepEqual(f.Fix, w.fix) {
			t.Errorf("%s: fix\n got %+v\nwant %+v", w.code, f.Fix, w.fix)
		}
	}
}

func TestPathOf(t *testing.T) {
	for _, tc := range []struct {
		a    accounts.Account
		want deliverability.PathID
	}{
		{accounts.Account{SMTP: accounts.Server{Host: "smtp.gmail.com"}}, deliverability.PathGoogle},
		{accounts.Account{Auth: accounts.OAuth, OAuthProvider: oauth.Microsoft, SMTP: accounts.Server{Host: "smtp.example.fr"}}, deliverability.PathMicrosoft},
		{accounts.Account{SMTP: accounts.Server{Host: "smtp.office365.com"}, Sender: accounts.Sender{Kind: accounts.Postmark}}, deliverability.PathPostmark},
		{accounts.Account{Sender: accounts.Sender{Kind: accounts.Mailgun, Region: accounts.RegionUS}}, deliverability.PathMailgunUS},
		{accounts.Account{Sender: accounts.Sender{Kind: accounts.Mailgun, Region: accounts.RegionEU}}, deliverability.PathMailgunEU},
		{accounts.Account{SMTP: accounts.Server{Host: "ssl0.ovh.net"}}, deliverability.PathOVH},
		{accounts.Account{SMTP: accounts.Server{Host: "pro2.mail.ovh.net"}}, deliverability.PathOVH},
		{accounts.Account{Provider: "infomaniak", SMTP: accounts.Server{Host: "smtp.example.ch"}}, deliverability.PathInfomaniak},
		{accounts.Account{SMTP: accounts.Server{Host: "mail.infomaniak.com"}}, deliverability.PathInfomaniak},
		{accounts.Account{SMTP: accounts.Server{Host: "smtp.postmarkapp.com"}}, deliverability.PathPostmark},
		{accounts.Account{SMTP: accounts.Server{Host: "smtp.eu.mailgun.org"}}, deliverability.PathMailgunEU},
		{accounts.Account{Provider: "gmail"}, deliverability.PathGoogle},
		{accounts.Account{SMTP: accounts.Server{Host: "mail.example.fr"}}, deliverability.PathOwnSMTP},
	} {
		if got := deliverability.PathOf(tc.a).ID; got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

// A check is kept with its time: Last reads it back, a new check replaces it and reuses
// the selectors given before, and BeforeSend says when it is stale (old, or the account's
// domain or path changed). Deleting the account deletes it.
func TestResultsAreKeptAndGoStale(t *testing.T) {
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	owner, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Owner", Email: "owner@example.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, owner.ID, accounts.NewAccount{Name: "Nova", Email: "factures@atelier-nova.fr",
		Sender: accounts.Sender{Kind: accounts.Postmark}}, accounts.Secrets{Sender: "token"})
	if err != nil {
		t.Fatal(err)
	}
	z := testdns.New(t)
	z.Add(t, providerZones...)
	z.Add(t, "pm-bounces.atelier-nova.fr. 300 IN CNAME pm.mtasv.net.",
		dkimKey("20240312102030pm._domainkey.atelier-nova.fr.", t),
		txt("_dmarc.atelier-nova.fr.", "v=DMARC1; p=none"))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := deliverability.New(deliverability.Deps{DB: db, Accounts: reg,
		Resolver: deliverability.ResolverFor(discovery.NewDNSServerResolver(z.Addr))},
		deliverability.Options{Now: func() time.Time { return now }})

	if _, ok, err := c.Last(ctx, acc.ID); err != nil || ok {
		t.Fatalf("before any check: ok %v, err %v", ok, err)
	}
	if _, ok, stale, err := c.BeforeSend(ctx, acc.ID); err != nil || ok || !stale {
		t.Fatalf("BeforeSend before any check: ok %v stale %v err %v", ok, stale, err)
	}
	first, err := c.Check(ctx, acc.ID, deliverability.Input{Selectors: []string{" 20240312102030pm._domainkey.atelier-nova.fr. "}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Worst() != deliverability.Warning {
		t.Errorf("worst %q, want warning (p=none): %+v", first.Worst(), first.Findings)
	}
	last, ok, err := c.Last(ctx, acc.ID)
	if err != nil || !ok {
		t.Fatalf("Last: ok %v err %v", ok, err)
	}
	if !last.CheckedAt.Equal(now) || last.Domain != "atelier-nova.fr" || last.Path != deliverability.PathPostmark ||
		!reflect.DeepEqual(last.Selectors, []string{"20240312102030pm"}) || len(last.Findings) != len(first.Findings) {
		t.Fatalf("Last = %+v, want %+v", last, first)
	}
	for i := range last.Findings {
		if last.Findings[i].Code != first.Findings[i].Code || !reflect.DeepEqual(last.Findings[i].Fix, first.Findings[i].Fix) {
			t.Errorf("finding %d read back as %+v, was %+v", i, last.Findings[i], first.Findings[i])
		}
	}
	if _, _, stale, _ := c.BeforeSend(ctx, acc.ID); stale {
		t.Error("a fresh check is stale")
	}

	// Fixed, checked again later without selectors: the ones given before are reused.
	z.Remove("_dmarc.atelier-nova.fr", "TXT")
	z.Add(t, txt("_dmarc.atelier-nova.fr.", "v=DMARC1; p=reject"))
	now = now.Add(8 * 24 * time.Hour)
	if _, _, stale, _ := c.BeforeSend(ctx, acc.ID); !stale {
		t.Error("an eight-day-old check is not stale")
	}
	second, err := c.Check(ctx, acc.ID, deliverability.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Worst() != deliverability.OK {
		t.Errorf("after the fix: %+v", second.Findings)
	}
	if last, _, _ := c.Last(ctx, acc.ID); !last.CheckedAt.Equal(now) || last.Worst() != deliverability.OK {
		t.Errorf("the second check did not replace the first: %+v", last)
	}

	// Another From domain makes it stale at once.
	in := accounts.NewAccount{Name: acc.Name, Email: "factures@nova-atelier.fr", Sender: acc.Sender}
	if _, err := reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{}); err != nil {
		t.Fatal(err)
	}
	if _, ok, stale, _ := c.BeforeSend(ctx, acc.ID); !ok || !stale {
		t.Errorf("after the address changed: ok %v stale %v", ok, stale)
	}

	if err := reg.Revoke(ctx, acc.ID, owner.ID); err != nil {
		t.Fatal(err)
	}
	if err := reg.Delete(ctx, acc.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Last(ctx, acc.ID); err != nil || ok {
		t.Errorf("after the account was deleted: ok %v err %v", ok, err)
	}
}

// The system resolver (no DNS server configured) is used as is; discovery's DNS server
// resolver is extended to the same server.
func TestResolverFor(t *testing.T) {
	if deliverability.ResolverFor(discovery.SystemResolver()) == nil {
		t.Fatal("no resolver for the system's")
	}
	z := testdns.New(t)
	z.Add(t, "alias.example.fr. 300 IN CNAME target.example.net.",
		txt("target.example.net.", strings.Repeat("x", 600)))
	r := deliverability.ResolverFor(discovery.NewDNSServerResolver(z.Addr))
	got, err := r.LookupTXT(ctx, "alias.example.fr")
	if err != nil || len(got) != 1 || got[0] != strings.Repeat("x", 600) {
		t.Fatalf("TXT through a CNAME, over TCP after truncation: %q, %v", got, err)
	}
	if cname, err := r.LookupCNAME(ctx, "alias.example.fr"); err != nil || cname != "target.example.net." {
		t.Errorf("CNAME: %q, %v", cname, err)
	}
	if _, err := r.LookupTXT(ctx, "nothing.example.fr"); err == nil {
		t.Error("a name without records answered")
	}
}
