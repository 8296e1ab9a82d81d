package discovery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"mailroom/backend/fault"
)

// Provider is an entry of the built-in catalogue, for the wizard's tiles.
type Provider struct {
	ID      string
	Name    string
	Domains []string // address domains it hosts; empty for hosts of people's own domains (Infomaniak)
	SignIn  string   // SignInGoogle or SignInMicrosoft when their sign-in is the way in
	// Auth is how its servers let people in (its default settings'): a provider without
	// AuthPassword is never offered a password form.
	Auth  Auth
	Notes []Note
}

// ErrUnknownProvider is wrapped by ProviderCandidate's error for an id not in the catalogue.
var ErrUnknownProvider = errors.New("discovery: unknown provider")

// Providers lists the catalogue's tiles, in the order of the wizard's tiles. The slice is a copy.
func Providers() []Provider {
	out := make([]Provider, 0, len(catalog))
	for _, e := range catalog {
		if !e.tile {
			continue
		}
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
		c, ok := e.candidate(a.Domain, SourceCatalog, Origin{"url": e.ref})
		if ok {
			c, ok = settle(c, a)
		}
		if !ok {
			return Candidate{}, fmt.Errorf("discovery: catalogue entry %q is unusable", id)
		}
		return c, nil
	}
	return Candidate{}, ErrProviderUnknown.Wrap(fmt.Errorf("%w: %q", ErrUnknownProvider, id), fault.P{"provider": id})
}

// catalogEntry is a provider and its settings. sets[0] is the default; the others apply
// to their own domains. An entry may have no sets: an ISPDB provider offering only POP3 or
// plaintext servers, known so that its domains are not mistaken for someone else's.
type catalogEntry struct {
	Provider
	tile bool     // one of the wizard's tiles (the hand-written catalogue)
	ref  string   // where the settings were taken from; the candidates' Origin
	mx   []string // MX host domains meaning "hosted here" (MX source)
	sets []serverSet
}

type serverSet struct {
	domains    []string
	imap, smtp Server
	auth       Auth // the ways both servers accept (0: a password)
}

func (e catalogEntry) domains() []string {
	var ds []string
	for _, s := range e.sets {
		ds = append(ds, s.domains...)
	}
	return ds
}

// set returns the settings for an address domain (the default when it is none of the
// provider's); ok is false when the entry has no usable settings.
func (e catalogEntry) set(domain string) (serverSet, bool) {
	if len(e.sets) == 0 {
		return serverSet{}, false
	}
	for _, s := range e.sets {
		if slices.Contains(s.domains, domain) && s.imap.Host != "" {
			return s, true
		}
	}
	return e.sets[0], e.sets[0].imap.Host != ""
}

func (e catalogEntry) candidate(domain string, src Source, origin Origin) (Candidate, bool) {
	s, ok := e.set(domain)
	if !ok {
		return Candidate{}, false
	}
	return Candidate{
		IMAP:     s.imap,
		SMTP:     s.smtp,
		Source:   src,
		Origin:   origin,
		Provider: e.ID,
		Notes:    slices.Clone(e.Notes),
		SignIn:   e.SignIn,
		Auth:     s.auth,
	}, true
}

// catalogByDomain finds the entry hosting an address domain.
func catalogByDomain(domain string) (catalogEntry, bool) {
	i, ok := catalogDomains[domain]
	if !ok {
		return catalogEntry{}, false
	}
	return catalog[i], true
}

