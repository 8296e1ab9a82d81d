// Package senders turns an account's API sender (Postmark, Mailgun) into what the rest of
// Mailroom uses: an outbox transport to send its queue, and the wizard's checks of the
// sender (is the token good, may this From send).
//
//	f := senders.New(registry, senders.Options{PostmarkURL: cfg.PostmarkURL}) // no I/O; cfg: backend/config
//	ob := outbox.New(outbox.Deps{…, Transport: f.Transport}, …) // nil for SMTP accounts: the outbox's own
//	checks, err := f.Checks(acc.Sender, acc.Email, token)       // probe steps: postmark_sender, mailgun_domain, mailgun_from
//
// The providers' packages (backend/postmark, backend/mailgun) do the talking and give every
// failure a reason and a class (backend/fault); this package marks those that concern the
// account rather than the message (see Classify) and reads the token or key from the vault (through the registry) only when a transport is
// built, so it never sits in a long-lived structure other than the provider's client.
//
// The API endpoints can be moved for tests and unusual networks (Options; the settings
// MAILROOM_POSTMARK_URL and MAILROOM_MAILGUN_URL, read by backend/config).
package senders

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	netmail "net/mail"
	"strings"

	"github.com/emersion/go-message/textproto"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/mailgun"
	"mailroom/backend/outbox"
	"mailroom/backend/postmark"
	"mailroom/backend/probe"
	"mailroom/backend/sendresult"
)

// Options configure a Factory. Zero values talk to the providers' public APIs.
type Options struct {
	PostmarkURL string       // "" = postmark.DefaultBaseURL
	MailgunURL  string       // "" = the region's endpoint
	HTTPClient  *http.Client // nil = each provider package's own
}

// Secrets gives an account's API token or key (*accounts.Registry).
type Secrets interface {
	SenderSecret(ctx context.Context, id int64) (string, error)
}

// Factory builds transports and checks for API senders. It is safe for concurrent use.
type Factory struct {
	secrets Secrets
	opts    Options
}

// New returns a factory. It does no I/O.
func New(secrets Secrets, opts Options) *Factory { return &Factory{secrets: secrets, opts: opts} }

// sender is what the two providers' clients have in common for the outbox.
type sender interface {
	send(ctx context.Context, env outbox.Envelope) (sendresult.Result, error)
}

type postmarkSender struct{ c *postmark.Client }

// send hands Postmark the message with its Bcc recipients as a header: Postmark has no
// envelope, and the outbox keeps Bcc recipients in the envelope only (see addBcc).
func (p postmarkSender) send(ctx context.Context, env outbox.Envelope) (sendresult.Result, error) {
	raw, err := addBcc(env.Raw, env.To)
	if err != nil {
		return sendresult.Result{}, postmark.ErrMessageUnreadable.Wrap(err, fault.P{"part": "header", "header": ""})
	}
	return p.c.Send(ctx, raw)
}

type mailgunSender struct{ c *mailgun.Client }

func (m mailgunSender) send(ctx context.Context, env outbox.Envelope) (sendresult.Result, error) {
	return m.c.Send(ctx, env.To, env.Raw)
}

// client builds the provider's client for a sender with its secret. It does no I/O.
func (f *Factory) client(s accounts.Sender, secret string) (sender, error) {
	switch s.Kind {
	case accounts.Postmark:
		c, err := f.postmark(s, secret)
		if err != nil {
			return nil, err
		}
		return postmarkSender{c}, nil
	case accounts.Mailgun:
		c, err := f.mailgun(s, secret)
		if err != nil {
			return nil, err
		}
		return mailgunSender{c}, nil
	}
	return nil, fmt.Errorf("senders: %q is not an API sender", s.Kind)
}

func (f *Factory) postmark(s accounts.Sender, token string) (*postmark.Client, error) {
	return postmark.New(token, postmark.Options{BaseURL: f.opts.PostmarkURL, MessageStream: s.Stream, HTTPClient: f.opts.HTTPClient})
}

func (f *Factory) mailgun(s accounts.Sender, key string) (*mailgun.Client, error) {
	region := mailgun.US
	if s.Region == accounts.RegionEU {
		region = mailgun.EU
	}
	return mailgun.New(key, s.Domain, mailgun.Options{Region: region, BaseURL: f.opts.MailgunURL, HTTPClient: f.opts.HTTPClient})
}

