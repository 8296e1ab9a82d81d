package message

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// TestPartPathsMatchIMAPServer checks the part numbers Parse gives against
// the ones an IMAP server gives for the same message: go-imap's server code
// (which imapmemserver serves) computes BODYSTRUCTURE and BINARY[part], and
// the syncer will fetch attachments with exactly these numbers.
func TestPartPathsMatchIMAPServer(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.eml")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := mustParse(t, string(raw))

			server := map[string]string{} // part number → media type
			imapserver.ExtractBodyStructure(bytes.NewReader(raw)).Walk(func(path []int, part imap.BodyStructure) bool {
				server[PartNumber(path)] = part.MediaType()
				return part.MediaType() != "message/rfc822"
			})
			for _, a := range m.Attachments {
				if got := server[a.PartPath]; got != a.ContentType {
					t.Errorf("part %s: the IMAP server has %q there, Parse says %q", a.PartPath, got, a.ContentType)
					continue
				}
				path, _ := parsePartPath(a.PartPath)
				want := imapserver.ExtractBinarySection(bytes.NewReader(raw), &imap.FetchItemBinarySection{Part: path})
				var got bytes.Buffer
				if _, err := ExtractPart(bytes.NewReader(raw), a.PartPath, DefaultLimits, &got); err != nil {
					t.Fatal(err)
				}
				if strings.HasPrefix(a.ContentType, "text/") {
					continue // the server converts text charsets; ExtractPart keeps the bytes
				}
				if !bytes.Equal(got.Bytes(), want) || int64(len(want)) != a.Size {
					t.Errorf("part %s: ExtractPart gives %d bytes (Size %d), the IMAP server %d", a.PartPath, got.Len(), a.Size, len(want))
				}
			}
		})
	}
}
