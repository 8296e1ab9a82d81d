package setup

import (
	"context"
	"testing"

	"mailroom/backend/discovery"
	"mailroom/backend/internal/testkit/testdns"
)

// An address on Microsoft 365 (found by its domain's MX) with a password typed: the
// wizard's discovery never sends the password to servers that take only Microsoft's
// sign-in, and hands the settings step the candidate marked sign-in only with the
// sign-in that fits, so the step shows no password form (frontend: signInOnlyServers).
func TestDiscoverHandsTheSettingsStepASignInOnlyCandidate(t *testing.T) {
	r := newRig(t)
	z := testdns.New(t)
	z.Add(t, "cabinet-durand.test. 300 IN MX 0 cabinet-durand-test.mail.protection.outlook.com.")
	r.w.d.Discovery = discovery.New(discovery.Options{Resolver: discovery.NewDNSServerResolver(z.Addr), ISPDBURL: discovery.ISPDBOff})

	found, err := r.w.Discover(context.Background(), "camille@cabinet-durand.test", "a-password-that-cannot-work")
	if err != nil {
		t.Fatal(err)
	}
	if found.Verified || found.AuthFailed {
		t.Fatalf("verified %v, auth failed %v: the password was judged", found.Verified, found.AuthFailed)
	}
	if !discovery.ErrSignInOnly.Is(found.Failure) {
		t.Fatalf("failure %v, want discovery_sign_in_only", found.Failure)
	}
	b := found.Best
	if b == nil || b.Provider != "microsoft365" || b.SignIn != discovery.SignInMicrosoft || !b.Auth.SignInOnly() || b.Auth.Password() {
		t.Fatalf("best %+v, want Microsoft 365's servers, sign-in only", b)
	}
	if b.IMAP.Host != "outlook.office365.com" || b.SMTP.Host != "smtp.office365.com" {
		t.Fatalf("servers %s / %s", b.IMAP.Host, b.SMTP.Host)
	}
	for _, a := range found.Attempts {
		if !discovery.ErrSignInOnly.Is(a.Err) {
			t.Fatalf("an attempt at %s was made with the password: %v", a.Candidate.IMAP.Host, a.Err)
		}
	}
}
