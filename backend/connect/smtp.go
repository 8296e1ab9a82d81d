package connect

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/wneessen/go-mail"
	maillog "github.com/wneessen/go-mail/log"
	"github.com/wneessen/go-mail/smtp"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/oauth"
)

// SMTPClient builds a go-mail client for an account's SMTP server: implicit TLS or
// mandatory STARTTLS, our certificate verification and pins, our resolver, AUTH with the
// best mechanism the server offers. It does no I/O; call DialWithContext (SMTPLogin does).
//
// An OAuth login signs in with XOAUTH2: the access token is taken from its source here, so
// the client is good for one connection (build another to reconnect).
func (d *Dialer) SMTPClient(ctx context.Context, srv accounts.Server, login accounts.Login, seen *TLSSeen) (*mail.Client, error) {
	var auth smtp.Auth = &passwordAuth{username: srv.Username, password: login.Password, host: srv.Host}
	secret := login.Password
	if login.OAuth() {
		tok, err := login.Tokens.Token(ctx)
		if err != nil {
			return nil, err
		}
		auth, secret = &tlsOnly{oauth.SMTPAuth(srv.Username, tok.AccessToken)}, tok.AccessToken
	}
	opts := []mail.Option{
		mail.WithTimeout(d.timeout()),
		mail.WithTLSConfig(d.tlsConfig(ctx, srv.Host, srv.Port, seen)),
		mail.WithSMTPAuthCustom(auth),
		mail.WithDialContextFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			conn, err := d.dial(ctx, srv)
			if err != nil {
				return nil, err
			}
			if srv.Security == accounts.TLS {
				tc := tls.Client(conn, d.tlsConfig(ctx, srv.Host, srv.Port, seen))
				if err := tc.HandshakeContext(ctx); err != nil {
					conn.Close()
					return nil, tlsError(srv, err)
				}
				return tc, nil
			}
			return conn, nil
		}),
	}
	switch srv.Security {
	case accounts.TLS:
		// The dial function above already speaks TLS; go-mail must not wrap it again.
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case accounts.StartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		return nil, ErrSecurityChoice.Field("smtp.security", nil)
	}
	opts = append(opts, mail.WithPort(srv.Port))
	if d.Debug != nil {
		opts = append(opts, mail.WithDebugLog(), mail.WithLogger(smtpLogger{NewRedactor(d.Debug, "smtp "+srv.Host, secret)}))
	}
	c, err := mail.NewClient(srv.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect: smtp client: %w", err)
	}
	return c, nil
}

// SMTPLogin connects, secures and authenticates to an account's SMTP server. An OAuth
// token the server refuses is renewed once. The caller closes the client.
func (d *Dialer) SMTPLogin(ctx context.Context, srv accounts.Server, login accounts.Login, seen *TLSSeen) (*mail.Client, error) {
	for attempt := 0; ; attempt++ {
		c, err := d.SMTPClient(ctx, srv, login, seen)
		if err != nil {
			return nil, err
		}
		if err := c.DialWithContext(ctx); err != nil {
			if login.OAuth() && attempt == 0 && TokenRefused(err) {
				login.Tokens.Invalidate()
				continue
			}
			return nil, SMTPError(srv, err)
		}
		return c, nil
	}
}

// SMTPCheck signs in as SMTPLogin does, then proves the session with a command after the
// sign-in — a server may accept AUTH and refuse what follows (Microsoft 365 does when the
// mailbox may not send): MAIL FROM:<from> then RSET, or NOOP when from is "" — and says
// goodbye. Nothing is sent.
func (d *Dialer) SMTPCheck(ctx context.Context, srv accounts.Server, login accounts.Login, from string, seen *TLSSeen) error {
	for attempt := 0; ; attempt++ {
		c, err := d.SMTPClient(ctx, srv, login, seen)
		if err != nil {
			return err
		}
		sc, err := c.DialToSMTPClientWithContext(ctx)
		if err != nil {
			if login.OAuth() && attempt == 0 && TokenRefused(err) {
				login.Tokens.Invalidate()
				continue
			}
			return SMTPError(srv, err)
		}
		defer sc.Close()
		follow := sc.Noop
		if from != "" {
			follow = func() error {
				if err := sc.Mail(from); err != nil {
					return err
				}
				return sc.Reset()
			}
		}
		if err := follow(); err != nil {
			return ErrSMTPSessionRefused.Wrap(err, fault.P{"host": srv.Host}).WithDetail(smtpReply(err))
		}
		_ = sc.Quit()
		return nil
	}
}

// TokenRefused reports whether an SMTP failure is the server refusing an XOAUTH2 access
// token as invalid or expired (535 or 334 with status 401): a renewed token may pass.
func TokenRefused(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code == 535 || te.Code == 454
	}
	return strings.Contains(err.Error(), "535")
}

// tlsOnly refuses to send a token over an unencrypted connection (go-mail's XOAUTH2 does
// not check).
type tlsOnly struct{ smtp.Auth }

