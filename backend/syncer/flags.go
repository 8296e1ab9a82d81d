package syncer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/fault"
)

// The flags the user changes, and their IMAP names (the shared states' keywords are in
// keywords.go: keywordOf).
var imapFlagOf = map[string]imap.Flag{
	"seen":    imap.FlagSeen,
	"flagged": imap.FlagFlagged,
}

// imapFlag is the IMAP name of an intent's flag.
func imapFlag(name string) imap.Flag {
	if k, ok := keywordOf[name]; ok {
		return k
	}
	return imapFlagOf[name]
}

// columnOf is the messages column of each flag.
var columnOf = map[string]string{"seen": "seen", "flagged": "flagged", "handled": "handled", "filed": "shared_filed"}

// Flags lists the flags the app changes (the keys of imapFlagOf).
var Flags = []string{"seen", "flagged"}

// SetFlags sets or clears a flag ("seen" or "flagged") on messages. The rows change at
// once (the UI may re-read them when SetFlags returns); the change is kept as an intent
// (pending_flags) that the account's worker pushes to the server when connected — now,
// after a reconnect, or after a restart — and that no re-sync overwrites meanwhile.
// Unknown ids are ignored.
func (e *Engine) SetFlags(ctx context.Context, messageIDs []int64, flag string, value bool) error {
	if !slices.Contains(Flags, flag) {
		return ErrFlagUnknown.Field("flag", fault.P{"flag": flag})
	}
	return e.setFlags(ctx, messageIDs, flag, value)
}

