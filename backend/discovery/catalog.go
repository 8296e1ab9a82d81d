package discovery

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"mailroom/backend/fault"
)

// Provider is an entry of the built-in catalogue, for the wizard's tiles.
type Provider struct {
	ID      string
	Name    string
	Domains []string // address domains it hosts; empty for hosts of people's own domains (OVH)
	SignIn  string   // SignInGoogle or SignInMicrosoft when their sign-in is the way in
	Notes   []Note
}

// ErrUnknownProvider is wrapped by ProviderCandidate's error for an id not in the catalogue.
var ErrUnknownProvider = errors.New("discovery: unknown provider")

// Providers lists the catalogue, in the order of the wizard's tiles. The slice is a copy.
func Providers() []Provider {
	out := make([]Provider, 0, len(catalog))
	for _, e := range catalog {
		p := e.Provider
		p.Domains = slices.Clone(e.domains())
		p.Notes = slices.Clone(p.Notes)
		out = append(out, p)
	}
	return out
}

// ProviderCandidate returns the catalogue's settings of provider id for email, as when a
// user picks a tile for an address at their own domain. When email's domain is one of the
// provider's, that domain's settings are used (GMX, Zoho have regional servers).
func ProviderCandidate(id, email string) (Candidate, error) {
	a, err := parseAddress(email)
	if err != nil {
		return Candidate{}, err
	}
	for _, e := range catalog {
		if e.ID != id {
			continue
		}
		c, ok := settle(e.candidate(a.Domain, SourceCatalog, Origin{"url": e.ref}), a)
		if !ok {
			return Candidate{}, fmt.Errorf("discovery: catalogue entry %q is unusable", id)
		}
		return c, nil
	}
	return Candidate{}, ErrProviderUnknown.Wrap(fmt.Errorf("%w: %q", ErrUnknownProvider, id), fault.P{"provider": id})
}

// catalogEntry is a provider and its settings. sets[0] is the default; the others apply
// to their own domains.
type catalogEntry struct {
	Provider
	ref  string   // where the settings were taken from; the candidates' Origin
	mx   []string // MX host domains meaning "hosted here" (MX source)
	sets []serverSet
}

type serverSet struct {
	domains    []string
	imap, smtp Server
}

func (e catalogEntry) domains() []string {
	var ds []string
	for _, s := range e.sets {
		ds = append(ds, s.domains...)
	}
	return ds
}

// set returns the settings for an address domain (the default when it is none of the
// provider's).
func (e catalogEntry) set(domain string) serverSet {
	for _, s := range e.sets {
		if slices.Contains(s.domains, domain) {
			return s
		}
	}
	return e.sets[0]
}

func (e catalogEntry) candidate(domain string, src Source, origin Origin) Candidate {
	s := e.set(domain)
	return Candidate{
		IMAP:     s.imap,
		SMTP:     s.smtp,
		Source:   src,
		Origin:   origin,
		Provider: e.ID,
		Notes:    slices.Clone(e.Notes),
		SignIn:   e.SignIn,
	}
}

// catalogByDomain finds the entry hosting an address domain.
func catalogByDomain(domain string) (catalogEntry, bool) {
	for _, e := range catalog {
		for _, s := range e.sets {
			if slices.Contains(s.domains, domain) {
				return e, true
			}
		}
	}
	return catalogEntry{}, false
}

// catalogSource looks the address's domain up in the catalogue.
type catalogSource struct{}

func (catalogSource) kind() Source { return SourceCatalog }

func (catalogSource) find(_ context.Context, a address) ([]Candidate, error) {
	e, ok := catalogByDomain(a.Domain)
	if !ok {
		return nil, nil
	}
	return []Candidate{e.candidate(a.Domain, SourceCatalog, Origin{"url": e.ref})}, nil
}

// Usernames in the catalogue, as Mozilla's ISPDB writes them.
const (
	userAddress   = "%EMAILADDRESS%"
	userLocalPart = "%EMAILLOCALPART%"
)

func imapTLS(host, user string) Server {
	return Server{Host: host, Port: 993, Security: TLS, Username: user}
}

func smtpTLS(host, user string) Server {
	return Server{Host: host, Port: 465, Security: TLS, Username: user}
}

func smtpSTARTTLS(host, user string) Server {
	return Server{Host: host, Port: 587, Security: STARTTLS, Username: user}
}

