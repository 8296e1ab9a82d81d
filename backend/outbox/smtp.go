package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
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
// before the dot (see Send for when), and must know which side of the dot a
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
	clean bool             // no transaction open on c (none yet, or the last one answered): no RSET needed
	log   io.Writer        // the protocol log of the commands sent pipelined; nil: none
	// oneByOne sends the commands one at a time even to a server offering PIPELINING, as
	// to one without it (tests: the test servers all offer it).
	oneByOne bool

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
		class := fault.Temporary
		if c := fault.CodeOf(err); c == fault.AuthFailed || c == fault.NotFound {
			class = fault.Permanent
		}
		return ForAccount(classed(err, class))
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
			class := fault.Permanent
			if fault.CodeOf(err) == fault.Network {
				class = fault.Temporary
			}
			return ForAccount(classed(err, class))
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
		t.c, t.clean = c, true
		if t.dialer.Debug != nil && t.log == nil {
			t.log = connect.NewRedactor(t.dialer.Debug, "smtp "+t.srv.Host)
		}
		return nil
	}
}

// connectError classifies a failure to connect or log in: it concerns the account;
// temporary unless the server refused for good (5xx), the settings or the credentials are
// wrong, or the provider turned SMTP sign-in off.
func connectError(srv accounts.Server, err error) error {
	ce := connect.SMTPError(srv, err)
	class := fault.Temporary
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		class = fault.Permanent
	}
	switch fault.CodeOf(ce) {
	case fault.AuthFailed, fault.TLSUntrusted, fault.TLSRequired, fault.InvalidInput:
		class = fault.Permanent
	}
	if errors.Is(ce, connect.ErrSMTPAuthDisabled) {
		class = fault.Permanent
	}
	fe := classed(ce, class)
	if te != nil && fe.Detail == "" {
		fe.Detail = reply(te)
	}
	return ForAccount(fe)
}

func reply(te *textproto.Error) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s", te.Code, strings.ReplaceAll(te.Msg, "\n", " ")))
}

// deadline bounds the next exchange on the connection.
func (t *smtpTransport) deadline(d time.Duration) {
	_ = t.c.UpdateDeadline(d)
}

// Send implements Transport: RSET if the last transaction was left open (a dead connection
// is dialled again), MAIL FROM, RCPT TO each recipient, DATA — in one write when the
// server offers PIPELINING — the body flushed to the connection, commit, the final dot,
// the answer. A transaction whose final dot was answered needs no RSET (RFC 5321 §4.1.1.4:
// its end clears the server's state); a connection the server closed while it waited is
// then found by MAIL FROM, which fails without an answer (or with 421), and is dialled
// again, once — nothing of this message had been accepted.
//
// For a pipelined message of at most holdBytes, commit runs on a goroutine of its own
// while the server answers the commands, rather than after the body: the marker's commit
// then costs no time of its own. It is still before the final dot, which waits for it; a
// crash between the two leaves this message possibly sent instead of the one before it,
// whose outcome the same commit writes. Send returns only once commit has returned, and
// every error after it is a *fault.Error whose class says which side of the dot it is on.
func (t *smtpTransport) Send(ctx context.Context, env Envelope, commit func() error) (string, error) {
	m := &marker{commit: commit}
	defer m.join()
	reused := t.c != nil
	if err := t.connect(ctx); err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, t.abort)
	defer stop()
	if !t.clean {
		t.deadline(t.opts.CommandTimeout)
		if err := t.c.Reset(); err != nil {
			// The connection died while it waited (the server's idle timeout, a network
			// change). Nothing of this message was offered yet: dial again, once.
			if err := t.redial(ctx); err != nil {
				return "", err
			}
		}
		reused = false // it answered, or it is new
	}
	if ok, p := t.c.Extension("SIZE"); ok {
		if limit, _ := strconv.Atoi(strings.TrimSpace(p)); limit > 0 && len(env.Raw) > limit {
			return "", ErrTooLarge.New(fault.P{"size": megabytes(len(env.Raw)), "limit": megabytes(limit)}).
				WithDetail(fmt.Sprintf("SIZE %d", limit))
		}
	}
	t.clean = false
	w, err := t.offer(env, m)
	var stale *staleError
	if errors.As(err, &stale) && reused {
		if err := t.redial(ctx); err != nil {
			return "", err
		}
		t.clean = false
		w, err = t.offer(env, m)
	}
	if errors.As(err, &stale) {
		err = stale.err
	}
	if err != nil {
		return "", err
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
	if err := m.wait(); err != nil {
		// Cut the connection without the dot: the server discards a message it never saw end.
		t.drop()
		return "", err
	}
	t.deadline(t.opts.ReplyTimeout)
	if err := w.Close(); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			t.clean = true // answered: the transaction is over
			return "", t.refusal("", te)
		}
		t.drop()
		return "", ErrPossiblySent.Wrap(err, nil)
	}
	t.clean = true
	answer := "250"
	if r := w.ServerResponse(); r != "" {
		answer += " " + r
	}
	return answer, nil
}

