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
)

// DefaultAutoconfigURLs are where Thunderbird looks for a domain's own autoconfig file,
// best first: the autoconfig.DOMAIN host, then DOMAIN's well-known path. Plain HTTP is
// never tried: a file that sets where passwords go must come over verified TLS.
var DefaultAutoconfigURLs = []string{
	"https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={email}",
	"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
}

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
	Type       string `xml:"type,attr"`
	Hostname   string `xml:"hostname"`
	Port       string `xml:"port"`
	SocketType string `xml:"socketType"`
	Username   string `xml:"username"`
}

type xmlEnable struct {
	Instructions []struct {
		Lang string `xml:"lang,attr"`
		Text string `xml:",chardata"`
	} `xml:"instruction"`
}

// parseAutoconfig reads a clientConfig document into a candidate for a: the best IMAP
// incoming server and the best SMTP outgoing server, implicit TLS before STARTTLS, in
// document order otherwise. Servers with socketType "plain" (or anything else unknown),
// no host name or a port outside 1..65535 are skipped. An <enable> instruction becomes a
// NoteEnableIMAPFirst note.
func parseAutoconfig(data []byte, a address) (Candidate, error) {
	var cfg xmlClientConfig
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
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
	imap, ok1 := bestServer(incoming, "imap", a)
	smtp, ok2 := bestServer(outgoing, "smtp", a)
	if !ok1 || !ok2 {
		return Candidate{}, errNoServers
	}
	c := Candidate{IMAP: imap, SMTP: smtp}
	if len(enables) > 0 {
		c.Notes = []Note{{Code: NoteEnableIMAPFirst, Text: "The provider asks to enable IMAP access first.", Detail: enableText(enables)}}
	}
	return c, nil
}

func bestServer(servers []xmlServer, typ string, a address) (Server, bool) {
	var usable []Server
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
		s, ok := settleServer(Server{Host: x.Hostname, Port: port, Security: sec, Username: x.Username}, a)
		if ok {
			usable = append(usable, s)
		}
	}
	if len(usable) == 0 {
		return Server{}, false
	}
	slices.SortStableFunc(usable, func(x, y Server) int { return securityRank(x.Security) - securityRank(y.Security) })
	return usable[0], true
}

func securityRank(s Security) int {
	if s == TLS {
		return 0
	}
	return 1
}

// enableText picks the English (or unlabelled) instruction of the provider, cleaned up.
func enableText(enables []xmlEnable) string {
	for _, e := range enables {
		for _, in := range e.Instructions {
			if in.Lang != "" && !strings.EqualFold(in.Lang, "en") {
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

// charsetReader lets documents declared in Latin-1 or ASCII through (host names are ASCII
// either way); other charsets are refused.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		return latin1Reader{r: input}, nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct{ r io.Reader }

func (l latin1Reader) Read(p []byte) (int, error) {
	// Each byte becomes at most two: read half of p, expand into p.
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	in := make([]byte, len(p)/2)
	n, err := l.r.Read(in)
	out := p[:0]
	for _, b := range in[:n] {
		out = utf8.AppendRune(out, rune(b))
	}
	return len(out), err
}