// Transport is outbox.Deps.Transport: for an account that sends through Postmark or
// Mailgun, a one-request transport; for an SMTP account nil, which makes the outbox use its
// own SMTP transport. It reads the token or key from the vault; a missing one fails here,
// which the outbox treats as an account that cannot send yet (it waits and tries again).
func (f *Factory) Transport(ctx context.Context, acc accounts.Account) (outbox.Transport, error) {
	if !acc.Sender.Kind.API() {
		return nil, nil
	}
	secret, err := f.secrets.SenderSecret(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	s, err := f.client(acc.Sender, secret)
	if err != nil {
		return nil, err
	}
	name := providerName(acc.Sender.Kind)
	return outbox.OneShot{
		Do: func(ctx context.Context, env outbox.Envelope) (string, error) {
			res, err := s.send(ctx, env)
			if err != nil {
				return "", Classify(err)
			}
			return fmt.Sprintf("%s accepted the message (id %s)", name, res.ProviderID), nil
		},
	}, nil
}

func providerName(k accounts.SenderKind) string {
	if k == accounts.Mailgun {
		return "Mailgun"
	}
	return "Postmark"
}

// Classify marks, for the outbox, the provider's failures that concern the account rather
// than the message (outbox.ForAccount); their class is the provider's:
//   - a permanent refusal of the account — a refused token or key (auth_failed), or one
//     that names a setting of the account (the error's field: an unconfirmed sender
//     signature, a domain unknown in this region, a From off the domain): every message
//     would fail the same way, so the outbox fails the message it tried and pauses the
//     account until the user fixes it, instead of failing the whole queue one message at a
//     time;
//   - a temporary failure (429, the provider's 5xx, no network): the provider, not this
//     message, is unavailable, so the account waits without using up the message's
//     attempts.
//
// Other permanent refusals (an inactive recipient, a message too large) and possibly sent
// failures concern the message only.
func Classify(err error) error {
	fe, ok := fault.As(err)
	switch {
	case err == nil:
		return nil
	case !ok: // a failure no provider classed: retried with backoff, a bounded number of times
		return outbox.ForAccount(outbox.ErrSendFailed.Wrap(err, nil))
	case fe.Class == fault.Temporary:
		return outbox.ForAccount(err)
	case fe.Class == fault.Permanent && (fe.Code == fault.AuthFailed || fe.Field != ""):
		return outbox.ForAccount(err)
	}
	return err
}

// addBcc returns raw with a Bcc header naming the envelope recipients that its To and Cc
// headers do not: the outbox renders Bcc recipients into the envelope only, and Postmark,
// which has no envelope, takes its recipients from the To, Cc and Bcc fields (and never
// shows Bcc to anyone). raw is returned as it is when every recipient is in the header.
func addBcc(raw []byte, envelope []string) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, field := range []string{"To", "Cc", "Bcc"} {
		for _, v := range h.Values(field) {
			list, err := (&netmail.AddressParser{WordDecoder: nil}).ParseList(v)
			if err != nil {
				continue // a header Postmark will refuse anyway; the envelope still counts
			}
			for _, a := range list {
				seen[strings.ToLower(a.Address)] = true
			}
		}
	}
	var hidden []string
	for _, rcpt := range envelope {
		if k := strings.ToLower(strings.TrimSpace(rcpt)); k != "" && !seen[k] {
			seen[k] = true
			hidden = append(hidden, rcpt)
		}
	}
	if len(hidden) == 0 {
		return raw, nil
	}
	h.Add("Bcc", strings.Join(hidden, ", "))
	var buf bytes.Buffer
	buf.Grow(len(raw) + 64)
	if err := textproto.WriteHeader(&buf, h); err != nil {
		return nil, err
	}
	if _, err := io.Copy(&buf, br); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Checks returns the wizard's checks of a sender, as connection-test steps: for Postmark,
// that the token is a server token and from may send (a confirmed sender signature or a
// verified domain); for Mailgun, that the sending domain is active in its region and that
// from is on it. Each failure says what is wrong and how to fix it at the provider.
func (f *Factory) Checks(s accounts.Sender, from, secret string) ([]probe.Check, error) {
	switch s.Kind {
	case accounts.Postmark:
		c, err := f.postmark(s, secret)
		if err != nil {
			return nil, err
		}
		return []probe.Check{{
			Name: probe.PostmarkSender, Host: hostOf(c.BaseURL()),
			Params: map[string]string{"from": from, "domain": domainOf(from)},
			Run:    func(ctx context.Context) (string, error) { return from, c.CheckSender(ctx, from) },
		}}, nil
	case accounts.Mailgun:
		c, err := f.mailgun(s, secret)
		if err != nil {
			return nil, err
		}
		params := map[string]string{"from": from, "domain": s.Domain, "region": strings.ToUpper(s.Region)}
		return []probe.Check{
			{Name: probe.MailgunDomain, Host: hostOf(mailgunURL(f.opts.MailgunURL, s.Region)), Params: params,
				Run: func(ctx context.Context) (string, error) { return s.Domain, c.CheckDomain(ctx) }},
			{Name: probe.MailgunFrom, Params: params,
				Run: func(context.Context) (string, error) { return from, c.CheckFrom(from) }},
		}, nil
	}
	return nil, nil
}

// CheckFrom checks, without any I/O, that from may be the From of a sender: for Mailgun,
// that it is on the sending domain. Saving an account runs it so that a Mailgun account
// never holds a From its domain cannot sign.
func CheckFrom(s accounts.Sender, from string) error {
	if s.Kind != accounts.Mailgun {
		return nil
	}
	// The key is not needed to compare domains; New only wants one to be present.
	c, err := mailgun.New("unused", s.Domain, mailgun.Options{})
	if err != nil {
		return err
	}
	if err := c.CheckFrom(from); err != nil {
		if fe, ok := fault.As(err); ok {
			c := *fe
			c.Field = "email" // the account form's field for the From
			return &c
		}
		return err
	}
	return nil
}

func mailgunURL(override, region string) string {
	switch {
	case override != "":
		return override
	case region == accounts.RegionEU:
		return mailgun.BaseURLEU
	}
	return mailgun.BaseURLUS
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func domainOf(addr string) string {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		return addr[at+1:]
	}
	return ""
}
