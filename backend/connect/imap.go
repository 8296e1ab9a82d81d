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
				return nil, fault.Wrap(fault.TLSRequired, fmt.Sprintf("%s does not offer STARTTLS on port %d, so the connection cannot be encrypted. Mailroom never sends a password unencrypted: use the TLS port (usually 993) or ask your provider.", srv.Host, srv.Port), err)
			}
			return nil, tlsError(srv, err)
		}
	default:
		conn.Close()
		return nil, fault.Invalid("imap.security", "Choose TLS or STARTTLS.")
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fault.Wrap(fault.Network, fmt.Sprintf("%s did not greet as an IMAP server on port %d. Check the port.", srv.Host, srv.Port), err)
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
		return fault.New(fault.TLSRequired, fmt.Sprintf("%s refuses to log in on this connection (LOGINDISABLED).", srv.Host))
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
		return fault.New(fault.ProviderRejected, fmt.Sprintf("%s does not offer sign-in with an access token (AUTH=XOAUTH2) on this connection: check the server settings.", srv.Host))
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
			return fault.Wrap(fault.Network, fmt.Sprintf("The connection to %s was lost while signing in.", srv.Host), err)
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
		return fault.Wrap(fault.AuthFailed, fmt.Sprintf("%s refused Mailroom's access token for %s: %s. Sign in again.", srv.Host, srv.Username, why), err)
	}
	// Outlook is known to accept the token and then answer every mailbox command with
	// "User is authenticated but not connected": STATUS INBOX is such a command.
	conn.SetDeadline(time.Now().Add(d.timeout()))
	defer conn.SetDeadline(time.Time{})
	if _, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
		return fault.Wrap(fault.AuthFailed, fmt.Sprintf("%s accepted the sign-in, then refused the session (%v). Sign in again, or check the account with your provider.", srv.Host, err), err)
	}
	return nil
}

func imapLoginError(srv accounts.Server, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodePrivacyRequired:
			return fault.Wrap(fault.TLSRequired, fmt.Sprintf("%s requires an encrypted connection to log in.", srv.Host), err)
		case imap.ResponseCodeUnavailable, imap.ResponseCodeServerBug:
			return fault.Wrap(fault.ProviderRejected, fmt.Sprintf("%s is temporarily unavailable: %s", srv.Host, ie.Text), err)
		}
		return fault.Wrap(fault.AuthFailed, fmt.Sprintf("%s refused the username or password (%s).", srv.Host, strings.TrimSpace(ie.Text)), err)
	}
	return fault.Wrap(fault.Network, fmt.Sprintf("The connection to %s was lost while logging in.", srv.Host), err)
}

// tlsError turns a failed handshake into words.
func tlsError(srv accounts.Server, err error) error {
	var ue *UntrustedError
	if errors.As(err, &ue) {
		return fault.Wrap(fault.TLSUntrusted, untrustedMessage(ue), ue)
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return fault.Wrap(fault.TLSRequired, fmt.Sprintf("%s did not answer with TLS on port %d: this port may expect STARTTLS (usually 143 or 587) instead.", srv.Host, srv.Port), err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fault.Wrap(fault.Network, fmt.Sprintf("%s did not complete the secure connection on port %d in time.", srv.Host, srv.Port), err)
	}
	return fault.Wrap(fault.Network, fmt.Sprintf("The secure connection to %s on port %d failed.", srv.Host, srv.Port), err)
}

func untrustedMessage(ue *UntrustedError) string {
	switch ue.Reason {
	case UntrustedExpired:
		return fmt.Sprintf("The certificate of %s expired on %s.", ue.Host, ue.Cert.NotAfter.Format("2006-01-02"))
	case UntrustedHost:
		return fmt.Sprintf("The certificate presented by %s was issued for another name (%s).", ue.Host, strings.Join(ue.Cert.DNSNames, ", "))
	case UntrustedChanged:
		return fmt.Sprintf("The certificate of %s changed since you trusted it. Check with your provider before trusting the new one.", ue.Host)
	case UntrustedAuthority:
		return fmt.Sprintf("The certificate of %s is self-signed or from an unknown authority.", ue.Host)
	}
	return fmt.Sprintf("The certificate of %s is not valid.", ue.Host)
}
