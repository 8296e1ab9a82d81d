package probe

import (
	"errors"
	"strconv"
	"strings"

	"mailroom/backend/connect"
	"mailroom/backend/fault"
)

// A hint is the likely cause and fix of a failed step. The UI translates HintCode with
// Params; Text is the English original.
type hintText struct {
	code string
	text string
}

// Provider-specific fixes for a refused password (F4: "Gmail refuses your normal password:
// use an app password or Sign in with Google").
var authHints = map[string]hintText{
	"gmail":      {"auth_gmail", "Gmail refuses your normal password: use an app password (Google account → Security → App passwords) or Sign in with Google."},
	"outlook":    {"auth_microsoft", "Microsoft refuses passwords for most accounts: use Sign in with Microsoft, or an app password if your account has two-step verification."},
	"icloud":     {"auth_icloud", "iCloud needs an app-specific password: create one at appleid.apple.com → Sign-In and Security → App-Specific Passwords."},
	"yahoo":      {"auth_app_password", "Yahoo needs an app password: create one in your Yahoo account's security settings."},
	"aol":        {"auth_app_password", "AOL needs an app password: create one in your AOL account's security settings."},
	"gmx":        {"auth_enable_imap", "Check the password, and that IMAP access is enabled in GMX's settings (E-Mail → POP3/IMAP)."},
	"webde":      {"auth_enable_imap", "Check the password, and that IMAP access is enabled in WEB.DE's settings (E-Mail → POP3/IMAP)."},
	"fastmail":   {"auth_app_password", "Fastmail needs an app password: create one under Settings → Privacy & Security → App passwords."},
	"zoho":       {"auth_enable_imap", "Check the password, and that IMAP access is enabled in Zoho Mail's settings (and use an app password with two-factor authentication)."},
	"orange":     {"auth_generic", "Check the password of your Orange mailbox (the one of your Orange customer area's mail)."},
	"free":       {"auth_generic", "Check the password, and that IMAP is enabled in your Free mailbox settings (Zimbra)."},
	"sfr":        {"auth_generic", "Check the password of your SFR mailbox."},
	"laposte":    {"auth_generic", "Check the password of your La Poste mailbox."},
	"ovh":        {"auth_generic", "Check the password of this address in your OVH control panel."},
	"infomaniak": {"auth_generic", "Check the password of this address in Infomaniak's Mail manager; with two-factor authentication, use an application password."},
}

func hint(s Step, t Target, err error, extra map[string]string) (code string, params map[string]string, text string) {
	params = map[string]string{"host": s.Host, "port": strconv.Itoa(s.Port)}
	switch s.Name {
	case PostmarkSender, MailgunDomain, MailgunFrom:
		for k, v := range extra {
			params[k] = v
		}
		return apiHint(s, err, params)
	}
	if s.Name == SMTPLogin && errors.Is(err, connect.ErrSMTPAuthDisabled) {
		return "smtp_auth_disabled", params, "Microsoft 365 has turned off sending with a password (SMTP AUTH) for this organisation. " +
			"An administrator of the Microsoft 365 tenant must enable Authenticated SMTP for this mailbox (Microsoft 365 admin center → Users → the user → Mail → Manage email apps), " +
			"and the tenant's security defaults must allow it. Or send this account's mail through Postmark or Mailgun instead."
	}
	switch s.Code {
	case fault.AuthFailed:
		if h, ok := authHints[t.Provider]; ok {
			return h.code, params, h.text
		}
		return "auth_generic", params, "Check the username and password. If your provider uses two-step verification, create an app password and use it here."
	case fault.TLSUntrusted:
		if s.Cert != nil {
			params["sha256"] = s.Cert.SHA256
		}
		return "tls_untrusted", params, "If this is your own or your company's server, compare the certificate's fingerprint with your administrator, then choose Trust this certificate. Otherwise do not connect: someone may be intercepting the connection."
	case fault.TLSRequired:
		if s.Name == SMTPLogin {
			return "tls_required_smtp", params, "Use port 465 with TLS or port 587 with STARTTLS, as your provider documents."
		}
		return "tls_required_imap", params, "Use port 993 with TLS or port 143 with STARTTLS, as your provider documents."
	case fault.Network:
		switch {
		case s.Name == DNS:
			return "dns", params, "Check the server name's spelling, and that this computer is online."
		case strings.Contains(s.Message, "refused"):
			return "refused", params, "Check the port: IMAP uses 993 (TLS) or 143 (STARTTLS), SMTP 465 (TLS) or 587 (STARTTLS)."
		case strings.Contains(s.Message, "did not answer"), strings.Contains(s.Message, "in time"):
			return "timeout", params, "The server did not answer: check the port, and whether a firewall or your network blocks it."
		}
		return "network", params, "Check this computer's connection and the server's name and port."
	case fault.ProviderRejected:
		return "provider", params, "The server refused; its own answer is shown above."
	}
	return "generic", params, "Check the settings and try again."
}

// apiHint is the fix for a failed API sender check. The provider packages' messages
// already say what to do at the provider, in English, with the provider's words; the code
// names that fix for the UI's translation.
func apiHint(s Step, err error, params map[string]string) (string, map[string]string, string) {
	field := ""
	var fe *fault.Error
	if errors.As(err, &fe) {
		field = fe.Field
	}
	switch {
	case s.Code == fault.Network:
		return "api_network", params, s.Message
	case s.Name == PostmarkSender && s.Code == fault.AuthFailed:
		return "postmark_token", params, s.Message
	case s.Name == PostmarkSender && field == "from" && strings.Contains(s.Message, "not confirmed"):
		return "postmark_unconfirmed", params, s.Message
	case s.Name == PostmarkSender && field == "from":
		return "postmark_signature", params, s.Message
	case s.Name == PostmarkSender:
		return "postmark_generic", params, s.Message
	case s.Code == fault.AuthFailed:
		return "mailgun_key", params, s.Message
	case field == "region":
		return "mailgun_region", params, s.Message
	case s.Name == MailgunFrom:
		return "mailgun_from", params, s.Message
	case s.Name == MailgunDomain && strings.Contains(s.Message, "not verified"):
		return "mailgun_unverified", params, s.Message
	case s.Name == MailgunDomain:
		return "mailgun_domain", params, s.Message
	}
	return "api_generic", params, s.Message
}
