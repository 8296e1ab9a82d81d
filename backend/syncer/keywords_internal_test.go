package syncer

import (
	"reflect"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestUIDChunksAreSortedRangesOfBoundedLength(t *testing.T) {
	got := uidChunks([]imap.UID{9, 1, 2, 3, 3, 7, 5, 6}, 2)
	want := []imap.UIDSet{
		{{Start: 1, Stop: 3}, {Start: 5, Stop: 7}},
		{{Start: 9, Stop: 9}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if uidChunks(nil, 2) != nil {
		t.Fatal("no UIDs, no command")
	}
}

func TestSharedKeywordsAreReadAndPermanentFlagsDecide(t *testing.T) {
	f := flagsOf([]imap.Flag{imap.FlagSeen, "$mailroomfiled", "$MailroomHandled", "$Junk"})
	if !f.seen || !f.filed || !f.handled || f.keywords != "$Junk" {
		t.Fatalf("flags read: %+v", f)
	}
	for _, c := range []struct {
		perm []imap.Flag
		ok   bool
	}{
		{nil, false}, // absent or empty: refused (go-imap cannot tell them apart)
		{[]imap.Flag{imap.FlagSeen, imap.FlagWildcard}, true},
		{[]imap.Flag{imap.FlagSeen, imap.FlagFlagged}, false},
		{[]imap.Flag{KeywordFiled, "$mailroomhandled"}, true},
		{[]imap.Flag{KeywordFiled}, false},
		{[]imap.Flag{}, false},
	} {
		if got := keywordsAllowed(&imap.SelectData{PermanentFlags: c.perm}); got != c.ok {
			t.Errorf("PERMANENTFLAGS %v: allowed %v, want %v", c.perm, got, c.ok)
		}
	}
}
