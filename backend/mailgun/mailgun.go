// Package mailgun sends already-rendered messages through Mailgun's API (mailgun-go) and
// checks, for the account wizard, a sending domain's state and that a From address belongs
// to it.
//
//	mg, err := mailgun.New(apiKey, "mg.example.com", mailgun.Options{Region: mailgun.EU}) // no I/O
//	if err := mg.CheckDomain(ctx); err != nil {
//		return err // fault error: unverified (with the DNS records to add), disabled, unknown
//	}
//	if err := mg.CheckFrom("Ada <ada@example.com>"); err != nil {
//		return err
//	}
//	res, err := mg.Send(ctx, recipients, raw) // recipients: the envelope, Bcc included
//	switch fault.ClassOf(err) { … } // see backend/sendresult
//
// Send uses Mailgun's MIME endpoint (POST /v3/{domain}/messages.mime), so the message goes
// out exactly as rendered, our Message-ID included; only its Bcc header is removed, because
// Mailgun delivers the MIME as given to every recipient and would show it to all of them.
//
// A Mailgun domain lives in one region, and each region has its own API: a US domain is
// unknown to the EU API and the other way round, which is why a 404 names the region.
//
// The API key travels only as HTTP basic auth (user "api"), is never written to an error,
// and redirects are not followed. Errors are *fault.Error values (reasons.go) with Mailgun's
// own answer as their detail, of the class permanent (bad key, unknown domain, refused
// message), temporary (429, 5xx, network) or possibly sent (the request went out and the
// answer never came).
//
// API reference: https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
// (messages.mime), https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains
// (domain state and DNS records), https://documentation.mailgun.com/docs/mailgun/quickstart-guide/responses
// (HTTP codes).
package mailgun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/mail"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	mg "github.com/mailgun/mailgun-go/v4"
	"golang.org/x/net/publicsuffix"

	"mailroom/backend/fault"
	"mailroom/backend/sendresult"
)

// Region is where a Mailgun domain lives; each region has its own API endpoint.
type Region string

// The regions Mailgun offers.
const (
	US Region = "us" // api.mailgun.net, the default
	EU Region = "eu" // api.eu.mailgun.net
)

// The regions' API endpoints, without the API version mailgun-go appends.
const (
	BaseURLUS = "https://api.mailgun.net"
	BaseURLEU = "https://api.eu.mailgun.net"
)

// apiVersion is the path prefix of the endpoints mailgun-go v4 calls (messages.mime and
// domains are v3 endpoints).
const apiVersion = "/v3"

// Network bounds. Mailgun accepts messages up to 25 MB; the total leaves time to upload one
// over a slow uplink.
const (
	requestTimeout   = 3 * time.Minute // one whole request, upload included
	maxProviderWords = 500             // characters of Mailgun's message kept in an error
)

// Result is Mailgun's receipt for an accepted message: ProviderID is Mailgun's id without
// its angle brackets; SubmittedAt is the local time of Mailgun's answer, which has none.
type Result = sendresult.Result

// Options configure a Client. The zero value talks to the US region.
type Options struct {
	Region     Region       // "" = US
	BaseURL    string       // overrides the region's endpoint (tests); without "/v3"
	HTTPClient *http.Client // nil = one with the timeouts above; redirects are never followed
}

// Client sends through one Mailgun sending domain. It is safe for concurrent use.
type Client struct {
	mg      *mg.MailgunImpl
	key     string
	domain  string
	region  Region
	baseURL string
}

// New returns a client for the sending domain, authenticated with the API key. It does no
// I/O.
func New(apiKey, domain string, opts Options) (*Client, error) {
	apiKey = strings.TrimSpace(apiKey)
	if apiKey == "" {
		return nil, ErrKeyMissing.Field("api_key", nil)
	}
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	if !validDomain(domain) {
		return nil, ErrDomainInvalid.Field("domain", fault.P{"domain": domain})
	}
	region := Region(strings.ToLower(string(opts.Region)))
	base := BaseURLUS
	switch region {
	case "", US:
		region = US
	case EU:
		base = BaseURLEU
	default:
		return nil, ErrRegionInvalid.Field("region", fault.P{"region": string(opts.Region)})
	}
	if opts.BaseURL != "" {
		base = strings.TrimRight(opts.BaseURL, "/")
	}
	impl := mg.NewMailgun(domain, apiKey)
	impl.SetAPIBase(base + apiVersion)
	impl.SetClient(httpClient(opts.HTTPClient))
	return &Client{mg: impl, key: apiKey, domain: domain, region: region, baseURL: base}, nil
}

