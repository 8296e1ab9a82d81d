package probe

import (
	"errors"
	"strconv"
	"strings"

	"mailroom/backend/connect"
	"mailroom/backend/fault"
)

// A hint is the likely fix of a failed step: a stable code (HintCode) that the UI words
// with the step's Params, never an English sentence. authHints are the provider-specific
// fixes for a refused password (F4: "Gmail refuses your normal password: use an app
// password or Sign in with Google"); a provider not listed gets auth_generic.
var authHints = map[string]string{
	"gmail":      "auth_gmail",
	"outlook":    "auth_microsoft",
	"icloud":     "auth_icloud",
	"yahoo":      "auth_app_password",
	"aol":        "auth_app_password",
	"fastmail":   "auth_app_password",
	"gmx":        "auth_enable_imap",
	"webde":      "auth_enable_imap",
	"zoho":       "auth_enable_imap",
	"orange":     "auth_generic",
	"free":       "auth_generic",
	"sfr":        "auth_generic",
	"laposte":    "auth_generic",
	"ovh":        "auth_generic",
	"infomaniak": "auth_generic",
}

// hint names the fix of a failed step, with the params its words use (host, port, and an
// API check's own: from, domain, region…; sha256 for an untrusted certificate).
func hint(s Step, t Target, err error, extra map[string]string) (code string, params map[string]string) {
	params = map[string]string{"host": s.Host, "port": strconv.Itoa(s.Port)}
	switch s.Name {
	case PostmarkSender, MailgunDomain, MailgunFrom:
		for k, v := range extra {
			params[k] = v
		}
		return apiHint(s, err), params
	}
	if s.Name == SMTPLogin && errors.Is(err, connect.ErrSMTPAuthDisabled) {
		return "smtp_auth_disabled", params
	}
	switch s.Code {
	case fault.AuthFailed:
		if h, ok := authHints[t.Provider]; ok {
			return h, params
		}
		return "auth_generic", params
	case fault.TLSUntrusted:
		if s.Cert != nil {
			params["sha256"] = s.Cert.SHA256
		}
		return "tls_untrusted", params
	case fault.TLSRequired:
		if s.Name == SMTPLogin {
			return "tls_required_smtp", params
		}
		return "tls_required_imap", params
	case fault.Network:
		switch {
		case s.Name == DNS || connect.ErrServerNotFound.Is(err):
			return "dns", params
		case connect.ErrConnectionRefused.Is(err):
			return "refused", params
		case connect.ErrServerTimeout.Is(err), connect.ErrTLSTimeout.Is(err), connect.ErrSMTPTimeout.Is(err):
			return "timeout", params
		}
		return "network", params
	case fault.ProviderRejected:
		return "provider", params
	}
	return "generic", params
}

// apiHint is the fix for a failed API sender check, chosen by the step, the error's code
// and field, and what the provider said was wrong (its reason, or for an error built
// without one, the words of its log text).
func apiHint(s Step, err error) string {
	field := ""
	var fe *fault.Error
	if errors.As(err, &fe) {
		field = fe.Field
	}
	says := func(words ...string) bool {
		if fe == nil {
			return false
		}
		for _, w := range words {
			if strings.Contains(fe.Reason, strings.ReplaceAll(w, " ", "_")) || strings.Contains(fe.Message, w) {
				return true
			}
		}
		return false
	}
	switch {
	case s.Code == fault.Network:
		return "api_network"
	case s.Name == PostmarkSender && s.Code == fault.AuthFailed:
		return "postmark_token"
	case s.Name == PostmarkSender && field == "from" && says("not confirmed", "unconfirmed"):
		return "postmark_unconfirmed"
	case s.Name == PostmarkSender && field == "from":
		return "postmark_signature"
	case s.Name == PostmarkSender:
		return "postmark_generic"
	case s.Code == fault.AuthFailed:
		return "mailgun_key"
	case field == "region":
		return "mailgun_region"
	case s.Name == MailgunFrom:
		return "mailgun_from"
	case s.Name == MailgunDomain && says("not verified", "unverified"):
		return "mailgun_unverified"
	case s.Name == MailgunDomain:
		return "mailgun_domain"
	}
	return "api_generic"
}
