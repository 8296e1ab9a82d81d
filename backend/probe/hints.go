package probe

import (
	"strconv"
	"strings"

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

func hint(s Step, t Target) (code string, params map[string]string, text string) {
	params = map[string]string{"host": s.Host, "port": strconv.Itoa(s.Port)}
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
