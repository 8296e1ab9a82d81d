package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/fault"
	"mailroom/backend/vault"
)

// slowVault is the in-memory vault whose Set blocks, as a keychain waiting for the user to
// type the unlock password does, for up to hold (or until release is closed).
type slowVault struct {
	*vault.Memory
	hold    time.Duration
	entered chan string   // receives the key of each Set that started blocking
	release chan struct{} // closed: every Set returns at once
	once    sync.Once
}

func newSlowVault(m *vault.Memory, hold time.Duration) *slowVault {
	return &slowVault{Memory: m, hold: hold, entered: make(chan string, 16), release: make(chan struct{})}
}

func (v *slowVault) Set(key, secret string) error {
	v.entered <- key
	select {
	case <-time.After(v.hold):
	case <-v.release:
	}
	return v.Memory.Set(key, secret)
}

func (v *slowVault) Release() { v.once.Do(func() { close(v.release) }) }

// failingVault fails Delete (a keychain locked at the wrong moment) while failDelete is set.
type failingVault struct {
	*vault.Memory
	mu         sync.Mutex
	failDelete bool
}

func (v *failingVault) Delete(key string) error {
	v.mu.Lock()
	fail := v.failDelete
	v.mu.Unlock()
	if fail {
		return errors.New("keychain: locked")
	}
	return v.Memory.Delete(key)
}

// The statements the sync engine and the outbox commit on the store's single writer: a
// batch of new headers (syncer's insertHeaders) and the durable marker set just before the
// final dot of a send (outbox's markerSQL).
const (
	syncHeaderSQL = `INSERT INTO messages(account_id, folder_id, uid, message_id, in_reply_to,
		subject, from_name, from_email, date, size, seen, flagged, answered, draft, keywords, has_attachments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(folder_id, uid) DO NOTHING`
	syncFTSSQL      = `INSERT INTO messages_fts(rowid, subject, addresses, body) SELECT id, subject, addresses, body FROM messages_search WHERE id = ?`
	outboxMarkerSQL = `UPDATE outbox SET data_at = ? WHERE id = ? AND state = 'sending'`
)