// redial drops the connection and dials again, unless ctx is done.
func (t *smtpTransport) redial(ctx context.Context) error {
	t.drop()
	if err := ctx.Err(); err != nil {
		return ForAccount(ErrStopped.Wrap(err, nil))
	}
	return t.connect(ctx)
}

// marker runs a Send's commit once: started early on a goroutine of its own (start), or
// in line when the body has gone (wait).
type marker struct {
	commit func() error
	async  bool
	done   chan struct{}
	ran    bool
	err    error
}

// start runs commit on a goroutine of its own, unless it has run or runs.
func (m *marker) start() {
	if m.ran {
		return
	}
	m.ran, m.async, m.done = true, true, make(chan struct{})
	go func() {
		defer close(m.done)
		m.err = m.commit()
	}()
}

// wait returns commit's error, running it now if it was not started.
func (m *marker) wait() error {
	if !m.ran {
		m.ran = true
		m.err = m.commit()
		return m.err
	}
	m.join()
	return m.err
}

// join waits for a commit started early: Send never returns while it runs.
func (m *marker) join() {
	if m.async {
		<-m.done
	}
}

// staleError is a failure of a reused connection before the server answered anything of
// this message (or with 421): the server may have closed it while it waited.
type staleError struct{ err error }

func (e *staleError) Error() string { return e.err.Error() }
func (e *staleError) Unwrap() error { return e.err }

// stale wraps err, classified as failed does, as a staleError when the server did not
// answer it (a network error) or answered 421 (closing).
func (t *smtpTransport) stale(from string, err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code == 421 {
		return &staleError{t.failed(from, err)}
	}
	return t.failed(from, err)
}

// dataWriter is the body's writer after DATA: its Close sends the final dot and reads
// the answer, whose words ServerResponse returns.
type dataWriter interface {
	io.WriteCloser
	ServerResponse() string
}

// offer sends MAIL FROM, RCPT TO for each recipient and DATA, and returns the body's
// writer once the server has said 354. With PIPELINING (RFC 2920) the commands go in one
// write and their answers are read after; otherwise one at a time.
func (t *smtpTransport) offer(env Envelope, m *marker) (dataWriter, error) {
	if ok, _ := t.c.Extension("PIPELINING"); ok && !t.oneByOne {
		return t.offerPipelined(env, m)
	}
	t.deadline(t.opts.CommandTimeout)
	if err := t.c.Mail("<" + env.From + ">"); err != nil {
		return nil, t.stale(env.From, err)
	}
	var rcpts recipients
	for _, rcpt := range env.To {
		t.deadline(t.opts.CommandTimeout)
		err := t.c.Rcpt("<" + rcpt + ">")
		var te *textproto.Error
		if err != nil && !errors.As(err, &te) {
			return nil, t.failed("", err)
		}
		rcpts.add(rcpt, te)
	}
	if err := rcpts.refusal(t.srv.Host); err != nil {
		return nil, err
	}
	t.deadline(t.opts.CommandTimeout)
	w, err := t.c.Data()
	if err != nil {
		return nil, t.failed("", err)
	}
	dc, ok := w.(*mailsmtp.DataCloser)
	if !ok {
		t.drop()
		return nil, ErrSMTPClient.New(nil)
	}
	return dc, nil
}

// offerPipelined is offer in one write, its answers read after, in order. If the server
// said 354 to DATA although the sender or a recipient was refused (it then waits for a
// body that will not come), the connection is dropped: without its final dot the server
// discards the message, and the next one is sent on a new connection.
func (t *smtpTransport) offerPipelined(env Envelope, m *marker) (dataWriter, error) {
	lines := make([]string, 0, len(env.To)+2)
	lines = append(lines, "MAIL FROM:<"+env.From+">"+t.mailParams())
	for _, rcpt := range env.To {
		lines = append(lines, "RCPT TO:<"+rcpt+">")
	}
	lines = append(lines, "DATA")
	var b strings.Builder
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return nil, ErrLineBreak.New(nil)
		}
		b.WriteString(l)
		b.WriteString("\r\n")
		t.logLine("C: " + l)
	}
	t.deadline(t.opts.CommandTimeout)
	if _, err := t.c.Text.W.WriteString(b.String()); err != nil {
		return nil, t.stale(env.From, err)
	}
	if err := t.c.Text.W.Flush(); err != nil {
		return nil, t.stale(env.From, err)
	}
	if len(env.Raw) <= holdBytes {
		m.start() // the marker, while the server answers
	}
	read := func(expect int) error {
		t.deadline(t.opts.CommandTimeout)
		code, msg, err := t.c.Text.ReadResponse(expect)
		if code != 0 {
			t.logLine(fmt.Sprintf("S: %d %s", code, msg))
		}
		return err
	}
	if err := read(250); err != nil {
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code == 421 {
			return nil, t.stale(env.From, err)
		}
		// Refused: the server refuses the recipients and DATA too (503). Their answers
		// are read, to keep in step; one that said 354 to DATA would take the next
		// commands for a body, so that connection is not used again.
		refusal := t.refusal(env.From, te)
		for range env.To {
			if err := read(25); err != nil && !errors.As(err, new(*textproto.Error)) {
				t.drop()
				return nil, refusal
			}
		}
		if err := read(354); err == nil || !errors.As(err, new(*textproto.Error)) {
			t.drop()
		}
		return nil, refusal
	}
	var rcpts recipients
	for _, rcpt := range env.To {
		err := read(25)
		var te *textproto.Error
		if err != nil && !errors.As(err, &te) {
			return nil, t.lost(err)
		}
		rcpts.add(rcpt, te)
	}
	refused := rcpts.refusal(t.srv.Host)
	err := read(354)
	var te *textproto.Error
	switch {
	case err != nil && !errors.As(err, &te):
		return nil, t.lost(err)
	case refused != nil && err == nil:
		t.drop() // the server waits for a body: end the connection instead
		return nil, refused
	case refused != nil:
		return nil, refused
	case err != nil:
		return nil, t.refusal("", te)
	}
	return &dotWriter{t: t, w: t.c.Text.DotWriter()}, nil
}