// BaseURL is the API endpoint the client uses, without the API version.
func (c *Client) BaseURL() string { return c.baseURL }

// Domain is the sending domain.
func (c *Client) Domain() string { return c.domain }

// Region is the region of the sending domain.
func (c *Client) Region() Region { return c.region }

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// httpClient is the shared sender client (no redirects) with this provider's request timeout.
func httpClient(given *http.Client) *http.Client { return sendresult.HTTPClient(given, requestTimeout) }

// Send sends an RFC 5322 message to the given envelope recipients (To, Cc and Bcc
// addresses; the message's own headers decide what recipients see).
func (c *Client) Send(ctx context.Context, to []string, raw []byte) (Result, error) {
	if len(to) == 0 {
		return Result{}, ErrNoRecipient.New(nil)
	}
	body, messageID, err := withoutBcc(raw)
	if err != nil {
		return Result{}, ErrUnreadable.Wrap(err, nil)
	}
	res := Result{MessageID: messageID}

	ctx, wrote := traced(ctx)
	_, id, err := c.mg.Send(ctx, mg.NewMIMEMessage(io.NopCloser(bytes.NewReader(body)), to...))
	if err != nil {
		return res, c.describe(err, wrote.Load(), true, false)
	}
	res.ProviderID = strings.Trim(strings.TrimSpace(id), "<>")
	res.SubmittedAt = time.Now()
	return res, nil
}

// withoutBcc returns the message without its Bcc header, byte for byte otherwise, and its
// Message-ID without angle brackets.
func withoutBcc(raw []byte) ([]byte, string, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, "", err
	}
	id, _ := (&gomail.Header{Header: message.Header{Header: h}}).MessageID()
	if !h.Has("Bcc") {
		return raw, id, nil
	}
	h.Del("Bcc")
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := textproto.WriteHeader(&buf, h); err != nil {
		return nil, "", err
	}
	if _, err := io.Copy(&buf, br); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), id, nil
}

// CheckDomain reads the sending domain's state. An active domain passes; an unverified one
// fails with the DNS records Mailgun is still waiting for, as Mailgun lists them; a disabled
// or unknown one fails with what to do about it.
func (c *Client) CheckDomain(ctx context.Context) error {
	ctx, wrote := traced(ctx)
	d, err := c.mg.GetDomain(ctx, c.domain)
	if err != nil {
		return c.describe(err, wrote.Load(), false, true)
	}
	switch state := d.Domain.State; state {
	case "active":
		return nil
	case "unverified":
		todo := unverified(d.SendingDNSRecords)
		return ErrUnverified.New(fault.P{"domain": c.domain, "count": len(todo)}).WithDetail(strings.Join(todo, "\n"))
	case "disabled":
		return ErrDisabled.New(fault.P{"domain": c.domain})
	default:
		return ErrDomainState.New(fault.P{"domain": c.domain, "state": state})
	}
}

// unverified lists the DNS records to add, one per line as "type name value", with the
// names Mailgun gives them: SPF and DKIM are TXT records and required to send; the CNAME is
// for open and click tracking.
func unverified(records []mg.DNSRecord) []string {
	var todo []string
	for _, r := range records {
		if r.Valid == "valid" {
			continue
		}
		kind := r.RecordType
		switch {
		case strings.EqualFold(r.RecordType, "TXT") && strings.HasPrefix(strings.ToLower(r.Value), "v=spf1"):
			kind = "TXT (SPF)"
		case strings.EqualFold(r.RecordType, "TXT") && strings.Contains(strings.ToLower(r.Name), "._domainkey."):
			kind = "TXT (DKIM)"
		case strings.EqualFold(r.RecordType, "CNAME"):
			kind = "CNAME (tracking)"
		}
		todo = append(todo, fmt.Sprintf("%s %s %s", kind, r.Name, r.Value))
	}
	return todo
}

