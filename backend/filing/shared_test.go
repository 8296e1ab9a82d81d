package filing

import (
	"testing"

	"mailroom/backend/records"
)

// pending returns the message's queued $MailroomFiled intent: -1 none, else its value.
func (f *fixture) pending(id int64) int {
	f.t.Helper()
	v := -1
	err := f.db.R.QueryRowContext(f.ctx, `SELECT coalesce((SELECT value FROM pending_flags WHERE message_id = ? AND flag = 'filed'), -1)`, id).Scan(&v)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *fixture) sharedFiled(id int64) bool {
	f.t.Helper()
	var v bool
	if err := f.db.R.QueryRowContext(f.ctx, `SELECT shared_filed FROM messages WHERE id = ?`, id).Scan(&v); err != nil {
		f.t.Fatal(err)
	}
	return v
}

func TestFiledStateIsQueuedForTheServer(t *testing.T) {
	f := newFixture(t)
	var told []int64
	f.e.deps.Queued = func(ids ...int64) { told = append(told, ids...) }
	lea := f.create(f.contact, records.Values{"first_name": "Léa", "emails": []any{"lea@acme.fr"}})

	filed := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	stranger := f.store(msg{addrs: []string{"from:inconnu@ailleurs.fr", "to:moi@notre-cabinet.fr"}})
	f.file(filed, stranger)
	if f.pending(filed) != 1 || !f.sharedFiled(filed) {
		t.Fatalf("a filed message queues $MailroomFiled: pending %d shared %v", f.pending(filed), f.sharedFiled(filed))
	}
	if f.pending(stranger) != -1 || f.sharedFiled(stranger) {
		t.Fatal("a message in To file queues nothing")
	}
	if len(told) != 1 || told[0] != 1 {
		t.Fatalf("the account's worker is told once: %v", told)
	}
	// The worker pushed it; filing again queues nothing more.
	f.exec(`DELETE FROM pending_flags`)
	told = nil
	f.file(filed)
	if f.pending(filed) != -1 || len(told) != 0 {
		t.Fatal("an unchanged filing queues again")
	}

	// Another workstation filed the stranger's message: it leaves To file here, and this
	// workstation, which has no record for it, never clears the keyword.
	n, _ := f.e.ToFileCount(f.ctx, nil)
	f.exec(`UPDATE messages SET shared_filed = 1 WHERE id = ?`, stranger)
	if m, _ := f.e.ToFileCount(f.ctx, nil); m != n-1 {
		t.Fatalf("To file counts %d then %d: a message filed elsewhere stays", n, m)
	}
	f.file(stranger)
	if f.pending(stranger) != -1 || !f.sharedFiled(stranger) {
		t.Fatal("a workstation without the record undid another's filing")
	}

	// The user removes the only link here: the server hears it is no longer filed.
	if err := f.e.Unfile(f.ctx, f.user, nil, filed, lea); err != nil {
		t.Fatal(err)
	}
	f.file(filed)
	if f.pending(filed) != 0 || f.sharedFiled(filed) {
		t.Fatalf("unfiled: pending %d shared %v", f.pending(filed), f.sharedFiled(filed))
	}

	// Filed by hand again: set again.
	f.exec(`DELETE FROM pending_flags`)
	if err := f.e.FileTo(f.ctx, f.user, nil, []int64{filed}, lea); err != nil {
		t.Fatal(err)
	}
	if f.pending(filed) != 1 || !f.sharedFiled(filed) {
		t.Fatal("a manual filing queues $MailroomFiled")
	}
}

func TestAFolderWithoutKeywordsKeepsTheStateHere(t *testing.T) {
	f := newFixture(t)
	f.create(f.contact, records.Values{"first_name": "Léa", "emails": []any{"lea@acme.fr"}})
	f.exec(`UPDATE folders SET keywords_ok = 0 WHERE id = ?`, f.inbox)
	id := f.store(msg{addrs: []string{"from:lea@acme.fr", "to:moi@notre-cabinet.fr"}})
	f.file(id)
	if f.pending(id) != -1 || f.sharedFiled(id) {
		t.Fatal("a folder refusing keywords got an intent")
	}
	if len(f.links(id)) != 1 {
		t.Fatal("the message is filed here all the same")
	}
	f.exec(`UPDATE folders SET keywords_ok = 1 WHERE id = ?`, f.sent)
	sh, err := f.e.Sharing(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range sh {
		got[s.Name] = s.State
	}
	if got["INBOX"] != SharingLocal || got["Sent"] != SharingShared {
		t.Fatalf("sharing states: %v", got)
	}
	if sh, _ := f.e.Sharing(f.ctx, Scope{}); len(sh) != 0 {
		t.Fatal("an empty scope sees folders")
	}
}
