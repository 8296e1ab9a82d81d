package discovery

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"mailroom/backend/fault"
)

// ErrInvalidAddress is wrapped by the error Discover returns for a string that is not an
// email address Mailroom can look up.
var ErrInvalidAddress = errors.New("discovery: invalid email address")

// Limits of an address (RFC 5321 §4.5.3.1).
const (
	maxLocalPart = 64
	maxDomain    = 253
)

// address is a checked email address: Local@Domain, the domain in lower case.
type address struct {
	Email  string
	Local  string
	Domain string
}

// parseAddress checks s as a bare address (no display name) with a public-looking domain:
// at least two labels of letters, digits and hyphens. Internationalised domains must be
// typed in their ASCII (xn--) form.
func parseAddress(s string) (address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return address{}, invalid(ErrAddressMissing, nil)
	}
	if strings.ContainsAny(s, "<>") {
		return address{}, invalid(ErrAddressWithName, nil)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return address{}, invalid(ErrAddressForm, nil)
	}
	local, domain := s[:at], normalizeHost(s[at+1:])
	if local == "" || domain == "" {
		return address{}, invalid(ErrAddressForm, nil)
	}
	if !validLocalPart(local) {
		return address{}, invalid(ErrAddressLocalPart, nil)
	}
	for _, r := range domain {
		if r >= utf8.RuneSelf {
			return address{}, invalid(ErrAddressNotASCII, fault.P{"domain": domain})
		}
	}
	if len(domain) > maxDomain || !strings.Contains(domain, ".") || !validHost(domain) || isIP(domain) {
		return address{}, invalid(ErrAddressDomain, nil)
	}
	return address{Email: local + "@" + domain, Local: local, Domain: domain}, nil
}

func invalid(r *fault.Reason, p fault.P) error {
	return r.Wrap(ErrInvalidAddress, p).WithField("email")
}

// validLocalPart accepts a dot-atom (RFC 5322), with UTF-8 letters allowed (RFC 6531).
// Quoted local parts are refused: no provider Mailroom targets hands them out.
func validLocalPart(l string) bool {
	if len(l) > maxLocalPart || !utf8.ValidString(l) {
		return false
	}
	if l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return false
	}
	for _, r := range l {
		switch {
		case r >= utf8.RuneSelf:
			if !unicode.IsPrint(r) || unicode.IsSpace(r) {
				return false
			}
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r):
		default:
			return false
		}
	}
	return true
}

func isIP(h string) bool {
	// validHost accepts addresses for servers; an address's domain must be a name.
	return strings.Trim(h, "0123456789.") == "" || strings.Contains(h, ":")
}

// Mozilla autoconfig placeholders (also accepted in domain presets).
var placeholders = []string{"%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%"}

// expand resolves the placeholders in s.
func (a address) expand(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	return strings.NewReplacer(
		placeholders[0], a.Email,
		placeholders[1], a.Local,
		placeholders[2], a.Domain,
	).Replace(s)
}

// username resolves a username template: empty, or left with an unknown placeholder, it
// is the full address.
func (a address) username(tmpl string) string {
	u := strings.TrimSpace(a.expand(tmpl))
	if u == "" || strings.Contains(u, "%EMAIL") || strings.ContainsFunc(u, unicode.IsControl) {
		return a.Email
	}
	return u
}
