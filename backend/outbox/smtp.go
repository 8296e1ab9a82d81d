package outbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	mailsmtp "github.com/wneessen/go-mail/smtp"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/fault"
)

// smtpTransport sends an account's messages over one SMTP connection, kept open between
// messages (RSET between two) and dialled again when it dropped.
//
// Why go-mail's smtp.Client and not mail.Client.Send: Send runs the whole transaction
// (MAIL, RCPT, DATA, body, final dot, answer) in one call, and its errors do not say
// whether the final dot had been written when the connection failed — ErrSMTPDataClose
// covers writing the dot and reading the answer alike. The outbox must commit its marker
// after the body has left and before the dot, and must know which side of the dot a
// failure is on: before it the server cannot have the message (retry), after it the
// server may (possibly sent). So the connection is still dialled, secured and
// authenticated by connect (go-mail's client, our TLS checks and pins, the redacted
// protocol log), and the transaction is driven command by command on the go-mail
// smtp.Client underneath (DialToSMTPClientWithContext), as net/smtp's lower-level calls
// would. go-smtp's client has the same DATA writer; staying on go-mail keeps one SMTP
// client in the app.
type smtpTransport struct {
	dialer *connect.Dialer
	srv    accounts.Server
	login  func(ctx context.Context) (accounts.Login, error)
	opts   Options

	c     *mailsmtp.Client // nil when not connected
	fresh bool             // no transaction on c yet (no RSET needed)

	mu   sync.Mutex
	conn net.Conn // the TCP connection under c: closed to abort (a context, a timeout)
}

func newSMTPTransport(d *connect.Dialer, srv accounts.Server, login func(context.Context) (accounts.Login, error), opts Options) *smtpTransport {
	return &smtpTransport{dialer: d, srv: srv, login: login, opts: opts}
}

func (t *smtpTransport) setConn(c net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conn = c
}

// abort closes the connection under the client; safe from any goroutine.
func (t *smtpTransport) abort() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn != nil {
		t.conn.Close()
	}
}

// drop forgets a connection that failed; the next Send dials again.
func (t *smtpTransport) drop() {
	t.abort()
	t.c = nil
}

// Close says QUIT (briefly) and closes the connection.
func (t *smtpTransport) Close() error {
	if t.c == nil {
		return nil
	}
	_ = t.c.UpdateDeadline(2 * time.Second)
	err := t.c.Quit()
	t.drop()
	return err
}

// connect dials, secures and logs in, unless connected.
func (t *smtpTransport) connect(ctx context.Context) error {
	if t.c != nil {
		return nil
	}
	login, err := t.login(ctx)
	if err != nil {
		out := Transient
		if c := fault.CodeOf(err); c == fault.AuthFailed || c == fault.NotFound {
			out = Permanent
		}
		return &SendError{Outcome: out, Connect: true, Code: fault.CodeOf(err), Message: messageOf(err), Err: err}
	}
	d := *t.dialer // a copy: its wrapper records this connection
	inner := d.WrapConn
	d.WrapConn = func(c net.Conn) net.Conn {
		if inner != nil {
			c = inner(c)
		}
		t.setConn(c)
		return c
	}
	for attempt := 0; ; attempt++ {
		mc, err := d.SMTPClient(ctx, t.srv, login, nil)
		if err != nil {
			// Settings no connection can fix, a grant that needs a new sign-in; but a
			// provider out of reach while renewing an access token is temporary.
			out := Permanent
			if fault.CodeOf(err) == fault.Network {
				out = Transient
			}
			return &SendError{Outcome: out, Connect: true, Code: fault.CodeOf(err), Message: messageOf(err), Err: err}
		}
		stop := context.AfterFunc(ctx, t.abort)
		c, err := mc.DialToSMTPClientWithContext(ctx)
		stop()
		if err != nil {
			t.abort() // go-mail leaves the connection open when the login fails
			// An access token refused before its known expiry: renew it once.
			if login.OAuth() && attempt == 0 && connect.TokenRefused(err) {
				login.Tokens.Invalidate()
				continue
			}
			return connectError(t.srv, err)
		}
		t.c, t.fresh = c, true
		return nil
	}
}

// connectError classifies a failure to connect or log in.
func connectError(srv accounts.Server, err error) *SendError {
	fe := connect.SMTPError(srv, err)
	se := &SendError{Outcome: Transient, Connect: true, Code: fault.CodeOf(fe), Message: messageOf(fe), Err: fe}
	var te *textproto.Error
	if errors.As(err, &te) {
		se.Reply = reply(te)
		if te.Code >= 500 {
			se.Outcome = Permanent
		}
	}
	switch se.Code {
	case fault.AuthFailed, fault.TLSUntrusted, fault.TLSRequired, fault.InvalidInput:
		se.Outcome = Permanent
	}
	if errors.Is(fe, connect.ErrSMTPAuthDisabled) {
		se.Outcome, se.Reason = Permanent, ReasonSMTPAuthDisabled
	}
	return se
}

func reply(te *textproto.Error) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", te.Code, strings.ReplaceAll(te.Msg, "\n", " ")))
}

// deadline bounds the next exchange on the connection.
func (t *smtpTransport) deadline(d time.Duration) {
	_ = t.c.UpdateDeadline(d)
}