// catalogByMX finds the entry an MX host belongs to: the longest MX key that is the host
// or a domain it is under (yahoodns.net is Yahoo's, mail.gm0.yahoodns.net AOL's).
func catalogByMX(host string) (catalogEntry, bool) {
	host = normalizeHost(host)
	for h := host; strings.Contains(h, "."); h = h[strings.Index(h, ".")+1:] {
		if i, ok := catalogMX[h]; ok {
			return catalog[i], true
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
	c, ok := e.candidate(a.Domain, SourceCatalog, Origin{"url": e.ref})
	if !ok {
		return nil, fmt.Errorf("discovery: %s's provider %s offers no IMAP and SMTP servers Mailroom can use", a.Domain, e.ID)
	}
	return []Candidate{c}, nil
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

// ispdbProvider is one provider of Mozilla's ISP database, as catalog_generated.go holds
// them: facts only (see internal/ispdbgen).
type ispdbProvider struct {
	ID              string // the ISPDB file's name without .xml
	Name, ShortName string
	Domains         []string // address domains; each is also an MX key, as in Thunderbird
	IMAP, SMTP      []ispdbServer
	Docs            string // the provider's instructions page
	Enable          string // the page where IMAP access is turned on, when it must be
}

type ispdbServer struct {
	Host     string
	Port     int
	Security Security
	Username string
	Auth     Auth
}

// handEntry is a provider of Mailroom's own catalogue: a tile of the wizard, its name,
// sign-in and notes, on top of the ISPDB files holding its facts.
type handEntry struct {
	Provider
	ispdb   []string    // the ISPDB files (ispdbProvider.ID) of this provider
	domains []string    // more address domains, with the first ISPDB file's settings
	mx      []string    // more MX keys
	ref     string      // the help page the settings were checked against; "" = the ISPDB's
	sets    []serverSet // settings the ISPDB lacks; sets[0] is then the default
}

// Notes shared by several providers. The ISPDB's page for turning IMAP on is added to
// NoteEnableIMAPFirst notes (Note.URL) by buildCatalog.
var (
	noteIMAPFirstGMX = Note{Code: NoteEnableIMAPFirst,
		Text: "GMX: first allow POP3 & IMAP access in your GMX mail settings."}
	noteIMAPFirstWebDE = Note{Code: NoteEnableIMAPFirst,
		Text: "WEB.DE: first allow POP3 & IMAP access in your WEB.DE mail settings."}
)

//go:generate go run ./internal/ispdbgen -in ../../../shared/ispdb -out catalog_generated.go

// handCatalog is Mailroom's own catalogue, in the order of the wizard's tiles. The servers
// come from the generated ISPDB table (catalog_generated.go: Mozilla's database of mail
// providers used by Thunderbird, github.com/thunderbird/autoconfig, ispdb/); an entry
// gives its own only where the ISPDB has none.
//
// Preferences when a provider offers several: implicit TLS over STARTTLS (RFC 8314), and
// the username form the provider documents.
var handCatalog = []handEntry{
	{
		// Apple's "iCloud Mail server settings for other email client apps"
		// (support.apple.com/HT202304) agrees with the ISPDB's me.com.
		Provider: Provider{ID: "icloud", Name: "iCloud", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "iCloud needs an app-specific password: create one at account.apple.com (Sign-In and Security → App-Specific Passwords)."}}},
		ispdb: []string{"me.com"},
	},
	{
		// Yahoo refuses account passwords in mail apps: an app password is generated in the
		// account's security settings (or its OAuth sign-in, which Mailroom does not have).
		Provider: Provider{ID: "yahoo", Name: "Yahoo Mail", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "Yahoo Mail needs an app password: create one in your Yahoo account's security settings (Generate app password)."}}},
		ispdb: []string{"yahoo.com"},
	},
	{
		// Like Yahoo's, AOL's mail apps need an app password.
		Provider: Provider{ID: "aol", Name: "AOL Mail", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "AOL Mail needs an app password: create one in your AOL account's security settings (Generate app password)."}}},
		ispdb: []string{"aol.com"},
	},
	{
		// gmx.net (gmx.de, .at, .ch…) and gmx.com (gmx.fr…) have their own servers. IMAP is
		// off until enabled.
		Provider: Provider{ID: "gmx", Name: "GMX", Notes: []Note{noteIMAPFirstGMX}},
		ispdb:    []string{"gmx.net", "gmx.com"},
	},
	{
		// IMAP is off until enabled.
		Provider: Provider{ID: "webde", Name: "WEB.DE", Notes: []Note{noteIMAPFirstWebDE}},
		ispdb:    []string{"web.de"},
	},
	{
		Provider: Provider{ID: "orange", Name: "Orange"},
		ispdb:    []string{"orange.fr"},
	},
	{
		Provider: Provider{ID: "free", Name: "Free"},
		ispdb:    []string{"free.fr"},
	},
	{
		// SFR assistance "Configurer un logiciel de messagerie" agrees with the ISPDB.
		Provider: Provider{ID: "sfr", Name: "SFR"},
		ispdb:    []string{"sfr.fr"},
		ref:      "https://assistance.sfr.fr/",
	},
	{
		// La Poste's help for mail apps (imap.laposte.net 993 SSL, smtp.laposte.net 465 SSL).
		Provider: Provider{ID: "laposte", Name: "La Poste"},
		ispdb:    []string{"laposte.net"},
		ref:      "https://www.laposte.net/",
	},
	{
		// OVHcloud guides for MX Plan mailboxes ("Configurer son adresse e-mail sur un
		// logiciel": ssl0.ovh.net). OVH hosts people's own domains: found through the MX
		// records (mx*.mail.ovh.net), or picked by hand.
		Provider: Provider{ID: "ovh", Name: "OVHcloud"},
		ispdb:    []string{"ovh.net"},
		mx:       []string{"mail.ovh.net"},
		ref:      "https://help.ovhcloud.com/",
	},
	{
		// Not in the ISPDB. Infomaniak's support FAQ on mail app settings
		// (mail.infomaniak.com, IMAP 993 SSL, SMTP 465 SSL, the full address as username).
		// ik.me is its free address domain; people's own domains are found by their MX
		// (*.infomaniak.ch).
		Provider: Provider{ID: "infomaniak", Name: "Infomaniak"},
		ref:      "https://www.infomaniak.com/en/support",
		mx:       []string{"infomaniak.ch"},
		sets: []serverSet{{domains: []string{"ik.me"},
			imap: imapTLS("mail.infomaniak.com", userAddress),
			smtp: smtpTLS("mail.infomaniak.com", userAddress)}},
	},
	{
		// ISPDB messagingengine.com (Fastmail's MX); Fastmail's own address domains are not
		// listed there. Fastmail requires an app password for IMAP/SMTP.
		Provider: Provider{ID: "fastmail", Name: "Fastmail", Notes: []Note{{Code: NoteAppPasswordRequired,
			Text: "Fastmail needs an app password for mail apps: create one in Fastmail's settings (Privacy & Security)."}}},
		ispdb:   []string{"messagingengine.com"},
		domains: []string{"fastmail.com", "fastmail.fm"},
		ref:     "https://www.fastmail.com/help/technical/servernamesandports.html",
	},
	{
		// Zoho help "IMAP Access" (zoho.com/mail/help/imap-access.html): personal addresses
		// use their data centre's imap/smtp.zoho.*, addresses at an organisation's own
		// domain (a tile picked by hand) imappro/smtppro.zoho.com; IMAP must be enabled
		// first; with two-factor authentication, an application-specific password is needed.
		Provider: Provider{ID: "zoho", Name: "Zoho Mail", Notes: []Note{
			{Code: NoteEnableIMAPFirst, Text: "Zoho Mail: first enable IMAP access in Zoho Mail's settings (Mail Accounts → IMAP)."},
			{Code: NoteAppPasswordIfTwoFactor, Text: "If two-factor authentication is on for your Zoho account, use an application-specific password."},
		}},
		ispdb: []string{"zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zohocloud.ca"},
		ref:   "https://www.zoho.com/mail/help/imap-access.html",
		sets: []serverSet{{
			imap: imapTLS("imappro.zoho.com", userAddress),
			smtp: smtpTLS("smtppro.zoho.com", userAddress)}},
	},
	{
		// Google help "Check Gmail through other email platforms" (answer 7126229). Google
		// refuses account passwords: an app password (with 2-Step Verification) or Sign in
		// with Google. The ISPDB's google.com is the MX of Google Workspace domains.
		Provider: Provider{ID: "gmail", Name: "Gmail / Google Workspace", SignIn: SignInGoogle, Notes: []Note{{Code: NotePasswordRefused,
			Text: "Gmail refuses your normal password: use an app password or Sign in with Google."}}},
		ispdb: []string{"googlemail.com"},
		ref:   "https://support.google.com/mail/answer/7126229",
	},
	{
		// Microsoft support "POP, IMAP, and SMTP settings for Outlook.com". Outlook.com
		// accepts only Microsoft's sign-in (OAuth) in mail apps, as the ISPDB says.
		Provider: Provider{ID: "outlook", Name: "Outlook.com / Hotmail", SignIn: SignInMicrosoft, Notes: []Note{{Code: NotePasswordRefused,
			Text: "Outlook.com refuses passwords in mail apps: use Sign in with Microsoft."}}},
		ispdb: []string{"hotmail.com"},
		ref:   "https://support.microsoft.com/office/d088b986-291d-42b8-9564-9c414e2aa040",
	},
	{
		// Microsoft Learn "POP3 and IMAP4 in Exchange Online". Exchange Online refuses
		// passwords for IMAP: Microsoft's sign-in only. Found by its MX
		// (*.mail.protection.outlook.com).
		Provider: Provider{ID: "microsoft365", Name: "Microsoft 365", SignIn: SignInMicrosoft, Notes: []Note{{Code: NotePasswordRefused,
			Text: "Microsoft 365 refuses passwords for IMAP: use Sign in with Microsoft."}}},
		ispdb: []string{"office365.com"},
		ref:   "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/pop3-and-imap4/pop3-and-imap4",
	},
}

