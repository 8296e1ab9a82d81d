package filing_test

// These tests run the filing engine beside the real sync, against the project's Dovecot
// (scripts/testenv, started by tools' go-test and `make test`) and, for a server that
// refuses new keywords, go-imap's in-memory server. Each builds one or two "workstations":
// a data directory of its own (store, accounts, records, sync, filing), wired as app.go
// wires them.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/filing"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/internal/testkit/testimap"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/syncer"
	"mailroom/backend/users"
	"mailroom/backend/vault"
)

var ctx = context.Background()

const (
	waitLong = 30 * time.Second
	// pollWindow is how often the workstations re-sync every folder: what another
	// workstation's change may take at most when IDLE does not carry it.
	pollWindow = 3 * time.Second
)

// mailServer is an IMAP account the workstations sync.
type mailServer struct {
	host, user, password string
	port                 int
	roots                *x509.CertPool
}

func (s mailServer) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(net.JoinHostPort(s.host, fmt.Sprint(s.port)), &imapclient.Options{
		TLSConfig: &tls.Config{RootCAs: s.roots, ServerName: s.host, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(s.user, s.password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// serverFlags returns the flags of every message of INBOX, by Message-ID.
func (s mailServer) serverFlags(t *testing.T, c *imapclient.Client) map[string][]imap.Flag {
	t.Helper()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]imap.Flag{}
	all, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		out[m.Envelope.MessageID] = m.Flags
	}
	return out
}

func dovecotAccount(t *testing.T) (mailServer, *testenv.Env) {
	t.Helper()
	env := testenv.Mail(t)
	u := env.NewUser(t)
	host, port := testenv.HostPort(env.IMAPSAddr)
	s := mailServer{host: host, port: port, user: u.Address, password: u.Password, roots: env.RootCAs}
	c := s.client(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	return s, env
}

// workstation is one Mailroom: its own data directory, store, sync and filing.
type workstation struct {
	t    *testing.T
	name string
	db   *store.DB
	user int64
	acc  int64
	rec  *records.Records
	sync *syncer.Engine
	fil  *filing.Engine
	ct   int64 // the contact type
	co   int64 // the company type
}

func newWorkstation(t *testing.T, name string, srv mailServer) *workstation {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	db, err := store.Open(ctx, filepath.Join(dir, "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Élise " + name, Email: "elise-" + name + "@cabinet.test", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.CreateWith(ctx, 0, accounts.NewAccount{
		Email: srv.user,
		IMAP:  accounts.Server{Host: srv.host, Port: srv.port, Security: accounts.TLS, Username: srv.user},
		SMTP:  accounts.Server{Host: srv.host, Port: 465, Security: accounts.TLS, Username: srv.user},
	}, accounts.Secrets{Password: srv.password})
	if err != nil {
		t.Fatal(err)
	}
	w := &workstation{t: t, name: name, db: db, user: u.ID, acc: acc.ID}
	log := slog.New(slog.NewTextHandler(testLog{t, name}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	w.fil = filing.New(filing.Deps{DB: db, Log: log, Queued: func(ids ...int64) { w.sync.FlagsQueued(ids...) }},
		filing.Options{Settle: 20 * time.Millisecond})
	w.rec = records.New(db, records.Options{Changed: func(ch records.Change) { w.fil.RecordsChanged(ch.IDs) }})
	w.sync = syncer.New(syncer.Deps{DB: db, Accounts: reg, Log: log,
		Dialer: &connect.Dialer{RootCAs: srv.roots, Timeout: 10 * time.Second},
		Stored: func(st syncer.Stored) {
			w.fil.Stored(filing.Notice{IDs: st.MessageIDs, Bodies: st.Bodies, Drained: st.Drained})
		}}, syncer.Options{StallTimeout: 5 * time.Second, IdleRefresh: 2 * time.Second, PollInterval: pollWindow,
		BackoffMin: 200 * time.Millisecond, BackoffMax: time.Second})
	s, err := w.rec.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.ct, w.co = s.TypeByKey(records.ContactType).ID, s.TypeByKey(records.CompanyType).ID
	if err := w.fil.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.sync.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.sync.Stop()
		w.fil.Stop()
		db.Close()
	})
	return w
}

type testLog struct {
	t    *testing.T
	name string
}

func (l testLog) Write(p []byte) (int, error) {
	l.t.Logf("%s: %s", l.name, bytes.TrimRight(p, "\n"))
	return len(p), nil
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for deadline := start.Add(within); ; time.Sleep(50 * time.Millisecond) {
		if cond() {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, what)
		}
	}
}

func (w *workstation) scalar(dest any, q string, args ...any) {
	w.t.Helper()
	if err := w.db.R.QueryRowContext(ctx, q, args...).Scan(dest); err != nil && err != sql.ErrNoRows {
		w.t.Fatalf("%s: %s: %v", w.name, q, err)
	}
}

// msg returns the id of the stored message with this Message-ID (0 when not there).
func (w *workstation) msg(messageID string) int64 {
	var id int64
	w.scalar(&id, `SELECT coalesce((SELECT id FROM messages WHERE message_id = ?), 0)`, messageID)
	return id
}

// filedState returns the message's filing state ("" before its first filing).
func (w *workstation) filedState(messageID string) string {
	var s string
	w.scalar(&s, `SELECT coalesce((SELECT f.state FROM message_filing f JOIN messages m ON m.id = f.message_id
		WHERE m.message_id = ? AND m.body_state <> 'none'), '')`, messageID)
	return s
}

func (w *workstation) links(messageID string) map[int64]string {
	w.t.Helper()
	out := map[int64]string{}
	rows, err := w.db.R.QueryContext(ctx, `SELECT l.record_id, l.origin FROM message_records l
		JOIN messages m ON m.id = l.message_id WHERE m.message_id = ?`, messageID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var o string
		if err := rows.Scan(&id, &o); err != nil {
			w.t.Fatal(err)
		}
		out[id] = o
	}
	return out
}

func (w *workstation) toFile() int {
	w.t.Helper()
	n, err := w.fil.ToFileCount(ctx, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *workstation) column(col, messageID string) bool {
	var v bool
	w.scalar(&v, `SELECT coalesce((SELECT `+col+` FROM messages WHERE message_id = ?), 0)`, messageID)
	return v
}

func (w *workstation) sharing() map[string]string {
	w.t.Helper()
	list, err := w.fil.Sharing(ctx, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range list {
		out[f.Name] = f.State
	}
	return out
}

// deliver puts a message from `from` into the account's INBOX over LMTP and returns its
// Message-ID.
func deliver(t *testing.T, env *testenv.Env, to, from, subject string) string {
	t.Helper()
	raw, id := testenv.NewMessage(from, to, subject, "Bonjour,\nVoici le dossier.\n")
	env.Deliver(t, raw, from, to)
	return id
}

// importContacts imports contacts from a French CSV (`;`) through the real import path.
func (w *workstation) importContacts(csv string) {
	w.t.Helper()
	src := records.ImportSource{Name: "contacts.csv", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(csv)), nil
	}}
	res, err := w.rec.Import(ctx, w.user, src, int64(len(csv)), records.ImportSettings{TypeID: w.ct,
		Columns: []string{records.ContactFirstName, records.ContactLastName, records.ContactEmails}}, records.Run{}, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	if res.Created == 0 {
		w.t.Fatalf("import created nothing: %+v", res)
	}
}

func (w *workstation) contactByEmail(email string) int64 {
	var id int64
	w.scalar(&id, `SELECT coalesce((SELECT record_id FROM record_emails WHERE email = ?), 0)`, email)
	return id
}

// TestPastMailIsFiledWhenContactsComeAfterTheSync: a mailbox synced first, contacts imported
// afterwards → its past mail filed; an address removed → its automatic links gone, the
// manual one kept; a link removed by hand → never recreated by a re-file.
func TestPastMailIsFiledWhenContactsComeAfterTheSync(t *testing.T) {
	srv, env := dovecotAccount(t)
	lea1 := deliver(t, env, srv.user, "lea@acme-conseil.fr", "Devis 2026")
	lea2 := deliver(t, env, srv.user, "lea@acme-conseil.fr", "Relance devis")
	paul := deliver(t, env, srv.user, "paul@batiplus.fr", "Chantier")
	stranger := deliver(t, env, srv.user, "inconnu@ailleurs.fr", "Proposition")

	w := newWorkstation(t, "poste1", srv)
	all := []string{lea1, lea2, paul, stranger}
	eventually(t, waitLong, "the mailbox synced and filed (all to file)", func() bool {
		for _, id := range all {
			if w.filedState(id) != filing.StateToFile {
				return false
			}
		}
		return true
	})
	if n := w.toFile(); n != 4 {
		t.Fatalf("to file = %d, want 4", n)
	}

	w.importContacts("Prénom;Nom;E-mail\r\nLéa;Martin;Lea@ACME-conseil.fr\r\nPaul;Durand;paul@batiplus.fr\r\n")
	lea, paulID := w.contactByEmail("lea@acme-conseil.fr"), w.contactByEmail("paul@batiplus.fr")
	if lea == 0 || paulID == 0 {
		t.Fatal("the import made no contact")
	}
	eventually(t, waitLong, "the past mail filed to the imported contacts", func() bool {
		return reflect.DeepEqual(w.links(lea1), map[int64]string{lea: filing.OriginAuto}) &&
			reflect.DeepEqual(w.links(lea2), map[int64]string{lea: filing.OriginAuto}) &&
			reflect.DeepEqual(w.links(paul), map[int64]string{paulID: filing.OriginAuto})
	})
	eventually(t, 5*time.Second, "only the stranger left in To file", func() bool { return w.toFile() == 1 })

	// A manual link on lea1 (to a company with no domain: no rule files there), a link
	// removed by hand on paul's message.
	acme, err := w.rec.Create(ctx, w.user, w.co, records.Values{records.CompanyName: "ACME Conseil"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.fil.FileTo(ctx, w.user, nil, []int64{w.msg(lea1)}, acme.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.fil.Unfile(ctx, w.user, nil, w.msg(paul), paulID); err != nil {
		t.Fatal(err)
	}

	// Léa's address removed: the automatic links go, the manual one stays.
	if _, err := w.rec.Update(ctx, w.user, lea, records.Values{records.ContactEmails: []any{"lea.martin@perso.fr"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, waitLong, "automatic links gone, the manual one kept", func() bool {
		return reflect.DeepEqual(w.links(lea1), map[int64]string{acme.ID: filing.OriginManual}) && len(w.links(lea2)) == 0
	})
	if got := w.filedState(lea2); got != filing.StateToFile {
		t.Errorf("lea2 is %q, want to_file", got)
	}

	// A re-file of everything does not bring back the link removed by hand.
	w.fil.Refile()
	eventually(t, waitLong, "the re-file done", func() bool {
		p := w.fil.Progress()
		return !p.Running && p.Total == 4 && p.Done == 4
	})
	if got := w.links(paul); len(got) != 0 {
		t.Fatalf("a link removed by hand was recreated: %v", got)
	}
	if got := w.links(lea1); !reflect.DeepEqual(got, map[int64]string{acme.ID: filing.OriginManual}) {
		t.Fatalf("lea1 links after the re-file: %v", got)
	}
}

// TestTwoWorkstationsShareFiledAndHandled: two Mailrooms (two data directories) sync the
// same Dovecot mailbox; what one files or marks handled shows on the other within the
// IDLE/poll window, through $MailroomFiled and $MailroomHandled on the server.
func TestTwoWorkstationsShareFiledAndHandled(t *testing.T) {
	srv, env := dovecotAccount(t)
	devis := deliver(t, env, srv.user, "client@nouveau-client.fr", "Demande de devis")
	other := deliver(t, env, srv.user, "prospect@autre-societe.fr", "Question")
	a := newWorkstation(t, "poste-a", srv)
	b := newWorkstation(t, "poste-b", srv)
	for _, w := range []*workstation{a, b} {
		eventually(t, waitLong, w.name+": both messages in To file", func() bool {
			return w.filedState(devis) == filing.StateToFile && w.filedState(other) == filing.StateToFile && w.toFile() == 2
		})
		if got := w.sharing()["INBOX"]; got != filing.SharingShared {
			t.Fatalf("%s: INBOX sharing %q, want shared (Dovecot takes new keywords)", w.name, got)
		}
	}

	// A files the message (a contact made from "To file"): B's To file loses it too.
	if _, err := a.rec.Create(ctx, a.user, a.ct, records.Values{records.ContactFirstName: "Client",
		records.ContactEmails: []any{"client@nouveau-client.fr"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, waitLong, "A filed the message", func() bool { return a.filedState(devis) == filing.StateFiled })
	c := srv.client(t)
	eventually(t, 10*time.Second, "$MailroomFiled on the server", func() bool {
		return slices.Contains(srv.serverFlags(t, c)[devis], syncer.KeywordFiled)
	})
	took := eventually(t, 2*pollWindow+5*time.Second, "B shows the message filed (out of To file)", func() bool {
		return b.column("shared_filed", devis) && b.toFile() == 1
	})
	t.Logf("filed on A, shown on B after %s", took)
	if got := b.filedState(devis); got != filing.StateToFile {
		t.Fatalf("B has no record for it and files nothing itself: %q", got)
	}
	if got := b.links(devis); len(got) != 0 {
		t.Fatalf("B made links of its own: %v", got)
	}

	// B marks the other message handled: A shows it handled.
	if err := b.sync.SetHandled(ctx, []int64{b.msg(other)}, true); err != nil {
		t.Fatal(err)
	}
	if !b.column("handled", other) {
		t.Fatal("B's row is not handled at once")
	}
	took = eventually(t, 2*pollWindow+5*time.Second, "A shows the message handled", func() bool { return a.column("handled", other) })
	t.Logf("handled on B, shown on A after %s", took)
	if !slices.Contains(srv.serverFlags(t, c)[other], syncer.KeywordHandled) {
		t.Fatal("$MailroomHandled is not on the server")
	}

	// A marks it not handled again: B follows.
	if err := a.sync.SetHandled(ctx, []int64{a.msg(other)}, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*pollWindow+5*time.Second, "B shows the message not handled", func() bool { return !b.column("handled", other) })

	// A removes its only link by hand: the message is no longer filed, on the server and on B.
	var contact int64
	a.scalar(&contact, `SELECT record_id FROM message_records WHERE message_id = ?`, a.msg(devis))
	if err := a.fil.Unfile(ctx, a.user, nil, a.msg(devis), contact); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*pollWindow+5*time.Second, "B shows the message to file again", func() bool {
		return !b.column("shared_filed", devis) && b.toFile() == 2
	})
	if slices.Contains(srv.serverFlags(t, c)[devis], syncer.KeywordFiled) {
		t.Fatal("$MailroomFiled is still on the server")
	}
}

// TestAServerWithoutKeywordsKeepsTheStatesLocal: a server whose PERMANENTFLAGS has no \*
// (go-imap's in-memory server, refusing new keywords): "handled" and "filed" stay on the
// workstation that set them, survive its re-syncs, never reach the server nor the other
// workstation, and the folder says so.
func TestAServerWithoutKeywordsKeepsTheStatesLocal(t *testing.T) {
	ca := testcert.NewCA(t)
	const user, pw = "partage@cabinet.test", "secret-partage"
	port := testimap.Start(t, testimap.Options{TLS: ca.Leaf(t, testcert.Opts{}).ServerConfig(), ImplicitTLS: true,
		Users: map[string]string{user: pw}, NoKeywords: true})
	srv := mailServer{host: "127.0.0.1", port: port, user: user, password: pw, roots: ca.Pool()}
	c := srv.client(t)
	raw, devis := testenv.NewMessage("client@nouveau-client.fr", user, "Demande de devis", "Bonjour")
	appendMsg(t, c, raw)
	raw2, other := testenv.NewMessage("prospect@autre-societe.fr", user, "Question", "Bonjour")
	appendMsg(t, c, raw2)

	a := newWorkstation(t, "poste-a", srv)
	b := newWorkstation(t, "poste-b", srv)
	for _, w := range []*workstation{a, b} {
		eventually(t, waitLong, w.name+": both messages in To file", func() bool { return w.toFile() == 2 })
		eventually(t, 5*time.Second, w.name+": INBOX says local", func() bool { return w.sharing()["INBOX"] == filing.SharingLocal })
	}

	if err := a.sync.SetHandled(ctx, []int64{a.msg(other)}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.rec.Create(ctx, a.user, a.ct, records.Values{records.ContactFirstName: "Client",
		records.ContactEmails: []any{"client@nouveau-client.fr"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, waitLong, "A filed the message", func() bool { return a.filedState(devis) == filing.StateFiled && a.toFile() == 1 })

	// Two poll windows: both workstations re-synced the folder meanwhile.
	time.Sleep(2*pollWindow + time.Second)
	if !a.column("handled", other) {
		t.Fatal("A lost its local handled state to a re-sync")
	}
	var pending int
	a.scalar(&pending, `SELECT count(*) FROM pending_flags`)
	if pending != 0 {
		t.Fatalf("%d intents wait for a server that will never take them", pending)
	}
	for id, fl := range srv.serverFlags(t, c) {
		if slices.Contains(fl, syncer.KeywordHandled) || slices.Contains(fl, syncer.KeywordFiled) {
			t.Fatalf("the server holds a keyword it refuses on %s: %v", id, fl)
		}
	}
	if b.column("handled", other) || b.column("shared_filed", devis) || b.toFile() != 2 {
		t.Fatal("B saw a state the server cannot carry")
	}
	if got := a.sharing()["INBOX"]; got != filing.SharingLocal {
		t.Fatalf("A's INBOX sharing %q, want local", got)
	}
}

func appendMsg(t *testing.T, c *imapclient.Client, raw []byte) {
	t.Helper()
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestAChangeMadeOfflineIsPushedOnReconnect: "handled" and "filed" set while the account's
// connection is down wait in the durable queue and reach the server once it is back.
func TestAChangeMadeOfflineIsPushedOnReconnect(t *testing.T) {
	srv, env := dovecotAccount(t)
	devis := deliver(t, env, srv.user, "client@nouveau-client.fr", "Demande de devis")
	w := newWorkstation(t, "poste", srv)
	eventually(t, waitLong, "the message in To file", func() bool { return w.filedState(devis) == filing.StateToFile })

	w.sync.StopAccount(w.acc) // offline: no connection until AccountChanged
	if err := w.sync.SetHandled(ctx, []int64{w.msg(devis)}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.rec.Create(ctx, w.user, w.ct, records.Values{records.ContactFirstName: "Client",
		records.ContactEmails: []any{"client@nouveau-client.fr"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, waitLong, "filed while offline", func() bool { return w.filedState(devis) == filing.StateFiled })
	var pending int
	w.scalar(&pending, `SELECT count(*) FROM pending_flags WHERE message_id = ?`, w.msg(devis))
	if pending != 2 {
		t.Fatalf("%d intents wait, want handled and filed", pending)
	}
	c := srv.client(t)
	if fl := srv.serverFlags(t, c)[devis]; slices.Contains(fl, syncer.KeywordHandled) || slices.Contains(fl, syncer.KeywordFiled) {
		t.Fatalf("the server has the keywords while the account is offline: %v", fl)
	}

	if err := w.sync.AccountChanged(w.acc); err != nil { // back online
		t.Fatal(err)
	}
	eventually(t, waitLong, "both keywords on the server after the reconnect", func() bool {
		fl := srv.serverFlags(t, c)[devis]
		return slices.Contains(fl, syncer.KeywordHandled) && slices.Contains(fl, syncer.KeywordFiled)
	})
	eventually(t, 5*time.Second, "the queue emptied", func() bool {
		w.scalar(&pending, `SELECT count(*) FROM pending_flags`)
		return pending == 0
	})
	if !w.column("handled", devis) || !w.column("shared_filed", devis) {
		t.Fatal("the rows lost their state")
	}
}