// CheckFrom checks that the From address belongs to the sending domain: that it is on the
// same registered domain (example.com for mg.example.com, as the public suffix list has it).
// That is what DMARC's default, relaxed alignment requires of Mailgun's DKIM signature and
// bounce address, and what Mailgun's advice to send from a subdomain such as mg.example.com
// relies on; a domain whose DMARC record asks for strict alignment needs the From on the
// sending domain itself, which the deliverability check reports. It does no I/O.
func (c *Client) CheckFrom(from string) error {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return ErrFromInvalid.Field("from", fault.P{"from": from})
	}
	at := strings.LastIndexByte(addr.Address, '@')
	d := strings.ToLower(strings.TrimSuffix(addr.Address[at+1:], "."))
	if d == c.domain || strings.HasSuffix(d, "."+c.domain) {
		return nil
	}
	org, errFrom := publicsuffix.EffectiveTLDPlusOne(d)
	sendingOrg, errSending := publicsuffix.EffectiveTLDPlusOne(c.domain)
	if errFrom == nil && errSending == nil && org == sendingOrg {
		return nil
	}
	if errSending != nil {
		sendingOrg = c.domain
	}
	return ErrFromOffDomain.Field("from", fault.P{"from": addr.Address, "domain": c.domain, "org": sendingOrg, "fromDomain": d})
}

// traced returns a context that records when the whole request has gone out: from then on,
// Mailgun may have acted on it even if its answer never arrives. mailgun-go builds its
// requests with the context it is given, so the trace sees them.
func traced(ctx context.Context) (context.Context, *atomic.Bool) {
	var wrote atomic.Bool
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	}), &wrote
}

// describe turns a mailgun-go error into the error people see: what happened, what to do,
// and Mailgun's own words. wrote says whether the request had gone out, sends whether it
// could deliver mail, readsDomain whether it read the domain (CheckDomain).
func (c *Client) describe(err error, wrote, sends, readsDomain bool) error {
	var ue *mg.UnexpectedResponseError
	if !errors.As(err, &ue) {
		return c.networkError(err, wrote, sends)
	}
	cause := fmt.Errorf("mailgun: %s %s: HTTP %d", ue.Method, redactURL(ue.URL), ue.Actual)
	words := c.words(ue.Data)
	reply := fmt.Sprintf("HTTP %d", ue.Actual)
	if words != "" {
		reply += ": " + words
	}
	r := sendresult.Refusal{Reply: reply, Cause: cause}
	action := fault.P{"action": "send"}
	if readsDomain {
		action["action"] = "check"
	}
	switch status := ue.Actual; {
	case status == http.StatusBadRequest:
		return r.Err(ErrInvalid, "", action)
	case status == http.StatusUnauthorized:
		return r.Err(ErrKey, "api_key", action)
	case status == http.StatusForbidden:
		return r.Err(ErrForbidden, "", action)
	case status == http.StatusNotFound:
		other := EU
		if c.region == EU {
			other = US
		}
		return r.Err(ErrDomain, "region", fault.P{"region": strings.ToUpper(string(c.region)), "domain": c.domain,
			"other": strings.ToUpper(string(other))})
	case status == http.StatusRequestEntityTooLarge:
		return r.Err(ErrTooLarge, "", nil)
	case status == http.StatusTooManyRequests:
		return r.Err(ErrRateLimited, "", nil)
	case status >= 500:
		return r.Err(ErrUnavailable, "", fault.P{"status": status})
	default:
		return r.Err(ErrRefused, "", fault.P{"status": status})
	}
}

// networkError classes a request that got no usable answer.
func (c *Client) networkError(err error, wrote, sends bool) error {
	if wrote && sends {
		return ErrPossiblySent.Wrap(err, nil)
	}
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return ErrTimeout.Wrap(err, nil)
	case wrote || errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.Canceled):
		return ErrUnreachable.Wrap(err, nil)
	}
	// Nothing went out and nothing failed on the network: mailgun-go refused the request
	// itself, and would refuse it again.
	return ErrClient.Wrap(err, nil)
}

// words is Mailgun's own message (its JSON "message", else the body's text), which the UI
// shows: bounded, and with the key masked should Mailgun ever quote it.
func (c *Client) words(data []byte) string {
	var answer struct {
		Message string `json:"message"`
	}
	words := strings.TrimSpace(string(data))
	if json.Unmarshal(data, &answer) == nil && answer.Message != "" {
		words = strings.TrimSpace(answer.Message)
	} else if strings.HasPrefix(words, "<") {
		words = "" // an HTML error page says nothing people can use
	}
	words = strings.ReplaceAll(words, c.key, "[API key]")
	if r := []rune(words); len(r) > maxProviderWords {
		words = string(r[:maxProviderWords]) + "…"
	}
	return words
}

// redactURL drops any user information from a URL before it goes into an error.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	u.User = nil
	return u.String()
}
