package mailgun

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeMailgun follows Mailgun's documented API closely enough to test the client against:
// basic auth with the user "api", POST /v3/{domain}/messages.mime as multipart/form-data
// with "to" fields and a "message" file, GET /v3/domains/{domain} with the domain's state and
// its DNS records, and errors as {"message": "..."} (401 is a bare "Forbidden").
//
//	https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages
//	https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains
//	https://documentation.mailgun.com/docs/mailgun/quickstart-guide/responses
//
// Domains belong to a region: the fake routes by the Host the request was made for, so a
// US client asking about an EU domain gets the 404 the real US API gives.
type fakeMailgun struct {
	*httptest.Server
	key string

	mu       sync.Mutex
	domains  map[string]fakeDomain // host + "/" + domain name
	requests []mgRequest
	script   func(r *http.Request) (status int, body string, ok bool)
}

type fakeDomain struct {
	State   string
	Sending []map[string]any
}

type mgRequest struct {
	Method, Host, Path string
	User, Password     string
	ContentType        string
	To                 []string
	Message            []byte // the "message" file of messages.mime
	FileName           string
}

const testKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"

func newFakeMailgun(t *testing.T) *fakeMailgun {
	t.Helper()
	f := &fakeMailgun{key: testKey, domains: map[string]fakeDomain{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// addDomain registers a domain at a region's API host ("api.mailgun.net" or
// "api.eu.mailgun.net"; "" = whatever host the test server itself is called by).
func (f *fakeMailgun) addDomain(host, name string, d fakeDomain) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.domains[host+"/"+name] = d
}

func (f *fakeMailgun) requestLog() []mgRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mgRequest(nil), f.requests...)
}

func mgJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeMailgun) lookup(host, name string) (fakeDomain, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.domains[host+"/"+name]; ok {
		return d, true
	}
	d, ok := f.domains["/"+name]
	return d, ok
}

func (f *fakeMailgun) serve(w http.ResponseWriter, r *http.Request) {
	rec := mgRequest{Method: r.Method, Host: r.Host, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type")}
	rec.User, rec.Password, _ = r.BasicAuth()
	if strings.HasSuffix(r.URL.Path, "/messages.mime") {
		if err := r.ParseMultipartForm(32 << 20); err == nil {
			rec.To = r.MultipartForm.Value["to"]
			if fh := r.MultipartForm.File["message"]; len(fh) == 1 {
				rec.FileName = fh[0].Filename
				if file, err := fh[0].Open(); err == nil {
					rec.Message, _ = io.ReadAll(file)
					file.Close()
				}
			}
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	script := f.script
	f.mu.Unlock()

	if script != nil {
		if status, body, ok := script(r); ok {
			if strings.HasPrefix(body, "{") {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
			return
		}
	}
	if rec.User != "api" || rec.Password != f.key {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "Forbidden")
		return
	}

	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v3/"), "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "messages.mime":
		if _, ok := f.lookup(r.Host, parts[0]); !ok {
			mgJSON(w, http.StatusNotFound, map[string]string{"message": "Domain not found: " + parts[0]})
			return
		}
		if len(rec.To) == 0 {
			mgJSON(w, http.StatusBadRequest, map[string]string{"message": "'to' parameter is missing"})
			return
		}
		if rec.Message == nil {
			mgJSON(w, http.StatusBadRequest, map[string]string{"message": "'message' parameter is missing"})
			return
		}
		mgJSON(w, http.StatusOK, map[string]string{
			"id":      fmt.Sprintf("<20111114174239.25659.%d@%s>", len(f.requestLog()), parts[0]),
			"message": "Queued. Thank you.",
		})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "domains":
		d, ok := f.lookup(r.Host, parts[1])
		if !ok {
			mgJSON(w, http.StatusNotFound, map[string]string{"message": "Domain not found"})
			return
		}
		mgJSON(w, http.StatusOK, map[string]any{
			"domain": map[string]any{
				"created_at": "Thu, 13 Oct 2011 18:02:00 GMT", "name": parts[1], "state": d.State,
				"smtp_login": "postmaster@" + parts[1], "spam_action": "disabled", "type": "custom",
				"web_scheme": "https", "wildcard": false,
			},
			"receiving_dns_records": []map[string]any{
				{"priority": "10", "record_type": "MX", "valid": "unknown", "value": "mxa.mailgun.org", "cached": []string{}},
			},
			"sending_dns_records": d.Sending,
		})
	default:
		w.WriteHeader(http.StatusNotFound) // no JSON: a path the API does not have
	}
}

// regionNet sends every request to the fake while keeping the host it was made for, so a
// test sees which region's API the client called without leaving the machine.
type regionNet struct {
	target *url.URL
	mu     sync.Mutex
	urls   []string
}

func (n *regionNet) RoundTrip(r *http.Request) (*http.Response, error) {
	n.mu.Lock()
	n.urls = append(n.urls, r.URL.String())
	n.mu.Unlock()
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = n.target.Scheme, n.target.Host
	out.Host = r.URL.Host
	return http.DefaultTransport.RoundTrip(out)
}

func (n *regionNet) called() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.urls...)
}
