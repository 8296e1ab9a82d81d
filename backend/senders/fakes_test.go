package senders_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Postmark's fake is backend/internal/testkit/testpostmark (the one the postmark package and the browser
// tests use). Mailgun's package tests every error code against a fuller fake; this one
// follows the same documented requests and answers, enough to drive the factory's
// transports, the wizard's checks and the outbox end to end.

// mailgunFake: basic auth "api" + key, POST /v3/{domain}/messages.mime (multipart "to" and
// "message"), GET /v3/domains/{domain} with its state and sending DNS records; errors as
// {"message": …}, 401 as a bare "Forbidden".
//
//	https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
//	https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type mailgunFake struct {
	*httptest.Server
	key string

	mu      sync.Mutex
	domains map[string]string // name → state
	mimes   []mailgunMIME
}

type mailgunMIME struct {
	Domain  string
	To      []string
	Message string
}

func newMailgunFake(t *testing.T, key string) *mailgunFake {
	t.Helper()
	f := &mailgunFake{key: key, domains: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *mailgunFake) sent() []mailgunMIME {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mailgunMIME(nil), f.mimes...)
}

func (f *mailgunFake) serve(w http.ResponseWriter, r *http.Request) {
	if user, pass, _ := r.BasicAuth(); user != "api" || pass != f.key {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "Forbidden")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v3/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "messages.mime":
		if _, ok := f.domains[parts[0]]; !ok {
			answer(w, http.StatusNotFound, map[string]string{"message": "Domain not found: " + parts[0]})
			return
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			answer(w, http.StatusBadRequest, map[string]string{"message": "'message' parameter is missing"})
			return
		}
		m := mailgunMIME{Domain: parts[0], To: r.MultipartForm.Value["to"]}
		if fh := r.MultipartForm.File["message"]; len(fh) == 1 {
			file, _ := fh[0].Open()
			b, _ := io.ReadAll(file)
			file.Close()
			m.Message = string(b)
		}
		f.mimes = append(f.mimes, m)
		answer(w, http.StatusOK, map[string]string{
			"id": fmt.Sprintf("<20111114174239.25659.%d@%s>", len(f.mimes), parts[0]), "message": "Queued. Thank you."})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "domains":
		state, ok := f.domains[parts[1]]
		if !ok {
			answer(w, http.StatusNotFound, map[string]string{"message": "Domain not found"})
			return
		}
		answer(w, http.StatusOK, map[string]any{
			"domain": map[string]any{"name": parts[1], "state": state, "type": "custom",
				"created_at": "Thu, 13 Oct 2011 18:02:00 GMT"},
			"receiving_dns_records": []map[string]any{},
			"sending_dns_records": []map[string]any{
				{"record_type": "TXT", "valid": "unknown", "name": parts[1], "value": "v=spf1 include:mailgun.org ~all"},
			},
		})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}
