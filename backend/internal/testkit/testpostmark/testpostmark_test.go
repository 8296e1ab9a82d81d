package testpostmark

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, token string, e map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(e)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/email", bytes.NewReader(b))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Postmark-Server-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestErrorCodesFollowPostmarksDocumentation(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Options{Token: "tok", Control: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mail := map[string]any{"From": "Ada <ada@example.test>", "To": "grace@example.org", "Subject": "Hi", "TextBody": "Hello",
		"Headers": []map[string]string{{"Name": "Message-ID", "Value": "<m1@example.test>"}}}

	for _, tc := range []struct {
		name   string
		token  string
		setup  func()
		status int
		code   float64
	}{
		{"bad token", "wrong", func() {}, 401, 10},
		{"no signature", "tok", func() {}, 422, 400},
		{"unconfirmed", "tok", func() { s.AddSignature("ada@example.test", false) }, 422, 401},
		{"inactive recipient", "tok", func() {
			s.AddSignature("example.test", true)
			s.AddSignature("ada@example.test", true)
			s.Deactivate("grace@example.org")
		}, 422, 406},
	} {
		tc.setup()
		status, out := post(t, s, tc.token, mail)
		if status != tc.status || out["ErrorCode"] != tc.code || out["Message"] == "" {
			t.Errorf("%s: HTTP %d %v, want %d and ErrorCode %v", tc.name, status, out, tc.status, tc.code)
		}
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages accepted, want none", n)
	}

	mail["To"] = "alan@example.org"
	if status, out := post(t, s, "tok", mail); status != 200 || out["ErrorCode"] != float64(0) || out["MessageID"] == "" {
		t.Fatalf("HTTP %d %v, want 200 with a MessageID", status, out)
	}
	resp, err := http.Get(s.URL + PathMessages)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []Message
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil || len(msgs) != 1 {
		t.Fatalf("%s: %v %v, want one message", PathMessages, msgs, err)
	}
	if m := msgs[0]; m.Subject != "Hi" || m.Header("message-id") != "<m1@example.test>" || m.MessageID == "" {
		t.Errorf("listed %+v", m)
	}
}

func TestControlEndpointsConfirmASignatureAndRegenerateTheToken(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Options{Token: "tok", Control: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.AddSignature("ada@example.test", false)
	resp, err := http.PostForm(s.URL+PathSignatures, url.Values{"address": {"ada@example.test"}, "confirmed": {"true"}})
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST %s: %v %v", PathSignatures, resp, err)
	}
	resp.Body.Close()
	if status, out := post(t, s, "tok", map[string]any{"From": "ada@example.test", "To": "g@example.org", "TextBody": "x"}); status != 200 {
		t.Fatalf("after confirming: HTTP %d %v", status, out)
	}
	resp, err = http.PostForm(s.URL+PathToken, url.Values{"token": {"regenerated"}})
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST %s: %v %v", PathToken, resp, err)
	}
	resp.Body.Close()
	if status, out := post(t, s, "tok", map[string]any{"From": "ada@example.test", "To": "g@example.org", "TextBody": "x"}); status != 401 || out["ErrorCode"] != float64(10) {
		t.Fatalf("the old token after a new one: HTTP %d %v, want 401 and ErrorCode 10", status, out)
	}
	if len(s.Requests()) != 2 {
		t.Errorf("%d requests recorded, want the two sends (control requests are not)", len(s.Requests()))
	}
}

func TestListenRefusesAnAddressOffLoopback(t *testing.T) {
	if _, err := Listen("0.0.0.0:0", Options{Token: "tok"}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Listen(0.0.0.0) = %v, want a refusal", err)
	}
}
