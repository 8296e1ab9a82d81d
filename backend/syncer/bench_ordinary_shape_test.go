package syncer_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"mailroom/backend/message"
)

// The ordinary corpus is what its comment says: small, in five charsets, every message
// readable, with its few raw 8-bit headers and broken boundaries.
func TestOrdinaryCorpusIsShapedAsDescribed(t *testing.T) {
	const n = 2_000
	var small, withAtt, eightBit, broken int
	charsets := map[string]int{}
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		raw := ordinaryMessage(i, base.Add(time.Duration(i)*time.Minute))
		if len(raw) < 8*1024 {
			small++
		}
		m, err := message.Parse(bytes.NewReader(raw), message.DefaultLimits)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !strings.Contains(m.Text, "marker") {
			t.Fatalf("message %d: its text lost its marker: %.80q", i, m.Text)
		}
		if len(m.Attachments) > 0 {
			withAtt++
		}
		for _, cs := range ordinaryCharsets {
			if bytes.Contains(raw, []byte("charset="+cs.name+"\r\n")) {
				charsets[cs.name]++
				break
			}
		}
		codes := map[string]bool{}
		for _, p := range m.Problems {
			codes[p.Code] = true
		}
		for code := range codes {
			switch code {
			case message.Problem8BitHeader:
				eightBit++
				if !strings.HasPrefix(m.Subject, "Réunion à Zürich") || m.From[0].Name != "Élodie Müller" {
					t.Errorf("message %d: raw 8-bit headers read as %q from %q", i, m.Subject, m.From[0].Name)
				}
			case message.ProblemBrokenBoundary:
				broken++
			}
		}
		if i%20 == 18 && !strings.ContainsAny(m.Text, "見積書請求書納品確認会議来週担当") {
			t.Errorf("message %d (ISO-2022-JP): the text does not read as Japanese: %.80q", i, m.Text)
		}
	}
	t.Logf("%d messages: %d under 8 KB, %d with an attachment, %d raw 8-bit, %d broken boundaries, charsets %v",
		n, small, withAtt, eightBit, broken, charsets)
	if small < n*93/100 || withAtt != n*5/100 || eightBit != n/100 || broken != n/200 {
		t.Errorf("the corpus is not shaped as described")
	}
	if charsets["utf-8"] < n/2 || charsets["iso-2022-jp"] == 0 || charsets["gb2312"] == 0 || charsets["windows-1252"] == 0 || charsets["iso-8859-1"] == 0 {
		t.Errorf("charsets %v: want UTF-8 for most and every other one present", charsets)
	}
}