func (a *tlsOnly) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("connect: refusing to send an access token over an unencrypted connection")
	}
	offered := false
	for _, m := range server.Auth {
		offered = offered || strings.EqualFold(m, oauth.XOAuth2Mechanism)
	}
	if !offered {
		return "", nil, fmt.Errorf("connect: the server offers no sign-in with an access token (it offers %s)", strings.Join(server.Auth, ", "))
	}
	return a.Auth.Start(server)
}

// ErrSMTPAuthDisabled is in the chain of SMTPError's answer when Microsoft 365 refuses
// SMTP AUTH for the whole tenant (535 5.7.139): no password will ever work there, so
// callers stop retrying and offer another way to send (errors.Is).
var ErrSMTPAuthDisabled = errors.New("connect: SMTP AUTH is disabled for this mailbox's organisation (5.7.139)")

// SMTPError turns an SMTP failure into words, keeping the server's own answer.
func SMTPError(srv accounts.Server, err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	var ue *UntrustedError
	if errors.As(err, &ue) {
		return untrustedError(ue)
	}
	msg := err.Error()
	var te *textproto.Error
	code := 0
	if errors.As(err, &te) {
		code = te.Code
		msg = te.Msg
	}
	reply := smtpReply(err)
	switch {
	case strings.Contains(msg, "5.7.139"):
		return ErrSMTPAuthDisabledReason.Wrap(fmt.Errorf("%w: %w", ErrSMTPAuthDisabled, err), fault.P{"host": srv.Host}).WithDetail(reply)
	case strings.Contains(msg, "does not support STARTTLS"):
		return ErrSMTPStartTLSMissing.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	case code == 535 || code == 534 || strings.Contains(msg, "535") || strings.Contains(strings.ToLower(msg), "authentication failed"):
		return ErrSMTPAuthFailed.Wrap(err, fault.P{"host": srv.Host}).WithDetail(reply)
	case code == 530 || code == 538:
		return ErrSMTPEncryptionRequired.Wrap(err, fault.P{"host": srv.Host}).WithDetail(reply)
	case code >= 400 && code < 500:
		return ErrSMTPTemporary.Wrap(err, fault.P{"host": srv.Host, "code": code}).WithDetail(reply)
	case code >= 500:
		return ErrSMTPRefused.Wrap(err, fault.P{"host": srv.Host, "code": code}).WithDetail(reply)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return ErrTLSNotOffered.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrSMTPTimeout.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	}
	return ErrSMTPFailed.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
}

// replyRE finds an SMTP reply (its code, then its text) inside a library's error text.
var replyRE = regexp.MustCompile(`\b[2-5][0-9][0-9][ -].*`)

// smtpReply is the server's own words in err: its reply code and text, or "" when err
// holds no reply (a library's or the network's failure, which stay in the cause).
func smtpReply(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		return strings.TrimSpace(fmt.Sprintf("%d %s", te.Code, te.Msg))
	}
	return strings.TrimSpace(replyRE.FindString(err.Error()))
}

// passwordAuth picks PLAIN, else LOGIN, among the mechanisms the server offers, and only
// over TLS. go-mail's own discovery cannot tell that a connection we dialled ourselves
// (for our resolver and certificate checks) is already TLS, so the choice is made here.
type passwordAuth struct {
	username, password, host string
	chosen                   smtp.Auth
}

func (a *passwordAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("connect: refusing to authenticate over an unencrypted connection")
	}
	for _, m := range server.Auth {
		if strings.EqualFold(m, "PLAIN") {
			a.chosen = smtp.PlainAuth("", a.username, a.password, a.host, false)
			return a.chosen.Start(server)
		}
	}
	for _, m := range server.Auth {
		if strings.EqualFold(m, "LOGIN") {
			a.chosen = smtp.LoginAuth(a.username, a.password, a.host, false)
			return a.chosen.Start(server)
		}
	}
	return "", nil, fmt.Errorf("connect: the server offers no password login (it offers %s)", strings.Join(server.Auth, ", "))
}

func (a *passwordAuth) Next(from []byte, more bool) ([]byte, error) {
	return a.chosen.Next(from, more)
}

// smtpLogger sends go-mail's protocol log through a Redactor.
type smtpLogger struct{ r *Redactor }

func (l smtpLogger) line(entry maillog.Log) {
	dir := "C:"
	if entry.Direction == maillog.DirServerToClient {
		dir = "S:"
	}
	fmt.Fprintf(l.r, "%s %s\n", dir, fmt.Sprintf(entry.Format, entry.Messages...))
}

func (l smtpLogger) Debugf(e maillog.Log) { l.line(e) }
func (l smtpLogger) Infof(e maillog.Log)  { l.line(e) }
func (l smtpLogger) Warnf(e maillog.Log)  { l.line(e) }
func (l smtpLogger) Errorf(e maillog.Log) { l.line(e) }
