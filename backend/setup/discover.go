package setup

import (
	"context"
	"errors"
	"strings"

	"mailroom/backend/discovery"
	"mailroom/backend/fault"
	"mailroom/backend/probe"
)

// Found is what the wizard gets for an address: the verified settings when a password was
// given and a login succeeded (Verified), else the best candidates.
type Found struct {
	Verified bool
	// AuthFailed: the servers were found; the password was refused.
	AuthFailed bool
	Best       *discovery.Candidate
	Candidates []discovery.Candidate
	// Attempts are the candidates tried with the password, and why each failed.
	Attempts []discovery.Attempt
	// ExchangeURL: the domain's preset is Exchange, without IMAP settings.
	ExchangeURL string
	// Failure says why nothing verified is offered (discovery_nothing_found,
	// discovery_none_worked…); nil when something was found or verified.
	Failure error
}

// Discover finds the servers of an address. With a password, candidates are verified by a
// real IMAP login and the first that passes is returned; without one, or when none passed,
// the candidates are returned unverified, best first. A domain preset for Exchange stops
// the search and says so.
func (w *Wizard) Discover(ctx context.Context, email, password string) (Found, error) {
	var out Found
	domain := email[strings.LastIndex(email, "@")+1:]
	if p, err := w.d.Accounts.PresetFor(ctx, domain); err == nil && p != nil && p.ExchangeURL != "" {
		out.ExchangeURL = p.ExchangeURL
		return out, nil
	}
	unverified := func() error {
		cands, err := w.d.Discovery.Discover(ctx, email)
		if err != nil {
			return err
		}
		out.Candidates = cands
		if len(cands) > 0 {
			best := cands[0]
			out.Best = &best
		}
		return nil
	}
	if password == "" {
		if err := unverified(); err != nil {
			return out, err
		}
		if out.Best == nil {
			out.Failure = discovery.ErrNothingFound.New(fault.P{"domain": domain})
		}
		return out, nil
	}
	best, attempts, err := w.d.Discovery.DiscoverVerified(ctx, email, probe.Verifier{Dialer: w.d.Dialer, Password: password})
	out.Attempts = attempts
	switch {
	case err == nil:
		out.Best, out.Verified = &best, true
	case errors.Is(err, discovery.ErrAuth):
		out.Best, out.AuthFailed = &best, true
	case fault.Is(err, fault.InvalidInput):
		return out, err
	default:
		// Nothing passed: offer the best unverified candidate to edit by hand.
		out.Failure = err
		_ = unverified()
	}
	return out, nil
}
