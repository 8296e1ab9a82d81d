package discovery

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mailroom/backend/fault"
)

// ErrAuth is what a Verifier wraps when the server refused the credentials: the servers
// are right, the password is wrong, and trying other settings would not help.
var ErrAuth = errors.New("discovery: authentication failed")

// Verifier checks a candidate for real, typically by logging in to its IMAP server with
// the user's password. The connection test implements it; its error wraps ErrAuth when
// the server refused the credentials.
type Verifier interface {
	Check(ctx context.Context, c Candidate) error
}

// Attempt is one candidate tried by DiscoverVerified and what the check said (nil: passed).
type Attempt struct {
	Candidate Candidate
	Err       error
}

// VerifyError says that no candidate passed the check. It keeps every attempt, so the UI
// can show what was tried and why each failed.
type VerifyError struct {
	Domain   string
	Attempts []Attempt
}

func (e *VerifyError) Error() string {
	if len(e.Attempts) == 0 {
		return fmt.Sprintf("discovery: no server settings found for %s", e.Domain)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "discovery: none of %d candidates for %s passed the check", len(e.Attempts), e.Domain)
	for _, at := range e.Attempts {
		fmt.Fprintf(&b, "; %s %s:%d: %v", at.Candidate.Source, at.Candidate.IMAP.Host, at.Candidate.IMAP.Port, at.Err)
	}
	return b.String()
}

// Unwrap gives the attempts' errors, so errors.Is sees, say, a timeout in any of them.
func (e *VerifyError) Unwrap() []error {
	var errs []error
	for _, at := range e.Attempts {
		if at.Err != nil {
			errs = append(errs, at.Err)
		}
	}
	return errs
}

// DiscoverVerified discovers the candidates for email and checks them with v in order,
// returning the first that passes and every attempt made. A candidate that fails the
// check (a source that lied, a server that is down) is skipped. When a check fails with
// ErrAuth the search stops: that candidate is returned with the error (code auth_failed),
// since its servers answered and only the credentials are wrong. Candidates whose servers
// accept only a sign-in (Auth.SignInOnly) are never given the password; when the best one
// is such, it is returned at once with ErrSignInOnly (code auth_failed). When none passes, the
// error (code not_found or network) wraps a *VerifyError keeping the attempts.
func (d *Discoverer) DiscoverVerified(ctx context.Context, email string, v Verifier) (Candidate, []Attempt, error) {
	if v == nil {
		return Candidate{}, nil, errors.New("discovery: DiscoverVerified needs a Verifier")
	}
	cands, err := d.Discover(ctx, email)
	if err != nil {
		return Candidate{}, nil, err
	}
	var attempts []Attempt
	for i, c := range cands {
		if c.Auth.SignInOnly() {
			// A password cannot work here: never sent. When the best source says so, the
			// search stops: the user is sent to the sign-in (or told Mailroom lacks it).
			err := ErrSignInOnly.New(fault.P{"host": c.IMAP.Host, "signIn": c.SignIn})
			attempts = append(attempts, Attempt{Candidate: c, Err: err})
			if i == 0 {
				return c, attempts, err
			}
			continue
		}
		err := d.check(ctx, v, c)
		attempts = append(attempts, Attempt{Candidate: c, Err: err})
		switch {
		case err == nil:
			return c, attempts, nil
		case errors.Is(err, ErrAuth):
			err = fmt.Errorf("discovery: sign-in at %s: %w", c.IMAP.Host, err)
			if _, isFault := errors.AsType[*fault.Error](err); !isFault {
				err = ErrPasswordRefused.Wrap(err, fault.P{"host": c.IMAP.Host})
			}
			return c, attempts, err
		case ctx.Err() != nil:
			return Candidate{}, attempts, fmt.Errorf("discovery: %w", ctx.Err())
		}
	}
	verr := &VerifyError{Domain: domainOf(email), Attempts: attempts}
	if len(attempts) == 0 {
		return Candidate{}, attempts, ErrNothingFound.Wrap(verr, fault.P{"domain": verr.Domain})
	}
	return Candidate{}, attempts, ErrNoneWorked.Wrap(verr, fault.P{"domain": verr.Domain, "count": len(attempts)})
}

// check runs one Verifier.Check, bounded, a panic turned into an error.
func (d *Discoverer) check(ctx context.Context, v Verifier, c Candidate) (err error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.CheckTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("discovery: verifier panicked: %v", r)
		}
	}()
	return v.Check(ctx, c)
}

func domainOf(email string) string {
	if a, err := parseAddress(email); err == nil {
		return a.Domain
	}
	return ""
}
