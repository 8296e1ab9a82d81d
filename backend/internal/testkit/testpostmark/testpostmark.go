// Package testpostmark is a fake of Postmark's email API on 127.0.0.1, following Postmark's
// documentation closely enough to test a client against it: the X-Postmark-Server-Token
// header, JSON in and out, POST /email with its success answer, GET /server (what a server
// token may read), and the {"ErrorCode", "Message"} errors with HTTP 401 and 422.
//
//	https://postmarkapp.com/developer/api/overview (tokens, HTTP codes, error codes)
//	https://postmarkapp.com/developer/user-guide/send-email-with-api (/email request and answer)
//	https://postmarkapp.com/developer/api/server-api (GET /server with a server token)
//
// The errors it gives, with Postmark's own words: 10 (a wrong or missing server token, HTTP
// 401), 300 (an invalid From, or no body), 400 (the From is not a sender signature), 401 (the
// signature is not confirmed), 402 (invalid JSON), 406 (an inactive recipient: see
// Deactivate), 409 (JSON required). Sender signatures are per address or per verified
// domain (AddSignature).
//
//	f := testpostmark.Start(t, "server-token")       // in-process, closed with the test
//	f.AddSignature("ada@example.com", true)           // a confirmed sender signature
//	c, _ := postmark.New("server-token", postmark.Options{BaseURL: f.URL})
//	f.Messages()                                      // what Postmark accepted
//
// The same fake runs as a program for the browser tests (cmd/testpostmark), which drive
// the app from another process: there Options.Control opens the /testing/ endpoints, to
// list the accepted messages, to add or confirm a signature and to regenerate the server
// token, as a person would in Postmark's web interface.
package testpostmark

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// The control endpoints (Options.Control).
const (
	// PathMessages answers GET with the accepted messages, oldest first, as JSON
	// ([]Message).
	PathMessages = "/testing/messages"
	// PathSignatures takes POST with the form fields address (an address or a domain) and
	// confirmed ("true" or "false"), as adding or confirming a sender signature does.
	PathSignatures = "/testing/signatures"
	// PathToken takes POST with the form field token: the server's new token, as
	// regenerating it in the server's API Tokens tab does (the old one is refused from then on).
	PathToken = "/testing/token"
)

// Options shape the fake.
type Options struct {
	Token   string // the server token it accepts; required
	Control bool   // serve PathMessages and PathSignatures
}

// Email is /email's request body, as Postmark documents it. It is decoded independently of
// any client's own types, so a field the client misspells is missing here.
type Email struct {
	From          string
	To            string
	Cc            string
	Bcc           string
	Subject       string
	Tag           string
	HtmlBody      string
	TextBody      string
	ReplyTo       string
	Headers       []Header
	TrackOpens    *bool
	TrackLinks    string
	Metadata      map[string]string
	Attachments   []Attachment
	MessageStream string
}

// Header is one custom header of an Email.
type Header struct{ Name, Value string }

// Attachment is one attachment of an Email (Content is base64).
type Attachment struct{ Name, Content, ContentType, ContentID string }

