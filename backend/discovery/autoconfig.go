package discovery

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// DefaultAutoconfigURLs are where Thunderbird looks for a domain's own autoconfig file,
// best first: the autoconfig.DOMAIN host, then DOMAIN's well-known path. Plain HTTP is
// never tried: a file that sets where passwords go must come over verified TLS.
var DefaultAutoconfigURLs = []string{
	"https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={email}",
	"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
}

// DefaultISPDBURL is Mozilla's central ISP database service, which Thunderbird asks too: the
// same clientConfig files as the table built into Mailroom, kept up to date. Asking it
// tells Mozilla the domain typed (never the address). ISPDBOff in Options.ISPDBURL turns
// it off.
const (
	DefaultISPDBURL = "https://autoconfig.thunderbird.net/v1.1/{domain}"
	ISPDBOff        = "off"
)

// Limits of an autoconfig file.
const (
	maxAutoconfigBytes = 1 << 20 // ISPDB files are a few KiB
	maxNoteText        = 300     // characters kept of a provider's instruction
)

// autoconfigSource fetches Mozilla autoconfig files (all URLs at once; earlier URLs win).
type autoconfigSource struct {
	client    *http.Client
	templates []string
}

func (autoconfigSource) kind() Source { return SourceAutoconfig }

func (s autoconfigSource) find(ctx context.Context, a address) ([]Candidate, error) {
	results := make([]*Candidate, len(s.templates))
	errs := make([]error, len(s.templates))
	var wg sync.WaitGroup
	for i, t := range s.templates {
		wg.Go(func() {
			u := autoconfigURL(t, a)
			c, err := s.fetch(ctx, u, a)
			if err != nil {
				errs[i] = fmt.Errorf("discovery: autoconfig %s: %w", u, err)
				return
			}
			c.Origin = Origin{"url": u}
			results[i] = &c
		})
	}
	wg.Wait()
	var out []Candidate
	for _, c := range results {
		if c != nil {
			out = append(out, *c)
		}
	}
	if len(out) == 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// autoconfigURL fills a URL template: {domain} with the domain, {email} with the
// query-escaped address.
func autoconfigURL(tmpl string, a address) string {
	return strings.NewReplacer("{domain}", a.Domain, "{email}", url.QueryEscape(a.Email)).Replace(tmpl)
}

func (s autoconfigSource) fetch(ctx context.Context, u string, a address) (Candidate, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Candidate{}, err
	}
	req.Header.Set("Accept", "application/xml, text/xml;q=0.9, */*;q=0.1")
	resp, err := s.client.Do(req)
	if err != nil {
		return Candidate{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Candidate{}, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAutoconfigBytes+1))
	if err != nil {
		return Candidate{}, err
	}
	if len(data) > maxAutoconfigBytes {
		return Candidate{}, fmt.Errorf("file larger than %d bytes", maxAutoconfigBytes)
	}
	return parseAutoconfig(data, a)
}

// The parts of Mozilla's clientConfig format (config-v1.1.xml) discovery reads.
type xmlClientConfig struct {
	XMLName   xml.Name      `xml:"clientConfig"`
	Providers []xmlProvider `xml:"emailProvider"`
	Enable    []xmlEnable   `xml:"enable"`
}

type xmlProvider struct {
	Incoming []xmlServer `xml:"incomingServer"`
	Outgoing []xmlServer `xml:"outgoingServer"`
	Enable   []xmlEnable `xml:"enable"`
}

type xmlServer struct {
	Type       string   `xml:"type,attr"`
	Hostname   string   `xml:"hostname"`
	Port       string   `xml:"port"`
	SocketType string   `xml:"socketType"`
	Username   string   `xml:"username"`
	Auth       []string `xml:"authentication"`
}

type xmlEnable struct {
	VisitURL     string `xml:"visiturl,attr"`
	Instructions []struct {
		Lang string `xml:"lang,attr"`
		Text string `xml:",chardata"`
	} `xml:"instruction"`
}

