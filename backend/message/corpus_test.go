package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The corpora: testdata/valid/*.eml must parse without a problem and match
// their golden .json; testdata/malformed/*.eml must never hang or panic, and
// either yield a message with the problem listed below or a clear error.
// Regenerate goldens and generated files with: go test -run Corpus -update

func TestValidCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid corpus: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := parseWithin(t, raw, DefaultLimits)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkMessageInvariants(t, m, DefaultLimits)
			if len(m.Problems) > 0 {
				t.Errorf("valid message has problems: %+v", m.Problems)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(m); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := strings.TrimSuffix(file, ".eml") + ".json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no golden file (run with -update and review it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("parsed message differs from %s:\n got: %s\nwant: %s", golden, got, want)
			}
		})
	}
}

// malformedExpectations says, for every file of testdata/malformed, the
// problem it must report, or the error it must return. A new file without an
// entry fails the test, so the corpus stays documented.
var malformedExpectations = map[string]struct {
	problem string
	err     error
}{
	"bad-addresses.eml":               {problem: ProblemBadAddress},
	"bad-content-type.eml":            {problem: ProblemBadContentType},
	"bad-date.eml":                    {problem: ProblemBadDate},
	"bad-message-id.eml":              {problem: ProblemBadMessageID},
	"base64-unpadded-end.eml":         {problem: ProblemTruncated},
	"binary-garbage.eml":              {err: ErrNotMessage},
	"boundary-never-closed.eml":       {problem: ProblemTruncated},
	"boundary-not-found.eml":          {problem: ProblemBrokenBoundary},
	"boundary-too-long.eml":           {problem: ProblemBrokenBoundary},
	"continuation-first.eml":          {problem: ProblemBadHeader},
	"cr-only.eml":                     {problem: ProblemBadLineEndings},
	"deep-nesting.eml":                {problem: ProblemTooDeep},
	"duplicate-headers.eml":           {problem: ProblemDuplicateHeader},
	"empty.eml":                       {err: ErrEmpty},
	"header-8bit-latin1.eml":          {problem: Problem8BitHeader},
	"header-bad-encoded-word.eml":     {problem: ProblemBadHeaderEncoding},
	"header-bad-field-name.eml":       {problem: ProblemBadHeader},
	"header-unknown-charset.eml":      {problem: ProblemBadHeaderEncoding},
	"header-without-colon.eml":        {problem: ProblemBadHeader},
	"huge-header.eml":                 {problem: ProblemHeaderTooLarge},
	"invalid-base64.eml":              {problem: ProblemBadEncoding},
	"invalid-quoted-printable.eml":    {problem: ProblemBadEncoding},
	"missing-boundary-param.eml":      {problem: ProblemBrokenBoundary},
	"missing-date.eml":                {problem: ProblemMissingDate},
	"multipart-no-parts-text.eml":     {problem: ProblemBrokenBoundary},
	"no-charset-8bit.eml":             {problem: ProblemBadCharset},
	"nul-bytes.eml":                   {problem: ProblemNULByte},
	"same-boundary-nested.eml":        {problem: ProblemBrokenBoundary},
	"stray-lines-between-parts.eml":   {problem: ProblemBrokenBoundary},
	"too-many-parts.eml":              {problem: ProblemTooManyParts},
	"truncated.eml":                   {problem: ProblemTruncated},
	"unknown-charset.eml":             {problem: ProblemBadCharset},
	"unknown-transfer-encoding.eml":   {problem: ProblemBadEncoding},
	"whitespace-only.eml":             {err: ErrNotMessage},
	"wrong-charset.eml":               {problem: ProblemBadCharset},
	"huge-part-header.eml":            {problem: ProblemHeaderTooLarge},
	"deep-nesting-within-limit.eml":   {problem: ProblemTruncated},
	"parts-without-final-newline.eml": {problem: ProblemTruncated},
}

func TestMalformedCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/malformed/*.eml")
	if err != nil || len(files) < 25 {
		t.Fatalf("malformed corpus has %d files, want at least 25: %v", len(files), err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := malformedExpectations[name]
			if !ok {
				t.Fatalf("no expectation for %s: add one to malformedExpectations", name)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := parseWithin(t, raw, DefaultLimits)
			if want.err != nil {
				if !errors.Is(err, want.err) {
					t.Fatalf("Parse error = %v, want %v", err, want.err)
				}
				if !strings.HasPrefix(err.Error(), "message: parse: ") {
					t.Errorf("error %q is not wrapped with the operation", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v (want a message with problem %s)", err, want.problem)
			}
			checkMessageInvariants(t, m, DefaultLimits)
			if !hasProblem(m, want.problem) {
				t.Errorf("problems %v, want %s among them", problemCodes(m), want.problem)
			}
			s := Sanitize(m.HTML, SanitizeOptions{})
			if r := unsafeReasons(s.HTML, true); len(r) > 0 {
				t.Errorf("sanitised HTML unsafe: %v", r)
			}
		})
	}
	for name := range malformedExpectations {
		if !seen[name] {
			t.Errorf("expectation for %s but no such file", name)
		}
	}
}

// generatedCorpus builds the malformed files too big or too regular to write
// by hand. TestGeneratedCorpusIsCurrent keeps the files on disk equal to it.
var generatedCorpus = map[string]func() []byte{
	"binary-garbage.eml": func() []byte {
		r := rand.New(rand.NewSource(42))
		b := make([]byte, 8<<10)
		r.Read(b)
		for i := range b { // no colon-separated line may look like a field
			if b[i] == ':' {
				b[i] = 0xff
			}
		}
		return b
	},
	"deep-nesting.eml": func() []byte {
		return nestedMessage(DefaultMaxDepth + 5)
	},
	"deep-nesting-within-limit.eml": func() []byte {
		// Nested as deep as allowed, then cut before any closing delimiter.
		b := nestedMessage(DefaultMaxDepth - 1)
		return b[:bytes.LastIndex(b, []byte("Deepest text."))+len("Deepest text.")]
	},
	"too-many-parts.eml": func() []byte {
		var b bytes.Buffer
		b.WriteString(generatedHeader("too-many-parts", "Six hundred parts"))
		b.WriteString("Content-Type: multipart/mixed; boundary=\"many\"\r\n\r\n")
		for i := 1; i <= 600; i++ {
			fmt.Fprintf(&b, "--many\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"part-%03d.bin\"\r\n\r\npart %d\r\n", i, i)
		}
		b.WriteString("--many--\r\n")
		return b.Bytes()
	},
	"huge-header.eml": func() []byte {
		var b bytes.Buffer
		b.WriteString(generatedHeader("huge-header", "A 2 MiB header"))
		b.WriteString("X-Filler: start\r\n")
		for b.Len() < 2<<20 {
			b.WriteString(" " + strings.Repeat("filler ", 10) + "\r\n")
		}
		b.WriteString("Content-Type: text/plain\r\n\r\nThe header above is 2 MiB.\r\n")
		return b.Bytes()
	},
	"huge-part-header.eml": func() []byte {
		var b bytes.Buffer
		b.WriteString(generatedHeader("huge-part-header", "A part with a 1.5 MiB header"))
		b.WriteString("Content-Type: multipart/mixed; boundary=\"hp\"\r\n\r\n--hp\r\nContent-Type: text/plain\r\n\r\nFirst part.\r\n--hp\r\nX-Long: ")
		b.WriteString(strings.Repeat("a", 3<<19)) // one 1.5 MiB line
		b.WriteString("\r\nContent-Type: text/plain\r\n\r\nSecond part.\r\n--hp--\r\n")
		return b.Bytes()
	},
	"parts-without-final-newline.eml": func() []byte {
		return []byte(generatedHeader("no-final-newline", "Ends inside a part") +
			"Content-Type: multipart/mixed; boundary=\"n\"\r\n\r\n--n\r\nContent-Type: text/plain\r\n\r\nNo closing delimiter and no final newline")
	},
}

func generatedHeader(id, subject string) string {
	return "From: Alice Martin <alice@example.com>\r\nTo: Bob Dupont <bob@example.org>\r\n" +
		"Date: Mon, 3 Mar 2025 10:00:00 +0100\r\nMessage-ID: <" + id + "@example.com>\r\n" +
		"MIME-Version: 1.0\r\nSubject: " + subject + "\r\n"
}

// nestedMessage nests depth multipart/mixed levels around a text part.
func nestedMessage(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(generatedHeader(fmt.Sprintf("nested-%d", depth), fmt.Sprintf("%d nested multiparts", depth)))
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"level-%d\"\r\n\r\n--level-%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nDeepest text.\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--level-%d--\r\n", i)
	}
	return b.Bytes()
}

func TestGeneratedCorpusIsCurrent(t *testing.T) {
	var names []string
	for name := range generatedCorpus {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want := generatedCorpus[name]()
			path := filepath.Join("testdata", "malformed", name)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from its generator (run with -update)", path)
			}
		})
	}
}
