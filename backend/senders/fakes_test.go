package senders_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// The providers' packages test every error code against fuller fakes; these follow the
// same documented requests and answers, enough to drive the factory's transports, the
// wizard's checks and the outbox end to end.

// postmarkFake: X-Postmark-Server-Token, GET /server, POST /email with a From that must be
// a confirmed sender signature (ErrorCode 400 unknown, 401 unconfirmed, 10 bad token).
//
//	https://postmarkapp.com/developer/api/overview
//	https://postmarkapp.com/developer/user-guide/send-email-with-api
type postmarkFake struct {
	*httptest.Server
	token string

	mu        sync.Mutex
	confirmed map[string]bool // address or domain → confirmed
	emails    []postmarkEmail
}

type postmarkEmail struct {
	From, To, Cc, Bcc, Subject, TextBody, MessageStream string
	Headers                                             []struct{ Name, Value string }
}

func newPostmarkFake(t *testing.T, token string) *postmarkFake {
	t.Helper()
	f := &postmarkFake{token: token, confirmed: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *postmarkFake) sent() []postmarkEmail {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]postmarkEmail(nil), f.emails...)
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *postmarkFake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Postmark-Server-Token") != f.token {
		answer(w, http.StatusUnauthorized, map[string]any{"ErrorCode": 10,
			"Message": "The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token."})
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/server":
		answer(w, http.StatusOK, map[string]any{"ID": 1, "Name": "Production", "ApiTokens": []string{f.token}})
	case r.Method == http.MethodPost && r.URL.Path == "/email":
		var e postmarkEmail
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &e); err != nil {
			answer(w, http.StatusUnprocessableEntity, map[string]any{"ErrorCode": 402, "Message": "Invalid JSON"})
			return
		}
		from, err := mail.ParseAddress(e.From)
		if err != nil {
			answer(w, http.StatusUnprocessableEntity, map[string]any{"ErrorCode": 300, "Message": "Invalid 'From' address: '" + e.From + "'."})
			return
		}
		domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
		f.mu.Lock()
		confirmed, known := f.confirmed[strings.ToLower(from.Address)]
		if !known {
			confirmed, known = f.confirmed[strings.ToLower(domain)]
		}
		f.mu.Unlock()
		switch {
		case !known:
			answer(w, http.StatusUnprocessableEntity, map[string]any{"ErrorCode": 400, "Message": fmt.Sprintf(
				"The 'From' address you supplied (%s) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.", e.From)})
			return
		case !confirmed:
			answer(w, http.StatusUnprocessableEntity, map[string]any{"ErrorCode": 401, "Message": fmt.Sprintf(
				"The 'From' address you supplied (%s) has not been confirmed. Please confirm it before sending.", e.From)})
			return
		}
		f.mu.Lock()
		f.emails = append(f.emails, e)
		n := len(f.emails)
		f.mu.Unlock()
		answer(w, http.StatusOK, map[string]any{"To": e.To, "SubmittedAt": "2014-02-17T07:25:01.4178645-05:00",
			"MessageID": fmt.Sprintf("0a129aee-e1cd-480d-b08d-4f48548ff4%02d", n), "ErrorCode": 0, "Message": "OK"})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// mailgunFake: basic auth "api" + key, POST /v3/{domain}/messages.mime (multipart "to" and
// "message"), GET /v3/domains/{domain} with its state and sending DNS records; errors as
// {"message": …}, 401 as a bare "Forbidden".
//
//	https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
//	https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains
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
		io.WriteString(w, "Forbidden")
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
