package message

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzLimits keep each fuzz input cheap while still reaching every limit.
var fuzzLimits = Limits{MaxSize: 256 << 10, MaxHeaderBytes: 8 << 10, MaxDepth: 8, MaxParts: 50, MaxTextBytes: 64 << 10}

// maxFuzzSeedBytes keeps the big generated corpus files out of the seeds.
const maxFuzzSeedBytes = 64 << 10

// FuzzParse: Parse never panics, reads within MaxSize, returns a message
// within the limits or one of its documented errors, and every attachment it
// lists has a part number that ExtractPart finds again, with the same type
// and size.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/malformed"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil && len(b) <= maxFuzzSeedBytes {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("Subject: x\n\nbody"))
	f.Add(nestedMessage(10))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := &readCounter{r: bytes.NewReader(data)}
		m, err := Parse(src, fuzzLimits)
		if src.n > fuzzLimits.MaxSize {
			t.Fatalf("read %d bytes, MaxSize %d", src.n, fuzzLimits.MaxSize)
		}
		if err != nil {
			if m != nil || !(errors.Is(err, ErrEmpty) || errors.Is(err, ErrNotMessage)) {
				t.Fatalf("Parse = %v, %v", m, err)
			}
			return
		}
		checkMessageInvariants(t, m, fuzzLimits)
		for i, a := range m.Attachments {
			if i == 3 {
				break
			}
			var out bytes.Buffer
			got, err := ExtractPart(bytes.NewReader(data), a.PartPath, fuzzLimits, &out)
			if err != nil {
				t.Fatalf("ExtractPart(%q): %v", a.PartPath, err)
			}
			if got != a || int64(out.Len()) != a.Size {
				t.Fatalf("ExtractPart(%q) = %+v with %d bytes, Parse listed %+v", a.PartPath, got, out.Len(), a)
			}
		}
	})
}

// FuzzSanitize: sanitising is idempotent and its output holds nothing the
// hostile corpus checks forbid.
func FuzzSanitize(f *testing.F) {
	for _, v := range loadHostileCorpus(f) {
		f.Add(v.html, false)
	}
	f.Add(`<table background="http://canary.invalid/x"><tr><td style="color:red">x</td></tr></table>`, true)
	f.Add(`<img src="http://canary.invalid/a.png"><a href="//example.com/">x</a>`, true)
	f.Fuzz(func(t *testing.T, in string, allow bool) {
		opt := SanitizeOptions{AllowRemoteImages: allow, Inline: map[string]string{"a@b": pngData}}
		once := Sanitize(in, opt)
		if twice := Sanitize(once.HTML, opt); twice.HTML != once.HTML {
			t.Fatalf("not idempotent:\n  in: %q\nonce: %q\ntwice: %q", in, once.HTML, twice.HTML)
		}
		if r := unsafeReasons(once.HTML, !allow); len(r) > 0 {
			t.Fatalf("unsafe output for %q:\n%q\n%v", in, once.HTML, r)
		}
		if once.Blocked != (once.RemoteImages > 0 && !allow) {
			t.Fatalf("Blocked %v with %d remote images, allow %v", once.Blocked, once.RemoteImages, allow)
		}
	})
}

// FuzzTextToHTML: plain text shown as HTML is safe and already sanitised.
func FuzzTextToHTML(f *testing.F) {
	f.Add("see https://example.com/a?b=1&c=2 and mailto:a@example.com.")
	f.Add("<script>alert(1)</script>\r\n(http://x.example/a_(b))")
	for _, v := range loadHostileCorpus(f) {
		f.Add(v.html)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := TextToHTML(in)
		if s := Sanitize(out, SanitizeOptions{}).HTML; s != out {
			t.Fatalf("Sanitize changes TextToHTML(%q):\n%q\n%q", in, out, s)
		}
		if r := unsafeReasons(out, true); len(r) > 0 {
			t.Fatalf("unsafe: %v", r)
		}
	})
}
