package oauth

import "testing"

// Microsoft's "common" endpoint signs each token as its own tenant: the issuer must be the
// one of the tenant the token names (tid), never another tenant's, and a token without tid
// matches no tenant issuer. Google's issuers are fixed strings.
func TestTheIssuerIsTheTokensOwnTenantForMicrosoftAndFixedForGoogle(t *testing.T) {
	ms, g := DefaultConfig().Microsoft, DefaultConfig().Google
	const contoso, fabrikam = "72f988bf-86f1-41af-91ab-2d7cd011db47", "9188040d-6c67-4c5b-b112-36a304b66dad"
	for _, tc := range []struct {
		name        string
		p           Provider
		iss, tenant string
		want        bool
	}{
		{"Microsoft, the token's own tenant", ms, "https://login.microsoftonline.com/" + contoso + "/v2.0", contoso, true},
		{"Microsoft, personal accounts' tenant", ms, "https://login.microsoftonline.com/" + fabrikam + "/v2.0", fabrikam, true},
		{"Microsoft, another tenant's issuer", ms, "https://login.microsoftonline.com/" + contoso + "/v2.0", fabrikam, false},
		{"Microsoft, no tid", ms, "https://login.microsoftonline.com/" + contoso + "/v2.0", "", false},
		{"Microsoft, the placeholder itself", ms, "https://login.microsoftonline.com/{tenantid}/v2.0", "", false},
		{"Microsoft, v1 issuer", ms, "https://sts.windows.net/" + contoso + "/", contoso, false},
		{"Google", g, "https://accounts.google.com", "", true},
		{"Google without scheme", g, "accounts.google.com", "", true},
		{"Google, a look-alike", g, "https://accounts.google.com.evil.example", "", false},
	} {
		if got := issuerAccepted(tc.p, tc.iss, tc.tenant); got != tc.want {
			t.Errorf("%s: accepted = %v, want %v", tc.name, got, tc.want)
		}
	}
}
