package connect

import (
	"bytes"
	"encoding/base64"
	"io"
	"regexp"
	"sync"
)

// Redactor is a protocol log writer that never lets a credential through: it masks the
// arguments of IMAP LOGIN and AUTHENTICATE, SMTP AUTH, and every occurrence of the secrets
// it was given (plain, and base64 as SASL sends them). It works line by line, so a secret
// split across two writes is still seen whole.
type Redactor struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  []byte
	buf     []byte
	secrets [][]byte
}

// maxLine bounds how much a Redactor holds while waiting for an end of line.
const maxLine = 64 << 10

// NewRedactor writes lines to w, each prefixed with prefix.
func NewRedactor(w io.Writer, prefix string, secrets ...string) *Redactor {
	r := &Redactor{w: w, prefix: []byte(prefix + " ")}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r.secrets = append(r.secrets, []byte(s), []byte(base64.StdEncoding.EncodeToString([]byte(s))))
	}
	return r
}

// AddSecret masks one more value (e.g. a SASL blob built from the password).
func (r *Redactor) AddSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s != "" {
		r.secrets = append(r.secrets, []byte(s), []byte(base64.StdEncoding.EncodeToString([]byte(s))))
	}
}

var (
	loginLine = regexp.MustCompile(`(?i)^(\S+ (?:UID )?LOGIN) .*$`)
	authLine  = regexp.MustCompile(`(?i)^((?:\S+ )?AUTH(?:ENTICATE)? \S+) \S+.*$`)
	// A bare base64 line of some length is a SASL response in a continuation.
	saslLine = regexp.MustCompile(`^[A-Za-z0-9+/]{12,}={0,2}$`)
)

func (r *Redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	for {
		i := bytes.IndexByte(r.buf, '\n')
		if i < 0 {
			if len(r.buf) > maxLine {
				r.emit(r.buf)
				r.buf = r.buf[:0]
			}
			return len(p), nil
		}
		r.emit(r.buf[:i])
		r.buf = r.buf[i+1:]
	}
}

func (r *Redactor) emit(line []byte) {
	line = bytes.TrimRight(line, "\r")
	out := make([]byte, 0, len(line)+len(r.prefix)+1)
	out = append(out, r.prefix...)
	switch {
	case loginLine.Match(line):
		out = append(out, loginLine.ReplaceAll(line, []byte("$1 ***"))...)
	case authLine.Match(line):
		out = append(out, authLine.ReplaceAll(line, []byte("$1 ***"))...)
	case saslLine.Match(line):
		out = append(out, "***"...)
	default:
		masked := line
		for _, s := range r.secrets {
			masked = bytes.ReplaceAll(masked, s, []byte("***"))
		}
		out = append(out, masked...)
	}
	out = append(out, '\n')
	_, _ = r.w.Write(out)
}
