package connect

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func FuzzRedactorNeverLeaksTheSecret(f *testing.F) {
	f.Add("a1 LOGIN alice s3cret-pw\r\n", 3)
	f.Add("a1 LOGIN alice {9}\r\ns3cret-pw\r\n", 5)
	f.Add("AUTH PLAIN AGFsaWNlAHMzY3JldC1wdw==\r\n", 7)
	f.Add("* OK hello s3cret-pw there\r\n", 1)
	f.Fuzz(func(t *testing.T, stream string, split int) {
		const secret = "s3cret-pw"
		var out bytes.Buffer
		r := NewRedactor(&out, "imap test", secret)
		b := []byte(stream + "\n" + secret + "\n")
		if split < 0 {
			split = -split
		}
		if len(b) > 0 {
			split %= len(b)
		}
		if _, err := r.Write(b[:split]); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Write(b[split:]); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out.Bytes(), []byte(secret)) {
			t.Fatalf("secret leaked:\n%s", out.String())
		}
		if bytes.Contains(out.Bytes(), []byte(base64.StdEncoding.EncodeToString([]byte(secret)))) {
			t.Fatalf("base64 secret leaked:\n%s", out.String())
		}
	})
}

func TestRedactorMasksCredentialsButKeepsTheConversation(t *testing.T) {
	var out bytes.Buffer
	r := NewRedactor(&out, "imap host", "hunter2")
	for _, chunk := range []string{"* OK [CAPABILITY IMAP4rev1] ready\r\n", "a1 LOGIN \"alice\" \"hun", "ter2\"\r\n", "a1 OK logged in\r\n",
		"a2 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI=\r\n", "+ \r\n", "AGFsaWNlAGh1bnRlcjI=\r\n"} {
		if _, err := r.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	s := out.String()
	if strings.Contains(s, "hunter2") || strings.Contains(s, "AGFsaWNlAGh1bnRlcjI=") {
		t.Fatalf("credentials leaked:\n%s", s)
	}
	for _, want := range []string{"imap host * OK [CAPABILITY IMAP4rev1] ready", "a1 LOGIN ***", "a1 OK logged in", "a2 AUTHENTICATE PLAIN ***"} {
		if !strings.Contains(s, want) {
			t.Errorf("log lacks %q:\n%s", want, s)
		}
	}
}