func (e *Engine) setFlags(ctx context.Context, messageIDs []int64, flag string, value bool) error {
	if len(messageIDs) == 0 {
		return nil
	}
	touched := map[int64]bool{}
	now := time.Now().Unix()
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		find, err := tx.PrepareContext(ctx, `SELECT account_id FROM messages WHERE id = ? AND folder_id IS NOT NULL`)
		if err != nil {
			return err
		}
		defer find.Close()
		// A literal column name of columnOf.
		upd, err := tx.PrepareContext(ctx, `UPDATE messages SET `+columnOf[flag]+` = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer upd.Close()
		intent, err := tx.PrepareContext(ctx, `INSERT INTO pending_flags(message_id, flag, value, queued_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(message_id, flag) DO UPDATE SET value = excluded.value, queued_at = excluded.queued_at`)
		if err != nil {
			return err
		}
		defer intent.Close()
		for _, id := range messageIDs {
			var acc int64
			if err := find.QueryRowContext(ctx, id).Scan(&acc); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				return err
			}
			if _, err := upd.ExecContext(ctx, value, id); err != nil {
				return err
			}
			if _, err := intent.ExecContext(ctx, id, flag, value, now); err != nil {
				return err
			}
			touched[acc] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("syncer: set %s: %w", flag, err)
	}
	for acc := range touched {
		e.emitChanged(acc, true)
		if w := e.worker(acc); w != nil {
			w.poke(w.flags)
		}
	}
	return nil
}

type intent struct {
	messageID int64
	uid       uint32
	flag      string
	value     bool
}

type folderIntents struct {
	id          int64
	name        string
	uidvalidity uint32
	keywordsOK  sql.NullBool
	intents     []intent
}

// pushFlags sends the account's pending flag changes to the server (UID STORE, silent)
// and forgets each one the server took — unless the user changed it again meanwhile.
func (w *worker) pushFlags(s *session) error {
	ctx := w.ctx
	rows, err := w.e.deps.DB.R.QueryContext(ctx, `SELECT p.message_id, p.flag, p.value, m.uid, f.id, f.name, f.uidvalidity, f.keywords_ok
		FROM pending_flags p JOIN messages m ON m.id = p.message_id JOIN folders f ON f.id = m.folder_id
		WHERE m.account_id = ? ORDER BY f.id`, w.id)
	if err != nil {
		return dbError(fmt.Errorf("syncer: pending flags: %w", err))
	}
	var folders []*folderIntents
	for rows.Next() {
		var in intent
		var fid int64
		var name string
		var uidvalidity uint32
		var kwOK sql.NullBool
		if err := rows.Scan(&in.messageID, &in.flag, &in.value, &in.uid, &fid, &name, &uidvalidity, &kwOK); err != nil {
			rows.Close()
			return dbError(fmt.Errorf("syncer: pending flags: %w", err))
		}
		if len(folders) == 0 || folders[len(folders)-1].id != fid {
			folders = append(folders, &folderIntents{id: fid, name: name, uidvalidity: uidvalidity, keywordsOK: kwOK})
		}
		last := folders[len(folders)-1]
		last.intents = append(last.intents, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dbError(fmt.Errorf("syncer: pending flags: %w", err))
	}
	for _, f := range folders {
		sel, err := s.ensureSelected(f.name)
		var ie *imap.Error
		if errors.As(err, &ie) {
			w.logf("cannot open folder to push flags", "folder", f.name, "err", err)
			continue // the folder's next sync sorts it out
		}
		if err != nil {
			return err
		}
		if sel.UIDValidity != f.uidvalidity {
			continue // these messages are about to be purged
		}
		// A folder that refuses new keywords keeps handled and filed here only: the
		// intents are done with (the rows hold the state; applyFlags keeps it).
		kwOK := keywordsAllowed(sel)
		if !f.keywordsOK.Valid || f.keywordsOK.Bool != kwOK {
			ff := &folder{id: f.id, name: f.name, keywordsOK: f.keywordsOK}
			if err := w.noteKeywords(ctx, ff, sel); err != nil {
				return err
			}
		}
		type key struct {
			flag  string
			value bool
		}
		groups := map[key][]imap.UID{}
		for _, in := range f.intents {
			if _, kw := keywordOf[in.flag]; kw && !kwOK {
				continue
			}
			k := key{in.flag, in.value}
			groups[k] = append(groups[k], imap.UID(in.uid))
		}
		for k, uids := range groups {
			err := s.storeFlag(uids, imapFlag(k.flag), k.value)
			if errors.As(err, &ie) {
				w.logf("server refused a flag change", "folder", f.name, "err", err)
			} else if err != nil {
				return err
			}
		}
		err = w.e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
			del, err := tx.PrepareContext(ctx, `DELETE FROM pending_flags WHERE message_id = ? AND flag = ? AND value = ?`)
			if err != nil {
				return err
			}
			defer del.Close()
			for _, in := range f.intents {
				if _, err := del.ExecContext(ctx, in.messageID, in.flag, in.value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return dbError(fmt.Errorf("syncer: forget pushed flags: %w", err))
		}
	}
	return nil
}

// storeFlag adds or removes one flag on messages of the selected mailbox. UIDs go as
// ranges, at most maxStoreRanges a command: a first filing of a big mailbox queues tens of
// thousands, and servers bound a command line (Dovecot: 64 KiB).
func (s *session) storeFlag(uids []imap.UID, flag imap.Flag, add bool) error {
	op := imap.StoreFlagsDel
	if add {
		op = imap.StoreFlagsAdd
	}
	for _, set := range uidChunks(uids, maxStoreRanges) {
		s.begin()
		cmd := s.c.Store(set, &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{flag}}, nil)
		err := cmd.Close()
		s.end()
		if err != nil {
			return fmt.Errorf("syncer: store %s in %q: %w", flag, s.selected, err)
		}
	}
	return nil
}

// maxStoreRanges bounds the ranges of one UID STORE (each at most 23 bytes: "4294967295:4294967295,").
const maxStoreRanges = 2000

// uidChunks sorts uids and returns them as UID sets of consecutive ranges, each of at
// most n ranges.
func uidChunks(uids []imap.UID, n int) []imap.UIDSet {
	sorted := slices.Clone(uids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var out []imap.UIDSet
	var cur imap.UIDSet
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		if len(cur) == n {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, imap.UIDRange{Start: sorted[i], Stop: sorted[j]})
		i = j + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
