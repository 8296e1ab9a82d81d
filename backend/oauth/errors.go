package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/oauth2"

	"mailroom/backend/fault"
)

// Sentinels, found with errors.Is inside the *fault.Error the functions return.
var (
	// ErrCancelled: the user declined in the browser (error=access_denied).
	ErrCancelled = errors.New("oauth: sign-in cancelled")
	// ErrTimeout: the browser never came back.
	ErrTimeout = errors.New("oauth: sign-in timed out")
	// ErrStopped: the flow was closed by the app before an answer came.
	ErrStopped = errors.New("oauth: sign-in stopped")
	// ErrState: the redirect carried no state, or another one (a forged or stale answer).
	ErrState = errors.New("oauth: state missing or mismatched")
	// ErrWrongAccount: the address that signed in is not the one being connected.
	ErrWrongAccount = errors.New("oauth: signed in with another address")
	// ErrNeedsSignIn: the grant is gone (invalid_grant, revoked, expired, or never saved);
	// only signing in again helps, so callers must not retry.
	ErrNeedsSignIn = errors.New("oauth: needs sign-in")
)

// providerError is the provider's refusal reduced to its code and description: the raw
// response body is not kept, so nothing a provider echoes back can reach a log.
type providerError struct {
	Status      int
	Code        string
	Description string
}

func (e *providerError) Error() string {
	s := fmt.Sprintf("token endpoint answered %d %s", e.Status, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// signInCodes are the token endpoint's answers that only a new sign-in cures: the grant is
// invalid, revoked or expired, or (Microsoft) the user must interact again (MFA, consent).
var signInCodes = map[string]bool{
	"invalid_grant": true, "interaction_required": true, "consent_required": true, "login_required": true,
}

// classify turns a failed token request into an error for people; secrets are masked from
// the provider's description in case it quotes them. An answer that only a new sign-in cures
// comes back as a bare *providerError, for the caller to word (a refused code, a dead grant).
func classify(p Provider, err error, what string, secrets ...string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		pe := &providerError{Code: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			pe.Status = re.Response.StatusCode
		}
		for _, s := range secrets {
			if s != "" {
				pe.Description = strings.ReplaceAll(pe.Description, s, "***")
			}
		}
		switch {
		case signInCodes[re.ErrorCode]:
			return pe
		case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
			return ErrClientRefused.Wrap(fmt.Errorf("%s: %w", what, pe), fault.P{"provider": p.Name}).WithDetail(describe(pe))
		case pe.Status >= 500 || pe.Status == 429:
			return ErrProviderUnavailable.Wrap(fmt.Errorf("%s: %w", what, pe), fault.P{"provider": p.Name, "status": pe.Status})
		}
		return ErrProviderRefused.Wrap(fmt.Errorf("%s: %w", what, pe), fault.P{"provider": p.Name}).WithDetail(describe(pe))
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return ErrUnreachable.Wrap(fmt.Errorf("%s: %w", what, err), fault.P{"provider": p.Name})
	}
	return ErrUnreadable.Wrap(fmt.Errorf("%s: %w", what, err), fault.P{"provider": p.Name})
}

func describe(pe *providerError) string {
	if pe.Description != "" {
		return pe.Description + " (" + pe.Code + ")"
	}
	if pe.Code != "" {
		return pe.Code
	}
	return fmt.Sprintf("HTTP %d", pe.Status)
}
