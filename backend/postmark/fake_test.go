package postmark

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

// fakePostmark follows Postmark's documented API closely enough to test the client against:
// the X-Postmark-Server-Token header, JSON in and out, /email's success answer and the
// {"ErrorCode", "Message"} errors with HTTP 401 and 422, and GET /server.
//
//	https://postmarkapp.com/developer/api/overview (tokens, HTTP codes, error codes)
//	https://postmarkapp.com/developer/user-guide/send-email-with-api (/email request and answer)
//	https://postmarkapp.com/developer/api/server-api (GET /server with a server token)
//
// Sender signatures are per address or per verified domain; a scripted failure replaces
// the answer to the next requests, as in "the 2nd send fails with 429".
type fakePostmark struct {
	*httptest.Server
	token string

	mu        sync.Mutex
	confirmed map[string]bool // address or domain -> confirmed
	requests  []recorded
	script    func(r *http.Request, n int) (status int, code int, msg string, ok bool)
	sent      int
}

type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Email        email // decoded body of POST /email
}

const testToken = "3f8a1c2e-token-7d6b-4e5f-secret"

func newFakePostmark(t *testing.T) *fakePostmark {
	t.Helper()
	f := &fakePostmark{token: testToken, confirmed: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakePostmark) requestLog() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"ErrorCode": code, "Message": msg})
}

func (f *fakePostmark) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	if r.Method == http.MethodPost && r.URL.Path == "/email" {
		_ = json.Unmarshal(body, &rec.Email)
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	n := len(f.requests)
	script := f.script
	f.mu.Unlock()

	if script != nil {
		if status, code, msg, ok := script(r, n); ok {
			if code == 0 && msg == "" {
				w.WriteHeader(status)
			} else {
				writeError(w, status, code, msg)
			}
			return
		}
	}

	// Postmark: "Should you execute the request with wrong or missing headers, you will
	// receive an HTTP Response 401 (Unauthorized)."
	if r.Header.Get("X-Postmark-Server-Token") != f.token {
		writeError(w, http.StatusUnauthorized, 10,
			"The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.")
		return
	}
	if r.Header.Get("Accept") != "application/json" {
		writeError(w, http.StatusUnprocessableEntity, 409, "JSON required")
		return
	}

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/server":
		writeJSON(w, http.StatusOK, map[string]any{
			"ID": 1, "Name": "Production", "ApiTokens": []string{f.token}, "Color": "red",
			"SmtpApiActivated": true, "DeliveryType": "Live",
		})
	case r.Method == http.MethodPost && r.URL.Path == "/email":
		if r.Header.Get("Content-Type") != "application/json" {
			writeError(w, http.StatusUnprocessableEntity, 409, "JSON required")
			return
		}
		var e email
		if err := json.Unmarshal(body, &e); err != nil {
			writeError(w, http.StatusUnprocessableEntity, 402, "Invalid JSON")
			return
		}
		from, err := mail.ParseAddress(e.From)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, 300, "Invalid 'From' address: '"+e.From+"'.")
			return
		}
		domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
		confirmed, known := f.confirmed[strings.ToLower(from.Address)]
		if !known {
			confirmed, known = f.confirmed[strings.ToLower(domain)]
		}
		switch {
		case !known:
			writeError(w, http.StatusUnprocessableEntity, 400, fmt.Sprintf(
				"The 'From' address you supplied (%s) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.", e.From))
			return
		case !confirmed:
			writeError(w, http.StatusUnprocessableEntity, 401, fmt.Sprintf(
				"The 'From' address you supplied (%s) has not been confirmed. Please confirm it before sending.", e.From))
			return
		}
		if e.TextBody == "" && e.HTMLBody == "" {
			writeError(w, http.StatusUnprocessableEntity, 300, "Provide either email TextBody or HtmlBody or both.")
			return
		}
		f.mu.Lock()
		f.sent++
		id := fmt.Sprintf("0a129aee-e1cd-480d-b08d-4f48548ff4%02d", f.sent)
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"To": e.To, "SubmittedAt": "2014-02-17T07:25:01.4178645-05:00", "MessageID": id,
			"ErrorCode": 0, "Message": "OK",
		})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}
