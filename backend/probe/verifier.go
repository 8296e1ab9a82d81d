package probe

import (
	"context"
	"fmt"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/discovery"
	"mailroom/backend/fault"
)

// Verifier checks discovery's candidates with a real IMAP login (discovery.Verifier).
type Verifier struct {
	Dialer   *connect.Dialer
	Password string
}

// Check logs in to the candidate's IMAP server. A refused password wraps discovery.ErrAuth,
// which stops the search: the servers are right, the password is not.
func (v Verifier) Check(ctx context.Context, c discovery.Candidate) error {
	cl, err := v.Dialer.IMAP(ctx, ServerOf(c.IMAP), accounts.PasswordLogin(v.Password), nil)
	if err != nil {
		if fault.Is(err, fault.AuthFailed) {
			return fmt.Errorf("%w: %w", discovery.ErrAuth, err)
		}
		return err
	}
	_ = cl.Logout().Wait() // the password worked: a refused LOGOUT changes nothing
	cl.Close()
	return nil
}

// ServerOf converts a discovered server to an account's server settings.
func ServerOf(s discovery.Server) accounts.Server {
	return accounts.Server{Host: s.Host, Port: s.Port, Security: accounts.Security(s.Security), Username: s.Username}
}