// parseAutoconfig reads a clientConfig document into a candidate for a: the best IMAP
// incoming server and the best SMTP outgoing server, implicit TLS before STARTTLS, in
// document order otherwise, and the authentication methods they list (Candidate.Auth).
// Servers with socketType "plain" (or anything else unknown), no host name, a port
// outside 1..65535 or only authentication methods Mailroom lacks are skipped. An <enable>
// instruction becomes a NoteEnableIMAPFirst note with the provider's page (Note.URL).
//
// Like Thunderbird, the reading is tolerant: any charset a web page may use (windows-1252,
// ISO-8859-15…), HTML entities (&nbsp; &eacute;…) and unclosed or unknown markup.
func parseAutoconfig(data []byte, a address) (Candidate, error) {
	var cfg xmlClientConfig
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.AutoClose = xml.HTMLAutoClose
	if err := dec.Decode(&cfg); err != nil {
		return Candidate{}, fmt.Errorf("reading clientConfig: %w", err)
	}
	var incoming, outgoing []xmlServer
	enables := cfg.Enable
	for _, p := range cfg.Providers {
		incoming = append(incoming, p.Incoming...)
		outgoing = append(outgoing, p.Outgoing...)
		enables = append(enables, p.Enable...)
	}
	imap, imapAuth, ok1 := bestServer(incoming, "imap", a)
	smtp, smtpAuth, ok2 := bestServer(outgoing, "smtp", a)
	if !ok1 || !ok2 {
		return Candidate{}, errNoServers
	}
	c := Candidate{IMAP: imap, SMTP: smtp, Auth: combineAuth(imapAuth, smtpAuth)}
	if len(enables) > 0 {
		c.Notes = []Note{{Code: NoteEnableIMAPFirst, Text: "The provider asks to enable IMAP access first.",
			Detail: enableText(enables), URL: enableURL(enables)}}
	}
	return c, nil
}

// parseAuth reads a server's <authentication> elements; ok is false when none is a way
// Mailroom has. No element means a password, the format's default.
func parseAuth(methods []string) (Auth, bool) {
	if len(methods) == 0 {
		return AuthPassword, true
	}
	var auth Auth
	for _, m := range methods {
		switch strings.ToLower(strings.TrimSpace(m)) {
		case "password-cleartext", "plain", "password-encrypted", "secure":
			auth |= AuthPassword
		case "oauth2":
			auth |= AuthOAuth2
		case "none":
			auth |= AuthNone
		}
	}
	return auth, auth != 0
}

type usableServer struct {
	Server
	auth Auth
}

func bestServer(servers []xmlServer, typ string, a address) (Server, Auth, bool) {
	var usable []usableServer
	for _, x := range servers {
		if !strings.EqualFold(strings.TrimSpace(x.Type), typ) {
			continue
		}
		var sec Security
		switch strings.ToUpper(strings.TrimSpace(x.SocketType)) {
		case "SSL":
			sec = TLS
		case "STARTTLS":
			sec = STARTTLS
		default: // "plain" and unknown values: never proposed
			continue
		}
		port, err := strconv.Atoi(strings.TrimSpace(x.Port))
		if err != nil {
			continue
		}
		auth, ok := parseAuth(x.Auth)
		if !ok {
			continue
		}
		s, ok := settleServer(Server{Host: x.Hostname, Port: port, Security: sec, Username: x.Username}, a)
		if ok {
			usable = append(usable, usableServer{s, auth})
		}
	}
	if len(usable) == 0 {
		return Server{}, 0, false
	}
	slices.SortStableFunc(usable, func(x, y usableServer) int { return securityRank(x.Security) - securityRank(y.Security) })
	return usable[0].Server, usable[0].auth, true
}

func securityRank(s Security) int {
	if s == TLS {
		return 0
	}
	return 1
}

// enableURL is the provider's page where IMAP access is turned on: an https (or http)
// address, else "".
func enableURL(enables []xmlEnable) string {
	for _, e := range enables {
		u, err := url.Parse(strings.TrimSpace(e.VisitURL))
		if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return u.String()
		}
	}
	return ""
}

// english reports whether a lang attribute is English or absent: "en", "en-US", "EN_gb".
func english(lang string) bool {
	lang = strings.ToLower(strings.TrimSpace(lang))
	return lang == "" || lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
}

// enableText picks the English (or unlabelled) instruction of the provider, cleaned up.
func enableText(enables []xmlEnable) string {
	for _, e := range enables {
		for _, in := range e.Instructions {
			if !english(in.Lang) {
				continue
			}
			t := strings.Join(strings.Fields(in.Text), " ")
			if t == "" {
				continue
			}
			if utf8.RuneCountInString(t) > maxNoteText {
				t = string([]rune(t)[:maxNoteText]) + "…"
			}
			return t
		}
	}
	return ""
}

// charsetReader decodes the charsets web pages use, by their WHATWG labels: ISO-8859-1
// and windows-1252 (read as windows-1252, as browsers and Thunderbird do), ISO-8859-15,
// and the others; UTF-8 passes through.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	if enc == unicode.UTF8 {
		return input, nil
	}
	return enc.NewDecoder().Reader(input), nil
}
