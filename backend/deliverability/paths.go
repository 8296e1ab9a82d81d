package deliverability

import (
	"strings"

	"mailroom/backend/accounts"
	"mailroom/backend/oauth"
)

// PathID names the way an account's mail leaves: the service whose servers hand it to the
// recipients' servers, and so whose addresses the From domain's SPF record must allow and
// whose DKIM key it must publish.
type PathID string

// The paths the check knows.
const (
	PathOwnSMTP    PathID = "smtp"         // the account's own SMTP server (its host's addresses)
	PathGoogle     PathID = "google"       // Gmail / Google Workspace
	PathMicrosoft  PathID = "microsoft365" // Microsoft 365 (Exchange Online)
	PathPostmark   PathID = "postmark"
	PathMailgunUS  PathID = "mailgun_us"
	PathMailgunEU  PathID = "mailgun_eu"
	PathOVH        PathID = "ovh"
	PathInfomaniak PathID = "infomaniak"
)

// PathIDs lists every path.
var PathIDs = []PathID{PathOwnSMTP, PathGoogle, PathMicrosoft, PathPostmark, PathMailgunUS, PathMailgunEU, PathOVH, PathInfomaniak}

// Path is what a sending path needs from the From domain's DNS.
type Path struct {
	ID PathID
	// Include is the SPF include the domain's record needs ("" for the account's own SMTP
	// server, whose host's addresses are allowed with a:host).
	Include string
	// Ranges is the provider's SPF record whose first published address stands for the
	// path's sending addresses in the evaluation (often Include itself, or the part of it a
	// region uses).
	Ranges string
	// Selectors are the DKIM selectors the path signs with, tried in order; Known says
	// they are the path's for certain (a missing one is a failure), not common guesses.
	Selectors []string
	Known     bool
	// DelegatedKeys: the selectors are CNAMEs into the provider's zone (Microsoft 365,
	// OVH), which publishes and rotates the keys.
	DelegatedKeys bool
	// smtpHosts recognise the path from the account's SMTP host (a suffix match);
	// providers from the catalogue's provider id.
	smtpHosts []string
	providers []string
}

// commonSelectors are tried for a path whose selector Mailroom cannot know: the names
// hosting panels and mail servers use by default.
var commonSelectors = []string{"default", "mail", "dkim", "selector1", "selector2", "s1", "k1"}

// paths is the table of sending paths. Sources: each provider's own setup pages for SPF and
// DKIM (Google Workspace "Set up SPF" / "Set up DKIM"; Microsoft Learn "Set up SPF" and
// "Use DKIM to validate outbound email"; Postmark's "DKIM and Return-Path" guide; Mailgun's
// "Domain verification"; OVHcloud's "Improving the security of emails via a DKIM record";
// Infomaniak's "SPF record").
var paths = map[PathID]Path{
	PathOwnSMTP: {ID: PathOwnSMTP, Selectors: commonSelectors},
	PathGoogle: {ID: PathGoogle, Include: "_spf.google.com", Ranges: "_spf.google.com",
		Selectors: []string{"google"}, Known: true,
		smtpHosts: []string{"smtp.gmail.com", "smtp-relay.gmail.com", "smtp.googlemail.com"}, providers: []string{"gmail"}},
	PathMicrosoft: {ID: PathMicrosoft, Include: "spf.protection.outlook.com", Ranges: "spf.protection.outlook.com",
		Selectors: []string{"selector1", "selector2"}, Known: true, DelegatedKeys: true,
		smtpHosts: []string{"smtp.office365.com", ".mail.protection.outlook.com"}, providers: []string{"microsoft365"}},
	// Postmark sends with its own return path (pm.mtasv.net, whose SPF includes
	// spf.mtasv.net) unless the domain points pm-bounces.<domain> at it; its DKIM selector is
	// dated (20240101000000pm) and shown in Postmark's Sender Signatures page.
	PathPostmark: {ID: PathPostmark, Include: "spf.mtasv.net", Ranges: "spf.mtasv.net",
		smtpHosts: []string{"smtp.postmarkapp.com", "smtp-broadcasts.postmarkapp.com"}},
	// Mailgun checks SPF and DKIM on the sending domain (mg.example.com), its return path.
	PathMailgunUS: {ID: PathMailgunUS, Include: "mailgun.org", Ranges: "_spf.mailgun.org",
		Selectors: []string{"smtp", "mx", "k1", "krs", "pic", "mailo", "email"},
		smtpHosts: []string{"smtp.mailgun.org"}},
	PathMailgunEU: {ID: PathMailgunEU, Include: "mailgun.org", Ranges: "_spf.eu.mailgun.org",
		Selectors: []string{"smtp", "mx", "k1", "krs", "pic", "mailo", "email"},
		smtpHosts: []string{"smtp.eu.mailgun.org"}},
	PathOVH: {ID: PathOVH, Include: "mx.ovh.com", Ranges: "mx.ovh.com",
		Selectors: []string{"ovhmo-selector-1", "ovhmo-selector-2"}, DelegatedKeys: true,
		smtpHosts: []string{"ssl0.ovh.net", ".mail.ovh.net", ".mail.ovh.ca"}, providers: []string{"ovh"}},
	PathInfomaniak: {ID: PathInfomaniak, Include: "spf.infomaniak.ch", Ranges: "spf.infomaniak.ch",
		Selectors: commonSelectors,
		smtpHosts: []string{"mail.infomaniak.com"}, providers: []string{"infomaniak"}},
}

// PathOf returns the path an account sends through: its API sender first, then its SMTP
// host, then its sign-in provider, then its catalogue provider; the account's own SMTP
// server otherwise.
func PathOf(a accounts.Account) Path {
	switch a.Sender.Kind {
	case accounts.Postmark:
		return paths[PathPostmark]
	case accounts.Mailgun:
		if a.Sender.Region == accounts.RegionEU {
			return paths[PathMailgunEU]
		}
		return paths[PathMailgunUS]
	}
	host := strings.ToLower(strings.TrimSuffix(a.SMTP.Host, "."))
	for _, id := range PathIDs {
		for _, h := range paths[id].smtpHosts {
			if host == h || strings.HasPrefix(h, ".") && strings.HasSuffix(host, h) {
				return paths[id]
			}
		}
	}
	switch a.OAuthProvider {
	case oauth.Google:
		return paths[PathGoogle]
	case oauth.Microsoft:
		return paths[PathMicrosoft]
	}
	for _, id := range PathIDs {
		for _, p := range paths[id].providers {
			if a.Provider == p {
				return paths[id]
			}
		}
	}
	return paths[PathOwnSMTP]
}

// providerDomains are mailbox providers' own domains: their records are the provider's to
// keep, so the check only says so.
var providerDomains = []string{
	"gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr", "hotmail.co.uk",
	"live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "ymail.com", "icloud.com", "me.com", "mac.com",
	"aol.com", "gmx.com", "gmx.de", "gmx.fr", "gmx.net", "web.de", "orange.fr", "wanadoo.fr", "free.fr",
	"sfr.fr", "neuf.fr", "laposte.net", "fastmail.com", "zoho.com", "proton.me", "protonmail.com",
}

func isProviderDomain(d string) bool {
	for _, p := range providerDomains {
		if d == p {
			return true
		}
	}
	return false
}