// Notes shared by several providers.
var (
	noteIMAPFirstGMX = Note{Code: NoteEnableIMAPFirst,
		Text: "GMX: first allow POP3 & IMAP access in your GMX mail settings."}
	noteIMAPFirstWebDE = Note{Code: NoteEnableIMAPFirst,
		Text: "WEB.DE: first allow POP3 & IMAP access in your WEB.DE mail settings."}
)

// catalog is the built-in provider catalogue, in the order of the wizard's tiles. Each
// entry says where its settings were taken from; "ISPDB" is Mozilla's database of mail
// providers used by Thunderbird (github.com/thunderbird/autoconfig, ispdb/).
//
// Preferences when a provider offers several: implicit TLS over STARTTLS (RFC 8314), and
// the username form the provider documents.
var catalog = []catalogEntry{
	{
		// ISPDB me.com.xml; Apple's "iCloud Mail server settings for other email client
		// apps" (support.apple.com/HT202304): IMAP takes the name part of the address,
		// SMTP the full address; SMTP is 587 with STARTTLS only.
		Provider: Provider{ID: "icloud", Name: "iCloud", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "iCloud needs an app-specific password: create one at account.apple.com (Sign-In and Security → App-Specific Passwords)."}}},
		ref: "https://support.apple.com/HT202304",
		sets: []serverSet{{domains: []string{"icloud.com", "me.com", "mac.com"},
			imap: imapTLS("imap.mail.me.com", userLocalPart),
			smtp: smtpSTARTTLS("smtp.mail.me.com", userAddress)}},
	},
	{
		// ISPDB yahoo.com.xml; Yahoo help SLN4075 "IMAP server settings for Yahoo Mail"
		// (SMTP 465 SSL or 587 STARTTLS). Yahoo refuses account passwords in mail apps:
		// an app password is generated in the account's security settings.
		Provider: Provider{ID: "yahoo", Name: "Yahoo Mail", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "Yahoo Mail needs an app password: create one in your Yahoo account's security settings (Generate app password)."}}},
		ref: "https://help.yahoo.com/kb/new-mail-for-desktop/imap-server-settings-yahoo-mail-sln4075.html",
		sets: []serverSet{{domains: []string{"yahoo.com", "yahoo.fr", "ymail.com"},
			imap: imapTLS("imap.mail.yahoo.com", userAddress),
			smtp: smtpTLS("smtp.mail.yahoo.com", userAddress)}},
	},
	{
		// ISPDB aol.com.xml (aol.fr listed there); AOL help "Use other email applications
		// to send and receive AOL Mail". Like Yahoo's, AOL's mail apps need an app password.
		Provider: Provider{ID: "aol", Name: "AOL Mail", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "AOL Mail needs an app password: create one in your AOL account's security settings (Generate app password)."}}},
		ref: "https://help.aol.com/articles/how-do-i-use-other-email-applications-to-send-and-receive-my-aol-mail",
		sets: []serverSet{{domains: []string{"aol.com", "aol.fr"},
			imap: imapTLS("imap.aol.com", userAddress),
			smtp: smtpTLS("smtp.aol.com", userAddress)}},
	},
	{
		// ISPDB gmx.net.xml (gmx.net, gmx.de) and gmx.com.xml (gmx.com, gmx.fr: "same
		// company, different access servers"); GMX help "IMAP-Serverdaten"
		// (hilfe.gmx.net/pop-imap/imap/imap-serverdaten.html). IMAP is off until enabled
		// (hilfe.gmx.net/pop-imap/einschalten.html).
		Provider: Provider{ID: "gmx", Name: "GMX", Notes: []Note{noteIMAPFirstGMX}},
		ref:      "https://hilfe.gmx.net/pop-imap/imap/imap-serverdaten.html",
		sets: []serverSet{
			{domains: []string{"gmx.net", "gmx.de"},
				imap: imapTLS("imap.gmx.net", userAddress),
				smtp: smtpTLS("mail.gmx.net", userAddress)},
			{domains: []string{"gmx.fr", "gmx.com"},
				imap: imapTLS("imap.gmx.com", userAddress),
				smtp: smtpTLS("mail.gmx.com", userAddress)},
		},
	},
	{
		// ISPDB web.de.xml (username: the name part of the address); WEB.DE help
		// "IMAP-Serverdaten" (hilfe.web.de/pop-imap/imap/imap-serverdaten.html). IMAP is
		// off until enabled (hilfe.web.de/pop-imap/einschalten.html).
		Provider: Provider{ID: "webde", Name: "WEB.DE", Notes: []Note{noteIMAPFirstWebDE}},
		ref:      "https://hilfe.web.de/pop-imap/imap/imap-serverdaten.html",
		sets: []serverSet{{domains: []string{"web.de"},
			imap: imapTLS("imap.web.de", userLocalPart),
			smtp: smtpTLS("smtp.web.de", userLocalPart)}},
	},
	{
		// ISPDB orange.fr.xml (orange.fr, wanadoo.fr); Orange assistance "Mail Orange :
		// accéder à sa boîte depuis un logiciel de messagerie".
		Provider: Provider{ID: "orange", Name: "Orange"},
		ref:      "https://assistance.orange.fr/",
		sets: []serverSet{{domains: []string{"orange.fr", "wanadoo.fr"},
			imap: imapTLS("imap.orange.fr", userAddress),
			smtp: smtpTLS("smtp.orange.fr", userAddress)}},
	},
	{
		// ISPDB free.fr.xml (username: the name part of the address); Free assistance
		// "Configurer de manière avancée mon logiciel de messagerie".
		Provider: Provider{ID: "free", Name: "Free"},
		ref:      "https://assistance.free.fr/articles/configurer-de-maniere-avancee-mon-logiciel-de-messagerie-609",
		sets: []serverSet{{domains: []string{"free.fr"},
			imap: imapTLS("imap.free.fr", userLocalPart),
			smtp: smtpTLS("smtp.free.fr", userLocalPart)}},
	},
	{
		// Not in ISPDB. SFR assistance "Configurer un logiciel de messagerie" (imap.sfr.fr
		// 993 SSL, smtp.sfr.fr 465 SSL, the full address as username); neuf.fr addresses
		// are SFR's.
		Provider: Provider{ID: "sfr", Name: "SFR"},
		ref:      "https://assistance.sfr.fr/",
		sets: []serverSet{{domains: []string{"sfr.fr", "neuf.fr"},
			imap: imapTLS("imap.sfr.fr", userAddress),
			smtp: smtpTLS("smtp.sfr.fr", userAddress)}},
	},
	{
		// La Poste's help for mail apps (imap.laposte.net 993 SSL, smtp.laposte.net 465
		// SSL); username as in the earlier ISPDB laposte.net entry: the name part.
		Provider: Provider{ID: "laposte", Name: "La Poste"},
		ref:      "https://www.laposte.net/",
		sets: []serverSet{{domains: []string{"laposte.net"},
			imap: imapTLS("imap.laposte.net", userLocalPart),
			smtp: smtpTLS("smtp.laposte.net", userLocalPart)}},
	},
	{
		// OVHcloud guides for MX Plan mailboxes ("Configurer son adresse e-mail sur un
		// logiciel": ssl0.ovh.net, IMAP 993 SSL, SMTP 465 SSL, the full address as
		// username). OVH hosts people's own domains: found through the MX records
		// (mx*.mail.ovh.net), or picked by hand.
		Provider: Provider{ID: "ovh", Name: "OVHcloud"},
		ref:      "https://help.ovhcloud.com/",
		mx:       []string{"mail.ovh.net"},
		sets: []serverSet{{
			imap: imapTLS("ssl0.ovh.net", userAddress),
			smtp: smtpTLS("ssl0.ovh.net", userAddress)}},
	},
	{
		// Not in ISPDB. Infomaniak's support FAQ on mail app settings (mail.infomaniak.com,
		// IMAP 993 SSL, SMTP 465 SSL, the full address as username). ik.me is its free
		// address domain; people's own domains are found by their MX (*.infomaniak.ch).
		Provider: Provider{ID: "infomaniak", Name: "Infomaniak"},
		ref:      "https://www.infomaniak.com/en/support",
		mx:       []string{"infomaniak.ch"},
		sets: []serverSet{{domains: []string{"ik.me"},
			imap: imapTLS("mail.infomaniak.com", userAddress),
			smtp: smtpTLS("mail.infomaniak.com", userAddress)}},
	},
	{
		// ISPDB messagingengine.com.xml, which cites Fastmail's help "Server names and
		// ports". Fastmail requires an app password for IMAP/SMTP.
		Provider: Provider{ID: "fastmail", Name: "Fastmail", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "Fastmail needs an app password for mail apps: create one in Fastmail's settings (Privacy & Security)."}}},
		ref: "https://www.fastmail.com/help/technical/servernamesandports.html",
		sets: []serverSet{{domains: []string{"fastmail.com", "fastmail.fm"},
			imap: imapTLS("imap.fastmail.com", userAddress),
			smtp: smtpTLS("smtp.fastmail.com", userAddress)}},
	},
	{
		// ISPDB zoho.com.xml (zoho.com, zohomail.com) and zoho.eu.xml (zoho.eu: the EU data
		// centre's servers); Zoho help "IMAP Access" (zoho.com/mail/help/imap-access.html):
		// personal addresses use imap/smtp.zoho.com, addresses at an organisation's own
		// domain (a tile picked by hand) imappro/smtppro.zoho.com; IMAP must be enabled
		// first; with two-factor authentication, an application-specific password is needed.
		Provider: Provider{ID: "zoho", Name: "Zoho Mail", Notes: []Note{
			{Code: NoteEnableIMAPFirst, Text: "Zoho Mail: first enable IMAP access in Zoho Mail's settings (Mail Accounts → IMAP)."},
			{Code: NoteAppPasswordIfTwoFactor, Text: "If two-factor authentication is on for your Zoho account, use an application-specific password."},
		}},
		ref: "https://www.zoho.com/mail/help/imap-access.html",
		sets: []serverSet{
			{imap: imapTLS("imappro.zoho.com", userAddress),
				smtp: smtpTLS("smtppro.zoho.com", userAddress)},
			{domains: []string{"zoho.com", "zohomail.com"},
				imap: imapTLS("imap.zoho.com", userAddress),
				smtp: smtpTLS("smtp.zoho.com", userAddress)},
			{domains: []string{"zoho.eu"},
				imap: imapTLS("imap.zoho.eu", userAddress),
				smtp: smtpTLS("smtp.zoho.eu", userAddress)},
		},
	},
	{
		// ISPDB googlemail.com.xml (also lists google.com as the MX of Google Workspace
		// domains); Google help "Check Gmail through other email platforms" (answer
		// 7126229). Google refuses account passwords: an app password (with 2-Step
		// Verification) or Sign in with Google.
		Provider: Provider{ID: "gmail", Name: "Gmail / Google Workspace", SignIn: SignInGoogle, Notes: []Note{{Code: NotePasswordRefused,
			Text: "Gmail refuses your normal password: use an app password or Sign in with Google."}}},
		ref: "https://support.google.com/mail/answer/7126229",
		mx:  []string{"google.com", "googlemail.com"},
		sets: []serverSet{{domains: []string{"gmail.com", "googlemail.com"},
			imap: imapTLS("imap.gmail.com", userAddress),
			smtp: smtpTLS("smtp.gmail.com", userAddress)}},
	},
	{
		// ISPDB hotmail.com.xml; Microsoft support "POP, IMAP, and SMTP settings for
		// Outlook.com" (IMAP outlook.office365.com 993 SSL, SMTP smtp-mail.outlook.com 587
		// STARTTLS). Outlook.com accepts only Microsoft's sign-in (OAuth) in mail apps.
		Provider: Provider{ID: "outlook", Name: "Outlook.com / Hotmail", SignIn: SignInMicrosoft, Notes: []Note{{Code: NotePasswordRefused,
			Text: "Outlook.com refuses passwords in mail apps: use Sign in with Microsoft."}}},
		ref: "https://support.microsoft.com/office/d088b986-291d-42b8-9564-9c414e2aa040",
		sets: []serverSet{{domains: []string{"outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr", "live.com", "live.fr", "msn.com"},
			imap: imapTLS("outlook.office365.com", userAddress),
			smtp: smtpSTARTTLS("smtp-mail.outlook.com", userAddress)}},
	},
	{
		// ISPDB office365.com.xml (MX *.mail.protection.outlook.com); Microsoft Learn "POP3
		// and IMAP4 in Exchange Online" (outlook.office365.com 993, smtp.office365.com 587
		// STARTTLS). Exchange Online refuses passwords for IMAP: Microsoft's sign-in only.
		Provider: Provider{ID: "microsoft365", Name: "Microsoft 365", SignIn: SignInMicrosoft, Notes: []Note{{Code: NotePasswordRefused,
			Text: "Microsoft 365 refuses passwords for IMAP: use Sign in with Microsoft."}}},
		ref: "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/pop3-and-imap4/pop3-and-imap4",
		mx:  []string{"mail.protection.outlook.com"},
		sets: []serverSet{{
			imap: imapTLS("outlook.office365.com", userAddress),
			smtp: smtpSTARTTLS("smtp.office365.com", userAddress)}},
	},
}