// The catalogue: the hand-written entries (the tiles) then every other ISPDB provider;
// catalogDomains and catalogMX index it by address domain and MX key.
var catalog, catalogDomains, catalogMX, catalogDuplicates = buildCatalog(handCatalog, ispdb)

// buildCatalog merges Mailroom's catalogue with the ISPDB's facts. A domain or MX key
// claimed twice stays with the first entry; duplicates lists the others (a test keeps it
// empty).
func buildCatalog(hand []handEntry, table []ispdbProvider) (entries []catalogEntry, domains, mx map[string]int, duplicates []string) {
	byID := make(map[string]ispdbProvider, len(table))
	for _, p := range table {
		byID[p.ID] = p
	}
	used := map[string]bool{}
	for _, h := range hand {
		e := catalogEntry{Provider: h.Provider, tile: true, ref: h.ref, mx: slices.Clone(h.mx)}
		e.Notes = slices.Clone(h.Notes)
		for _, s := range h.sets {
			if s.auth == 0 {
				s.auth = AuthPassword
			}
			e.sets = append(e.sets, s)
		}
		enable := ""
		for i, id := range h.ispdb {
			p, ok := byID[id]
			if !ok {
				panic("discovery: catalogue entry " + h.ID + " names ISPDB file " + id + ", not in catalog_generated.go")
			}
			used[id] = true
			s := ispdbSet(p)
			if i == 0 {
				s.domains = append(s.domains, h.domains...)
			}
			e.sets = append(e.sets, s)
			e.mx = append(e.mx, p.Domains...)
			if e.ref == "" {
				e.ref = p.Docs
			}
			if e.ref == "" {
				e.ref = ispdbFileURL(p.ID)
			}
			if enable == "" {
				enable = p.Enable
			}
		}
		if len(h.ispdb) == 0 && len(h.domains) > 0 && len(e.sets) > 0 {
			e.sets[0].domains = append(e.sets[0].domains, h.domains...)
		}
		for i, n := range e.Notes {
			if n.Code == NoteEnableIMAPFirst && n.URL == "" {
				e.Notes[i].URL = enable
			}
		}
		entries = append(entries, e)
	}
	for _, p := range table {
		if used[p.ID] {
			continue
		}
		e := catalogEntry{Provider: Provider{ID: p.ID, Name: p.Name}, ref: p.Docs, mx: slices.Clone(p.Domains)}
		if e.ref == "" {
			e.ref = ispdbFileURL(p.ID)
		}
		for _, n := range []string{p.ShortName, p.ID} {
			if e.Name == "" || strings.Contains(e.Name, "%") { // inbox.lv's is %EMAILDOMAIN%
				e.Name = n
			}
		}
		e.sets = []serverSet{ispdbSet(p)}
		if p.Enable != "" {
			e.Notes = []Note{{Code: NoteEnableIMAPFirst, Text: "The provider asks to enable IMAP access first.", URL: p.Enable}}
		}
		entries = append(entries, e)
	}
	domains, mx = map[string]int{}, map[string]int{}
	for i := range entries {
		e := &entries[i]
		for _, s := range e.sets {
			for _, d := range s.domains {
				if _, dup := domains[d]; dup {
					duplicates = append(duplicates, e.ID+": "+d)
					continue
				}
				domains[d] = i
			}
		}
		for _, k := range e.mx {
			if _, dup := mx[k]; !dup {
				mx[k] = i
			} else if mx[k] != i {
				duplicates = append(duplicates, e.ID+": MX "+k)
			}
		}
		if s, ok := e.set(""); ok {
			e.Auth = s.auth
		}
	}
	return entries, domains, mx, duplicates
}