// Send implements Transport: RSET (on a used connection; a dead one is dialled again),
// MAIL FROM, RCPT TO each recipient, DATA, the body flushed to the connection, commit,
// the final dot, the answer.
func (t *smtpTransport) Send(ctx context.Context, env Envelope, commit func() error) (string, error) {
	if err := t.connect(ctx); err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, t.abort)
	defer stop()
	if !t.fresh {
		t.deadline(t.opts.CommandTimeout)
		if err := t.c.Reset(); err != nil {
			// The connection died while it waited (the server's idle timeout, a network
			// change). Nothing of this message was offered yet: dial again, once.
			t.drop()
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			if err := t.connect(ctx); err != nil {
				return "", err
			}
		}
	}
	t.fresh = false
	if ok, p := t.c.Extension("SIZE"); ok {
		if limit, _ := strconv.Atoi(strings.TrimSpace(p)); limit > 0 && len(env.Raw) > limit {
			return "", &SendError{Outcome: Permanent, Code: fault.ProviderRejected, Reason: ReasonTooLarge,
				Message: fmt.Sprintf("The message is too large for %s: %.1f MB, and it accepts at most %.1f MB. Remove or shrink attachments.",
					t.srv.Host, float64(len(env.Raw))/1e6, float64(limit)/1e6)}
		}
	}
	t.deadline(t.opts.CommandTimeout)
	if err := t.c.Mail("<" + env.From + ">"); err != nil {
		return "", t.failed("the sender "+env.From, err)
	}
	var refused, later []string
	var lastTemp *textproto.Error
	for _, rcpt := range env.To {
		t.deadline(t.opts.CommandTimeout)
		err := t.c.Rcpt("<" + rcpt + ">")
		var te *textproto.Error
		switch {
		case err == nil:
		case errors.As(err, &te) && te.Code >= 500:
			refused = append(refused, rcpt+" ("+reply(te)+")")
		case errors.As(err, &te):
			later, lastTemp = append(later, rcpt+" ("+reply(te)+")"), te
		default:
			return "", t.failed("the recipient "+rcpt, err)
		}
	}
	if len(refused) > 0 {
		return "", &SendError{Outcome: Permanent, Code: fault.ProviderRejected, Reason: ReasonRecipients,
			Message: fmt.Sprintf("%s refused %s: %s. Correct the address and send again.", t.srv.Host,
				plural(len(refused), "this recipient", "these recipients"), strings.Join(refused, "; ")),
			Reply: strings.Join(refused, "; ")}
	}
	if len(later) > 0 {
		return "", &SendError{Outcome: Transient, Code: fault.ProviderRejected,
			Message: fmt.Sprintf("%s cannot take the message for %s now: %s. Mailroom will try again.", t.srv.Host,
				plural(len(later), "this recipient", "these recipients"), strings.Join(later, "; ")),
			Reply: reply(lastTemp), Err: lastTemp}
	}
	t.deadline(t.opts.CommandTimeout)
	w, err := t.c.Data()
	if err != nil {
		return "", t.failed("the message", err)
	}
	t.deadline(t.opts.CommandTimeout + time.Duration(len(env.Raw)/minDataRate)*time.Second)
	if _, err := w.Write(env.Raw); err != nil {
		return "", t.lost(err)
	}
	// Everything but the final dot goes out now, so that a failure here is known to be
	// before it, and the dot is all that is left after the marker.
	if err := t.c.Text.W.Flush(); err != nil {
		return "", t.lost(err)
	}
	if err := commit(); err != nil {
		// Cut the connection without the dot: the server discards a message it never saw end.
		t.drop()
		return "", err
	}
	t.deadline(t.opts.ReplyTimeout)
	if err := w.Close(); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return "", t.refusal("the message", te)
		}
		t.drop()
		return "", &SendError{Outcome: Uncertain, Code: fault.Network, Reason: ReasonPossiblySent,
			Message: fmt.Sprintf("The connection to %s ended after the whole message was sent and before the server answered: "+
				"it may have been sent. Check with a recipient or in your Sent folder, then send it again or mark it as sent.", t.srv.Host),
			Err: err}
	}
	answer := "250"
	if dc, ok := w.(*mailsmtp.DataCloser); ok && dc.ServerResponse() != "" {
		answer += " " + dc.ServerResponse()
	}
	return answer, nil
}

// failed classifies an error before the body was sent: an answer, or a lost connection.
func (t *smtpTransport) failed(what string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return t.refusal(what, te)
	}
	return t.lost(err)
}

// lost is a connection that failed before the final dot: the server cannot have the
// message, so it is sent again later.
func (t *smtpTransport) lost(err error) error {
	t.drop()
	return &SendError{Outcome: Transient, Code: fault.Network,
		Message: fmt.Sprintf("The connection to %s was lost before the message was sent. Mailroom will try again.", t.srv.Host), Err: err}
}

// refusal classifies the server's answer: 4xx transient, 5xx permanent.
func (t *smtpTransport) refusal(what string, te *textproto.Error) error {
	if te.Code < 500 {
		return &SendError{Outcome: Transient, Code: fault.ProviderRejected, Reply: reply(te), Err: te,
			Message: fmt.Sprintf("%s cannot take %s now (%s). Mailroom will try again.", t.srv.Host, what, reply(te))}
	}
	return &SendError{Outcome: Permanent, Code: fault.ProviderRejected, Reply: reply(te), Err: te,
		Message: fmt.Sprintf("%s refused %s: %s", t.srv.Host, what, reply(te))}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
