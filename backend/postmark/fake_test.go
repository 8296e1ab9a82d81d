package postmark

import (
	"encoding/json"
	"net/http"
	"testing"

	"mailroom/backend/internal/testkit/testpostmark"
)

// fakePostmark is the fake Postmark API of backend/internal/testkit/testpostmark (Postmark's documented
// requests, answers and error codes), with the requests it received decoded into this
// package's own types, so a test reads exactly what the client sent.
type fakePostmark struct {
	*testpostmark.Server
	token string
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
	return &fakePostmark{Server: testpostmark.Start(t, testToken), token: testToken}
}

func (f *fakePostmark) requestLog() []recorded {
	var out []recorded
	for _, r := range f.Requests() {
		rec := recorded{Method: r.Method, Path: r.Path, Header: r.Header, Body: r.Body}
		if r.Method == http.MethodPost && r.Path == "/email" {
			_ = json.Unmarshal(r.Body, &rec.Email)
		}
		out = append(out, rec)
	}
	return out
}