// Header returns the value of the custom header name (case-insensitive), or "".
func (e Email) Header(name string) string {
	for _, h := range e.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Message is an email Postmark accepted, with the MessageID it answered.
type Message struct {
	MessageID string
	Token     string // the server token it came with (the fake accepts one; tests may check it)
	Email
}

// Request is one request the fake received, whatever its answer.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// Script, when set, answers a request instead of the fake: n counts the requests so far,
// this one included. ok false lets the fake answer. A code and msg of zero and "" answer
// the bare status.
type Script func(r *http.Request, n int) (status, code int, msg string, ok bool)

// Server is a running fake.
type Server struct {
	URL   string
	token string
	opts  Options
	srv   *httptest.Server

	mu         sync.Mutex
	signatures map[string]bool // address or domain (lower case) → confirmed
	inactive   map[string]bool // recipients Postmark will not send to (ErrorCode 406)
	requests   []Request
	messages   []Message
	script     Script
}

// Start runs a fake on a free 127.0.0.1 port for the test, closed at its end.
func Start(t testing.TB, token string) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Listen runs a fake on addr, which must be a loopback host:port (port 0: a free one).
func Listen(addr string, opts Options) (*Server, error) {
	if opts.Token == "" {
		return nil, fmt.Errorf("testpostmark: a server token is required")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("testpostmark: listen address %q: want a loopback host:port", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{token: opts.Token, opts: opts, signatures: map[string]bool{}, inactive: map[string]bool{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// Token is the server token the fake accepts.
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// SetToken replaces the server token, as regenerating it in Postmark does.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// AddSignature adds a sender signature for an address, or a domain (every address on it),
// confirmed or waiting for its confirmation; adding it again changes only that.
func (s *Server) AddSignature(addressOrDomain string, confirmed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signatures[strings.ToLower(strings.TrimSpace(addressOrDomain))] = confirmed
}

// Deactivate makes Postmark refuse to send to address (a hard bounce or a spam complaint
// put it on the suppression list): ErrorCode 406.
func (s *Server) Deactivate(address string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inactive[strings.ToLower(address)] = true
}

// SetScript sets (nil: removes) the script that answers requests instead of the fake.
func (s *Server) SetScript(fn Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = fn
}

// Requests returns every request received, control requests excepted, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"ErrorCode": code, "Message": msg})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.opts.Control && strings.HasPrefix(r.URL.Path, "/testing/") {
		s.control(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	n := len(s.requests)
	script := s.script
	s.mu.Unlock()

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
	token := r.Header.Get("X-Postmark-Server-Token")
	if token != s.Token() {
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
			"ID": 1, "Name": "Production", "ApiTokens": []string{token}, "Color": "red",
			"SmtpApiActivated": true, "DeliveryType": "Live",
		})
	case r.Method == http.MethodPost && r.URL.Path == "/email":
		s.email(w, r, body, token)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *Server) email(w http.ResponseWriter, r *http.Request, body []byte, token string) {
	if r.Header.Get("Content-Type") != "application/json" {
		writeError(w, http.StatusUnprocessableEntity, 409, "JSON required")
		return
	}
	var e Email
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
	s.mu.Lock()
	confirmed, known := s.signatures[strings.ToLower(from.Address)]
	if !known {
		confirmed, known = s.signatures[strings.ToLower(domain)]
	}
	s.mu.Unlock()
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
	var rcpts []string
	for _, field := range []string{e.To, e.Cc, e.Bcc} {
		if strings.TrimSpace(field) == "" {
			continue
		}
		list, err := mail.ParseAddressList(field)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, 300, "Invalid 'To' address: '"+field+"'.")
			return
		}
		for _, a := range list {
			rcpts = append(rcpts, a.Address)
		}
	}
	if len(rcpts) == 0 {
		writeError(w, http.StatusUnprocessableEntity, 300, "Zero recipients specified")
		return
	}
	if e.TextBody == "" && e.HtmlBody == "" {
		writeError(w, http.StatusUnprocessableEntity, 300, "Provide either email TextBody or HtmlBody or both.")
		return
	}
	s.mu.Lock()
	for _, a := range rcpts {
		if s.inactive[strings.ToLower(a)] {
			s.mu.Unlock()
			writeError(w, http.StatusUnprocessableEntity, 406,
				"You tried to send to a recipient that has been marked as inactive. Found inactive addresses: "+a+". Inactive recipients are ones that have generated a hard bounce or a spam complaint. ")
			return
		}
	}
	id := fmt.Sprintf("0a129aee-e1cd-480d-b08d-4f48548ff4%02d", len(s.messages)+1)
	s.messages = append(s.messages, Message{MessageID: id, Token: token, Email: e})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"To": e.To, "SubmittedAt": "2014-02-17T07:25:01.4178645-05:00", "MessageID": id,
		"ErrorCode": 0, "Message": "OK",
	})
}

// control serves the /testing/ endpoints, which need no token: they stand for what a
// person sees and does in Postmark's web interface.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == PathMessages && r.Method == http.MethodGet:
		msgs := s.Messages()
		if msgs == nil {
			msgs = []Message{}
		}
		writeJSON(w, http.StatusOK, msgs)
	case r.URL.Path == PathSignatures && r.Method == http.MethodPost:
		addr := strings.TrimSpace(r.FormValue("address"))
		confirmed := r.FormValue("confirmed")
		if addr == "" || (confirmed != "true" && confirmed != "false") {
			http.Error(w, "want address and confirmed=true|false", http.StatusBadRequest)
			return
		}
		s.AddSignature(addr, confirmed == "true")
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == PathToken && r.Method == http.MethodPost:
		token := strings.TrimSpace(r.FormValue("token"))
		if token == "" {
			http.Error(w, "want token", http.StatusBadRequest)
			return
		}
		s.SetToken(token)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
