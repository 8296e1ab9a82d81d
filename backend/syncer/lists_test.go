package syncer

import (
	"maps"
	"slices"
	"testing"
)

// The exported lists the UI's generated enums come from hold exactly what the engine uses.
func TestListsHoldWhatTheEngineUses(t *testing.T) {
	roles := append([]string{"inbox"}, slices.Collect(maps.Values(roleOfAttr))...)
	slices.Sort(roles)
	if got := slices.Sorted(slices.Values(FolderRoles)); !slices.Equal(got, roles) {
		t.Errorf("FolderRoles = %q, the engine gives %q", got, roles)
	}
	if got, want := slices.Sorted(slices.Values(Flags)), slices.Sorted(maps.Keys(imapFlagOf)); !slices.Equal(got, want) {
		t.Errorf("Flags = %q, SetFlags knows %q", got, want)
	}
}