// mailParams are the parameters go-mail's Client.Mail adds to MAIL FROM.
func (t *smtpTransport) mailParams() string {
	var p string
	if ok, _ := t.c.Extension("8BITMIME"); ok {
		p += " BODY=8BITMIME"
	}
	if ok, _ := t.c.Extension("SMTPUTF8"); ok {
		p += " SMTPUTF8"
	}
	return p
}

func (t *smtpTransport) logLine(l string) {
	if t.log != nil {
		fmt.Fprintln(t.log, l)
	}
}

// dotWriter is the body's writer after a pipelined DATA.
type dotWriter struct {
	t        *smtpTransport
	w        io.WriteCloser
	response string
}

func (d *dotWriter) Write(p []byte) (int, error) { return d.w.Write(p) }

// Close sends the final dot and reads the answer.
func (d *dotWriter) Close() error {
	if err := d.w.Close(); err != nil {
		return err
	}
	code, msg, err := d.t.c.Text.ReadResponse(250)
	if code != 0 {
		d.t.logLine(fmt.Sprintf("S: %d %s", code, msg))
	}
	d.response = msg
	return err
}

func (d *dotWriter) ServerResponse() string { return d.response }

// recipients are the answers to RCPT TO: refused for good (5xx) and for now (4xx).
type recipients struct {
	refused, later           []string
	refusedWords, laterWords []string
	lastTemp                 *textproto.Error
}

// add records the answer for rcpt (te nil: accepted).
func (r *recipients) add(rcpt string, te *textproto.Error) {
	switch {
	case te == nil:
	case te.Code >= 500:
		r.refused = append(r.refused, rcpt)
		r.refusedWords = append(r.refusedWords, rcpt+" ("+reply(te)+")")
	default:
		r.later, r.lastTemp = append(r.later, rcpt), te
		r.laterWords = append(r.laterWords, rcpt+" ("+reply(te)+")")
	}
}

// refusal is the failure for the recipients refused (nil: none): the addresses as params,
// the server's answer to each as the detail.
func (r *recipients) refusal(host string) error {
	if len(r.refused) > 0 {
		return ErrRecipientRefused.New(fault.P{"host": host, "count": len(r.refused), "recipients": strings.Join(r.refused, ", ")}).
			WithDetail(strings.Join(r.refusedWords, "; "))
	}
	if len(r.later) > 0 {
		return ErrRecipientDeferred.Wrap(r.lastTemp, fault.P{"host": host, "count": len(r.later), "recipients": strings.Join(r.later, ", ")}).
			WithDetail(strings.Join(r.laterWords, "; "))
	}
	return nil
}

// failed classifies an error before the body was sent: an answer, or a lost connection.
// from is the sender when the answer was to MAIL FROM, else "".
func (t *smtpTransport) failed(from string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return t.refusal(from, te)
	}
	return t.lost(err)
}

// lost is a connection that failed before the final dot: the server cannot have the
// message, so it is sent again later.
func (t *smtpTransport) lost(err error) error {
	t.drop()
	return ErrConnectionLost.Wrap(err, fault.P{"host": t.srv.Host})
}

// refusal classifies the server's answer, its words as the detail: 4xx temporary, 5xx
// permanent. from is the sender when the answer was to MAIL FROM, else "".
func (t *smtpTransport) refusal(from string, te *textproto.Error) error {
	p := fault.P{"host": t.srv.Host}
	refused, deferred := ErrRefused, ErrDeferred
	if from != "" {
		p["from"] = from
		refused, deferred = ErrSenderRefused, ErrSenderDeferred
	}
	if te.Code < 500 {
		return deferred.Wrap(te, p).WithDetail(reply(te))
	}
	return refused.Wrap(te, p).WithDetail(reply(te))
}
