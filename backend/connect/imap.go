package connect

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/oauth"
)

// IMAP connects, secures and signs in to an account's IMAP server with a password or, for
// an OAuth account, XOAUTH2. The caller closes the client.
func (d *Dialer) IMAP(ctx context.Context, srv accounts.Server, login accounts.Login, opts *imapclient.Options) (*imapclient.Client, error) {
	conn, err := d.dial(ctx, srv)
	if err != nil {
		return nil, err
	}
	c, err := d.IMAPHandshake(ctx, conn, srv, nil, opts, login.Password)
	if err != nil {
		return nil, err
	}
	if err := d.IMAPLogin(ctx, c, conn, srv, login); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// IMAPHandshake secures conn (implicit TLS or STARTTLS) and reads the greeting. seen, if
// not nil, receives the certificate. On error conn is closed.
func (d *Dialer) IMAPHandshake(ctx context.Context, conn net.Conn, srv accounts.Server, seen *TLSSeen, opts *imapclient.Options, secrets ...string) (*imapclient.Client, error) {
	o := imapclient.Options{}
	if opts != nil {
		o = *opts
	}
	if d.Debug != nil {
		o.DebugWriter = NewRedactor(d.Debug, "imap "+srv.Host, secrets...)
	}
	o.TLSConfig = d.tlsConfig(ctx, srv.Host, srv.Port, seen)
	conn.SetDeadline(time.Now().Add(d.timeout()))
	var c *imapclient.Client
	switch srv.Security {
	case accounts.TLS:
		tc := tls.Client(conn, o.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, tlsError(srv, err)
		}
		// oauth.IMAPConn fixes go-imap's empty SASL response (issue #760) that XOAUTH2
		// sends after a refused token; it passes everything else through.
		c = imapclient.New(oauth.IMAPConn(tc), &o)
	case accounts.StartTLS:
		var err error
		c, err = imapclient.NewStartTLS(conn, &o)
		if err != nil {
			conn.Close()
			var ie *imap.Error
			if errors.As(err, &ie) {
				return nil, ErrIMAPStartTLSMissing.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port}).WithDetail(strings.TrimSpace(ie.Text))
			}
			return nil, tlsError(srv, err)
		}
	default:
		conn.Close()
		return nil, ErrSecurityChoice.Field("imap.security", nil)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, ErrIMAPNoGreeting.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	}
	conn.SetDeadline(time.Time{})
	return c, nil
}

// IMAPLogin signs in: LOGIN with the password, or AUTHENTICATE XOAUTH2 with an access
// token (a token the server refuses is renewed once, then the refusal stands). After an
// XOAUTH2 success a STATUS of the inbox confirms the session: a server can accept the token
// and refuse the next command. conn is the connection under c, for the deadline.
func (d *Dialer) IMAPLogin(ctx context.Context, c *imapclient.Client, conn net.Conn, srv accounts.Server, login accounts.Login) error {
	if login.OAuth() {
		return d.imapXOAuth2(ctx, c, conn, srv, login.Tokens)
	}
	if c.Caps().Has(imap.CapLoginDisabled) {
		return ErrIMAPLoginDisabled.New(fault.P{"host": srv.Host})
	}
	conn.SetDeadline(time.Now().Add(d.timeout()))
	defer conn.SetDeadline(time.Time{})
	if err := c.Login(srv.Username, login.Password).Wait(); err != nil {
		return imapLoginError(srv, err)
	}
	return nil
}

func (d *Dialer) imapXOAuth2(ctx context.Context, c *imapclient.Client, conn net.Conn, srv accounts.Server, tokens accounts.TokenSource) error {
	if !c.Caps().Has(imap.Cap("AUTH=" + oauth.XOAuth2Mechanism)) {
		return ErrIMAPNoXOAuth2.New(fault.P{"host": srv.Host})
	}
	for attempt := 0; ; attempt++ {
		tok, err := tokens.Token(ctx)
		if err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(d.timeout()))
		sc := oauth.NewXOAuth2Client(srv.Username, tok.AccessToken)
		err = c.Authenticate(sc)
		conn.SetDeadline(time.Time{})
		if err == nil {
			break
		}
		var ie *imap.Error
		if !errors.As(err, &ie) {
			return ErrIMAPConnectionLost.Wrap(err, fault.P{"host": srv.Host})
		}
		// Go by the server's JSON reason, not the status type (see oauth.IMAPConn).
		if sc.TokenExpired() && attempt == 0 {
			tokens.Invalidate()
			continue
		}
		why := strings.TrimSpace(ie.Text)
		if f := sc.Failure(); f != nil {
			why = fmt.Sprintf("%s (status %s)", why, f.Status)
		}
		return ErrIMAPTokenRefused.Wrap(err, fault.P{"host": srv.Host, "username": srv.Username}).WithDetail(why)
	}
	// Outlook is known to accept the token and then answer every mailbox command with
	// "User is authenticated but not connected": STATUS INBOX is such a command.
	conn.SetDeadline(time.Now().Add(d.timeout()))
	defer conn.SetDeadline(time.Time{})
	if _, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
		return ErrIMAPSessionRefused.Wrap(err, fault.P{"host": srv.Host}).WithDetail(imapText(err))
	}
	return nil
}

func imapLoginError(srv accounts.Server, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodePrivacyRequired:
			return ErrIMAPEncryptionRequired.Wrap(err, fault.P{"host": srv.Host}).WithDetail(strings.TrimSpace(ie.Text))
		case imap.ResponseCodeUnavailable, imap.ResponseCodeServerBug:
			return ErrIMAPUnavailable.Wrap(err, fault.P{"host": srv.Host}).WithDetail(strings.TrimSpace(ie.Text))
		}
		return ErrIMAPAuthFailed.Wrap(err, fault.P{"host": srv.Host}).WithDetail(strings.TrimSpace(ie.Text))
	}
	return ErrIMAPConnectionLost.Wrap(err, fault.P{"host": srv.Host})
}

// tlsError turns a failed handshake into words.
func tlsError(srv accounts.Server, err error) error {
	var ue *UntrustedError
	if errors.As(err, &ue) {
		return untrustedError(ue)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return ErrTLSNotOffered.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTLSTimeout.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
	}
	return ErrTLSFailed.Wrap(err, fault.P{"host": srv.Host, "port": srv.Port})
}

// untrustedError is a certificate that failed verification, with why (an Untrusted* value)
// as its reason param; the certificate itself stays in the chain (*UntrustedError).
func untrustedError(ue *UntrustedError) error {
	return ErrTLSUntrusted.Wrap(ue, fault.P{"host": ue.Host, "port": ue.Port, "reason": ue.Reason})
}

// imapText is an IMAP server's own words in err (its response text), or "".
func imapText(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) {
		return strings.TrimSpace(ie.Text)
	}
	return ""
}
