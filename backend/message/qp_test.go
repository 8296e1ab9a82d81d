package message

import (
	"bufio"
	"bytes"
	"io"
	"math/rand"
	"strings"
	"testing"
	"testing/iotest"
)

// TestQPBufferedMatchesByteByByte decodes random quoted-printable (runs of whitespace
// before line breaks and elsewhere, soft breaks, valid and broken escapes, bare CRs) fed
// whole and read in chunks of several sizes, and fed one byte at a time, where everything
// goes through the byte-by-byte path: the buffered path must give the same text and the
// same flags.
func TestQPBufferedMatchesByteByByte(t *testing.T) {
	pieces := []string{"a", "Zürich", " ", "  ", "\t", " \t ", "\r\n", "\n", "\r", "=", "=3D", "=e9", "=E9",
		"=\r\n", "=\n", "= \r\n", "=\t\n", "=Z", "=4", "=\r", "x=", strings.Repeat(" ", 1030), "\x00", "\xff"}
	rng := rand.New(rand.NewSource(17))
	for n := 0; n < 1000; n++ {
		var in strings.Builder
		for k := rng.Intn(400); k > 0; k-- {
			in.WriteString(pieces[rng.Intn(len(pieces))])
		}
		src := in.String()
		// chunk: the size of the reads from the decoder (0: io.ReadAll's).
		decode := func(r io.Reader, chunk int) (string, decodeFlags) {
			var flags decodeFlags
			var qp io.Reader = &qpReader{br: bufio.NewReader(r), flags: &flags}
			if chunk == 0 {
				out, err := io.ReadAll(qp)
				if err != nil {
					t.Fatal(err)
				}
				return string(out), flags
			}
			var out []byte
			buf := make([]byte, chunk)
			for {
				k, err := qp.Read(buf)
				out = append(out, buf[:k]...)
				if err == io.EOF {
					return string(out), flags
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		single, singleFlags := decode(iotest.OneByteReader(strings.NewReader(src)), 0)
		for _, chunk := range []int{0, 1, 3, 7, 64, 1 + rng.Intn(5000)} {
			got, gotFlags := decode(strings.NewReader(src), chunk)
			if got != single || gotFlags != singleFlags {
				t.Fatalf("%q in reads of %d: %q %+v, byte by byte %q %+v", src, chunk, got, gotFlags, single, singleFlags)
			}
		}
	}
}

// TestQPDecodesLikeRFC2045 checks the decoder against the standard library on valid
// input: escapes, soft breaks, whitespace kept inside a line and dropped at its end.
func TestQPDecodesLikeRFC2045(t *testing.T) {
	src := "Caf=E9 cr=C3=A8me  br=FBl=\r\n=E9e \t \r\nun   deux=3D2\t\r\nfin =\r\n  suite\r\n"
	var flags decodeFlags
	got, err := io.ReadAll(&qpReader{br: bufio.NewReader(strings.NewReader(src)), flags: &flags})
	if err != nil {
		t.Fatal(err)
	}
	want := "Caf\xe9 cr\xc3\xa8me  br\xfbl\xe9e\r\nun   deux=2\r\nfin   suite\r\n"
	if !bytes.Equal(got, []byte(want)) || flags.bad {
		t.Fatalf("got %q (bad %v), want %q", got, flags.bad, want)
	}
}
