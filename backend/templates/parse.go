package templates

import (
	"html"
	"strings"
	"unicode/utf8"

	"mailroom/backend/fault"
)

// A template's text is its own words with placeholders in double braces:
//
//	Bonjour {{contact.first_name | default: "Madame, Monsieur"}},
//	la facture {{facture.numero}} arrive à échéance le {{facture.echeance}}.
//
// A placeholder is a path (a type's key and a field's key: contact.first_name,
// facture.echeance; or user.name, account.address) and at most one filter, default, whose
// quoted text stands in for an empty value. That is Liquid's syntax for output — and all of
// it a template may hold: no tags, no loops, no other filters, nothing that calls code.

// placeholder is one {{…}} of a part.
type placeholder struct {
	raw  string // as written, braces included (what errors name)
	ns   string // contact, facture, user, account
	key  string // first_name
	def  string // the default's text
	has  bool   // a default is given (it may be empty)
	path string // ns.key
}

// segment is a run of literal text or one placeholder.
type segment struct {
	text string
	ph   *placeholder
}

// maxPlaceholderBytes bounds one placeholder, braces included.
const maxPlaceholderBytes = 1000

// parse splits a part into text and placeholders. In the HTML part a placeholder's inside
// is read after decoding character references (an editor writes the quotes of a default
// inside an attribute as &quot;).
func parse(src string, inHTML bool) ([]segment, error) {
	var out []segment
	for {
		i := strings.Index(src, "{{")
		if i < 0 {
			if src != "" {
				out = append(out, segment{text: src})
			}
			return out, nil
		}
		if i > 0 {
			out = append(out, segment{text: src[:i]})
		}
		end := closing(src[i+2:])
		if end < 0 {
			return nil, ErrPlaceholderUnclosed.New(fault.P{"placeholder": clip(src[i:], 40)})
		}
		raw := src[i : i+2+end+2]
		inner := raw[2 : len(raw)-2]
		if inHTML {
			inner = html.UnescapeString(inner)
		}
		ph, err := parsePlaceholder(raw, inner)
		if err != nil {
			return nil, err
		}
		out = append(out, segment{ph: ph})
		src = src[i+len(raw):]
	}
}

// closing finds the "}}" that closes a placeholder, skipping quoted text; -1 if none.
func closing(s string) int {
	var quote byte
	for i := 0; i < len(s) && i < maxPlaceholderBytes; i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			return -1 // a placeholder opened inside another: the first is not closed
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			return i
		}
	}
	return -1
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// parsePlaceholder reads `path` or `path | default: "text"`.
func parsePlaceholder(raw, inner string) (*placeholder, error) {
	bad := ErrPlaceholderSyntax.New(fault.P{"placeholder": raw})
	ph := &placeholder{raw: raw}
	path, rest, piped := strings.Cut(inner, "|")
	path = strings.TrimSpace(path)
	ns, key, ok := strings.Cut(path, ".")
	if !ok || !ident(ns) || !ident(key) {
		return nil, bad
	}
	ph.ns, ph.key, ph.path = strings.ToLower(ns), strings.ToLower(key), strings.ToLower(path)
	if !piped {
		return ph, nil
	}
	rest = strings.TrimSpace(rest)
	name, arg, hasArg := strings.Cut(rest, ":")
	name = strings.TrimSpace(name)
	if name != "default" {
		if ident(name) {
			return nil, ErrFilterUnknown.New(fault.P{"placeholder": raw, "filter": name})
		}
		return nil, bad
	}
	if !hasArg {
		return nil, bad
	}
	text, ok := quoted(strings.TrimSpace(arg))
	if !ok {
		return nil, bad
	}
	ph.def, ph.has = text, true
	return ph, nil
}

// ident: a key as records makes them (ASCII letters, digits, underscores).
func ident(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// quoted reads one "…" or '…' string and nothing after it; \" and \\ escape.
func quoted(s string) (string, bool) {
	if len(s) < 2 || (s[0] != '"' && s[0] != '\'') || s[len(s)-1] != s[0] {
		return "", false
	}
	q := s[0]
	var b strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && i+1 < len(body) {
			i++
			b.WriteByte(body[i])
			continue
		}
		if c == q {
			return "", false // a quote in the middle: more than one string
		}
		b.WriteByte(c)
	}
	return b.String(), true
}