// ispdbFileURL is where an ISPDB provider's file can be read, at the table's commit.
func ispdbFileURL(id string) string {
	return "https://github.com/thunderbird/autoconfig/blob/" + ispdbCommit + "/ispdb/" + id + ".xml"
}

// ispdbSet is an ISPDB provider's settings: its best IMAP and SMTP servers (implicit TLS
// first, then the file's order), for its domains. Without a usable IMAP or SMTP server the
// set has its domains and no hosts.
func ispdbSet(p ispdbProvider) serverSet {
	s := serverSet{domains: slices.Clone(p.Domains)}
	imap, ok1 := bestISPDBServer(p.IMAP)
	smtp, ok2 := bestISPDBServer(p.SMTP)
	if !ok1 || !ok2 {
		return s
	}
	s.imap = Server{Host: imap.Host, Port: imap.Port, Security: imap.Security, Username: imap.Username}
	s.smtp = Server{Host: smtp.Host, Port: smtp.Port, Security: smtp.Security, Username: smtp.Username}
	s.auth = combineAuth(imap.Auth, smtp.Auth)
	return s
}

func bestISPDBServer(ss []ispdbServer) (ispdbServer, bool) {
	if len(ss) == 0 {
		return ispdbServer{}, false
	}
	best := ss[0]
	for _, s := range ss[1:] {
		if securityRank(s.Security) < securityRank(best.Security) {
			best = s
		}
	}
	return best, true
}

// combineAuth is how an account logs in to both servers: the ways both accept, else the
// IMAP server's (the incoming login decides; the outgoing one then fails visibly in the
// connection test).
func combineAuth(imap, smtp Auth) Auth {
	if both := imap & smtp &^ AuthNone; both != 0 {
		return both
	}
	if smtp&AuthNone != 0 {
		return imap
	}
	return imap &^ AuthNone
}