// A keychain that waits for its unlock prompt must not hold the database's only writer: while
// an account's Create or Update is blocked in the vault's Set, a sync batch and an outbox
// marker commit at once.
func TestAKeychainPromptDoesNotHoldTheDatabaseWriter(t *testing.T) {
	for _, op := range []string{"create", "update"} {
		t.Run(op, func(t *testing.T) {
			f := newFixture(t)
			acc, err := f.reg.CreateWith(ctx, f.owner.ID, sample("live@shop.test"), accounts.Secrets{Password: "pw"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.db.W.Exec(`INSERT INTO folders(account_id, name, role) VALUES (?, 'INBOX', 'inbox')`, acc.ID)
			if err != nil {
				t.Fatal(err)
			}
			folderID, _ := res.LastInsertId()
			res, err = f.db.W.Exec(`INSERT INTO outbox(account_id, state, message_id, env_from, env_to, size, next_attempt_at, created_at, updated_at)
				VALUES (?, 'sending', 'm1@shop.test', 'live@shop.test', '["b@shop.test"]', 10, 0, 0, 0)`, acc.ID)
			if err != nil {
				t.Fatal(err)
			}
			outboxID, _ := res.LastInsertId()

			slow := newSlowVault(f.vault, 5*time.Second)
			defer slow.Release()
			reg := accounts.New(f.db, slow)
			done := make(chan error, 1)
			go func() {
				var err error
				if op == "create" {
					_, err = reg.CreateWith(ctx, f.owner.ID, sample("new@shop.test"), accounts.Secrets{Password: "new-pw"})
				} else {
					_, err = reg.UpdateWith(ctx, acc.ID, sample("live@shop.test"), accounts.Secrets{Password: "changed-pw"})
				}
				done <- err
			}()
			select {
			case <-slow.entered:
			case err := <-done:
				t.Fatalf("%s returned without writing a secret: %v", op, err)
			case <-time.After(5 * time.Second):
				t.Fatalf("%s never reached the vault", op)
			}

			commit := func(what string, fn func(tx *sql.Tx) error) {
				t.Helper()
				cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				defer cancel()
				t0 := time.Now()
				if err := f.db.Tx(cctx, fn); err != nil {
					t.Fatalf("%s while the keychain waits: %v (after %v)", what, err, time.Since(t0))
				}
				if took := time.Since(t0); took > time.Second {
					t.Fatalf("%s waited %v for the keychain", what, took)
				}
			}
			commit("a sync batch", func(tx *sql.Tx) error {
				for uid := 1; uid <= 50; uid++ {
					r, err := tx.ExecContext(ctx, syncHeaderSQL, acc.ID, folderID, uid, "id@shop.test", "",
						"Subject", "Ada", "ada@shop.test", time.Now().Unix(), 100, 0, 0, 0, 0, "", 0)
					if err != nil {
						return err
					}
					id, _ := r.LastInsertId()
					if _, err := tx.ExecContext(ctx, syncFTSSQL, id); err != nil {
						return err
					}
				}
				return nil
			})
			commit("an outbox marker", func(tx *sql.Tx) error {
				r, err := tx.ExecContext(ctx, outboxMarkerSQL, time.Now().UnixMilli(), outboxID)
				if err != nil {
					return err
				}
				if n, _ := r.RowsAffected(); n != 1 {
					return errors.New("the marker touched no row")
				}
				return nil
			})
			select {
			case err := <-done:
				t.Fatalf("%s finished before the keychain answered (%v): the test proved nothing", op, err)
			default:
			}
			var n int
			if err := f.db.R.QueryRow(`SELECT count(*) FROM messages WHERE folder_id=?`, folderID).Scan(&n); err != nil || n != 50 {
				t.Fatalf("the sync batch left %d messages (%v), want 50", n, err)
			}

			slow.Release()
			if err := <-done; err != nil {
				t.Fatalf("%s after the keychain answered: %v", op, err)
			}
			if op == "create" {
				list, _ := f.reg.List(ctx, 0)
				if len(list) != 2 {
					t.Fatalf("%d accounts after the create, want 2", len(list))
				}
			} else if pw, err := f.reg.Password(ctx, acc.ID); err != nil || pw != "changed-pw" {
				t.Fatalf("password after the update = %q, %v", pw, err)
			}
		})
	}
}

// An insert the database refuses (here the address is already connected) takes back the
// secret written for it.
func TestASecretWrittenForARefusedRowIsTakenBack(t *testing.T) {
	f := newFixture(t)
	if _, err := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "first"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.reg.CreateWith(ctx, f.owner.ID, sample("A@shop.test"), accounts.Secrets{Password: "second"})
	if !accounts.ErrEmailConnected.Is(err) {
		t.Fatalf("err = %v; want %s", err, accounts.ErrEmailConnected.Name)
	}
	if fe, _ := fault.As(err); fe.Field != "email" || fe.Params["address"] != "A@shop.test" {
		t.Fatalf("err = %+v; want the email field and its address", fe)
	}
	if keys := f.vault.Keys(); len(keys) != 1 {
		t.Fatalf("vault holds %v; the refused account's password was left behind", keys)
	}
	if n := pendingSecrets(t, f); n != 0 {
		t.Fatalf("%d secrets still marked pending after the undo", n)
	}
}

func pendingSecrets(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRow(`SELECT count(*) FROM pending_secrets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A crash between the secret's write and the row's commit leaves a secret no account names;
// the next start removes it, and only it.
func TestASecretOrphanedByACrashIsRemovedAtTheNextStart(t *testing.T) {
	f := newFixture(t)
	kept, err := f.reg.CreateWith(ctx, f.owner.ID, sample("kept@shop.test"), accounts.Secrets{Password: "kept-pw"})
	if err != nil {
		t.Fatal(err)
	}
	// The "crash": the vault's Set returns, then the process dies before the commit. The
	// crashing Create is stopped in its Set by cancelling nothing: the slow vault holds it
	// while the test closes the registry's world around it (a new registry is the restart).
	slow := newSlowVault(f.vault, time.Hour)
	crashing := accounts.New(f.db, slow)
	go func() {
		_, _ = crashing.CreateWith(ctx, f.owner.ID, sample("lost@shop.test"), accounts.Secrets{Password: "lost-pw"})
	}()
	key := <-slow.entered
	if err := slow.Memory.Set(key, "lost-pw"); err != nil { // the keychain took it…
		t.Fatal(err)
	}
	// …and the process died there: the goroutine above never commits (its Set never
	// returns before the test ends).
	if n := len(f.vault.Keys()); n != 2 {
		t.Fatalf("vault holds %d secrets before the restart, want 2", n)
	}

	restarted := accounts.New(f.db, f.vault)
	removed, err := restarted.CleanOrphanedSecrets(ctx)
	if err != nil || removed != 1 {
		t.Fatalf("CleanOrphanedSecrets = %d, %v; want 1 removed", removed, err)
	}
	if keys := f.vault.Keys(); len(keys) != 1 || slices.Contains(keys, key) {
		t.Fatalf("vault after cleaning = %v; want only the kept account's password", keys)
	}
	if pw, err := restarted.Password(ctx, kept.ID); err != nil || pw != "kept-pw" {
		t.Fatalf("the kept account's password = %q, %v", pw, err)
	}
	if n := pendingSecrets(t, f); n != 0 {
		t.Fatalf("%d secrets still pending after cleaning", n)
	}
}

// A Delete whose keychain fails still deletes the account, and its secrets leave the
// keychain at the next start.
func TestADeleteWithAFailingKeychainLeavesNoSecretAfterTheNextStart(t *testing.T) {
	f := newFixture(t)
	fv := &failingVault{Memory: f.vault}
	reg := accounts.New(f.db, fv)
	acc, err := reg.CreateWith(ctx, 0, sample("gone@shop.test"), accounts.Secrets{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	fv.mu.Lock()
	fv.failDelete = true
	fv.mu.Unlock()
	if err := reg.Delete(ctx, acc.ID); err != nil {
		t.Fatalf("delete with a failing keychain: %v", err)
	}
	if _, err := reg.Get(ctx, acc.ID); !accounts.ErrAccountGone.Is(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if len(f.vault.Keys()) != 1 {
		t.Fatalf("vault = %v; the failing keychain kept the password (as it should, until the next start)", f.vault.Keys())
	}
	// Still failing at the next start: nothing is lost, it is tried again later.
	if removed, err := accounts.New(f.db, fv).CleanOrphanedSecrets(ctx); err == nil || removed != 0 {
		t.Fatalf("cleaning with the keychain still failing = %d, %v; want an error", removed, err)
	}
	fv.mu.Lock()
	fv.failDelete = false
	fv.mu.Unlock()
	removed, err := accounts.New(f.db, fv).CleanOrphanedSecrets(ctx)
	if err != nil || removed != 1 || len(f.vault.Keys()) != 0 {
		t.Fatalf("cleaning at the next start = %d, %v; vault = %v", removed, err, f.vault.Keys())
	}
}

// An update writes a new password under a new key, points the row at it, then removes the
// old one: a failed update keeps the old password, a done one leaves nothing behind.
func TestUpdateReplacesASecretUnderANewKey(t *testing.T) {
	f := newFixture(t)
	acc, err := f.reg.CreateWith(ctx, f.owner.ID, sample("a@shop.test"), accounts.Secrets{Password: "first"})
	if err != nil {
		t.Fatal(err)
	}
	before := f.vault.Keys()
	other, err := f.reg.CreateWith(ctx, f.owner.ID, sample("b@shop.test"), accounts.Secrets{Password: "other"})
	if err != nil {
		t.Fatal(err)
	}
	// Refused by the database (b@ is taken): the old password stays, the new one goes.
	in := sample("b@shop.test")
	if _, err := f.reg.UpdateWith(ctx, acc.ID, in, accounts.Secrets{Password: "second"}); !accounts.ErrEmailConnected.Is(err) {
		t.Fatalf("update to a taken address: %v", err)
	}
	if pw, _ := f.reg.Password(ctx, acc.ID); pw != "first" {
		t.Fatalf("password after a refused update = %q", pw)
	}
	if n := len(f.vault.Keys()); n != 2 {
		t.Fatalf("vault holds %d secrets after a refused update, want 2", n)
	}
	if _, err := f.reg.UpdateWith(ctx, acc.ID, sample("a@shop.test"), accounts.Secrets{Password: "second"}); err != nil {
		t.Fatal(err)
	}
	if pw, _ := f.reg.Password(ctx, acc.ID); pw != "second" {
		t.Fatalf("password after the update = %q", pw)
	}
	keys := f.vault.Keys()
	if len(keys) != 2 || slices.Contains(keys, before[0]) {
		t.Fatalf("vault after the update = %v; the old password (%s) should be gone", keys, before[0])
	}
	if pw, _ := f.reg.Password(ctx, other.ID); pw != "other" {
		t.Fatalf("the other account's password = %q", pw)
	}
	if n := pendingSecrets(t, f); n != 0 {
		t.Fatalf("%d secrets still pending", n)
	}
}
