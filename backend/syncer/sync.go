package syncer

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// flagSet is what the store keeps of a message's flags.
type flagSet struct {
	seen, flagged, answered, draft bool
	handled, filed                 bool   // $MailroomHandled, $MailroomFiled (shared across workstations)
	keywords                       string // other flags, space-separated
}

func flagsOf(fl []imap.Flag) flagSet {
	var f flagSet
	var kw []string
	for _, x := range fl {
		switch strings.ToLower(string(x)) {
		case `\seen`:
			f.seen = true
		case `\flagged`:
			f.flagged = true
		case `\answered`:
			f.answered = true
		case `\draft`:
			f.draft = true
		case `\recent`, `\deleted`:
		case keywordHandledLower:
			f.handled = true
		case keywordFiledLower:
			f.filed = true
		default:
			kw = append(kw, string(x))
		}
	}
	f.keywords = strings.Join(kw, " ")
	return f
}

// header is what a header FETCH returns for one message.
type header struct {
	uid            uint32
	flags          flagSet
	env            *imap.Envelope
	internalDate   time.Time
	size           int64
	hasAttachments bool
}

type flagRow struct {
	uid   uint32
	flags flagSet
}

// plan is what a folder sync found to do.
type plan struct {
	deletes []uint32   // local messages gone from the server
	flags   []flagRow  // flags changed on the server
	fetch   []imap.UID // headers to fetch, newest (highest UID) first
	sel     *imap.SelectData
}

// syncFolder brings one folder's headers, flags and membership in step with the
// server, newest first, and with withBodies its bodies too.
//
// State rules: folders.uidnext, highestmodseq and message_count move only in the same
// transaction as the last batch they vouch for, so an interrupted sync resumes where it
// stopped and never skips a message.
func (w *worker) syncFolder(ctx context.Context, s *session, f *folder, withBodies bool) error {
	f, err := w.loadFolder(ctx, f.id)
	if err != nil {
		return err
	}
	sel, err := s.selectMailbox(f.name)
	if err != nil {
		return err
	}
	if err := w.noteKeywords(ctx, f, sel); err != nil {
		return err
	}
	if sel.UIDValidity != f.uidvalidity {
		// UIDs of the old generation mean nothing now: forget them, fetch again.
		if err := w.e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
			return purgeFolder(ctx, tx, f.id, sel.UIDValidity)
		}); err != nil {
			return dbError(fmt.Errorf("syncer: purge %q: %w", f.name, err))
		}
		if f.uidvalidity != 0 {
			w.logf("UIDVALIDITY changed: folder purged", "folder", f.name)
			w.e.stored(Stored{AccountID: w.id, Removed: true})
			w.e.emitChanged(w.id, true)
		}
		f.uidvalidity, f.uidnext, f.modseq, f.count = sel.UIDValidity, 0, 0, 0
	}
	p, err := w.planFolder(ctx, s, f, sel)
	if err != nil {
		return err
	}
	if p != nil {
		if err := w.applyPlan(ctx, s, f, p); err != nil {
			return err
		}
	}
	if withBodies {
		return w.syncBodies(ctx, s, f)
	}
	return nil
}

// uidRange is the UID set lo:hi; hi 0 means "*".
func uidRange(lo, hi uint32) imap.UIDSet {
	return imap.UIDSet{imap.UIDRange{Start: imap.UID(lo), Stop: imap.UID(hi)}}
}

// planFolder compares the server (sel) with the store and returns what to do, or nil
// when nothing changed.
func (w *worker) planFolder(ctx context.Context, s *session, f *folder, sel *imap.SelectData) (*plan, error) {
	uidNext := uint32(sel.UIDNext)
	condstore := sel.HighestModSeq != 0
	if f.uidnext != 0 && uidNext != 0 && f.uidnext == uidNext && condstore &&
		f.modseq == sel.HighestModSeq && f.count == int(sel.NumMessages) {
		// CONDSTORE vouches that nothing changed since the state was saved (with the
		// count of stored rows, in the same transaction as the rows).
		return nil, nil
	}
	local, err := w.localCount(ctx, f.id)
	if err != nil {
		return nil, err
	}
	var bound uint32 // the highest UID this sync covers; 0: "*" (server gave no UIDNEXT)
	if uidNext > 0 {
		bound = uidNext - 1
	}
	p := &plan{sel: sel}
	if uidNext > 0 && bound == 0 {
		return p, nil // an empty mailbox that never had a message
	}
	incremental := f.uidnext != 0 && uidNext != 0 && uidNext >= f.uidnext
	if incremental {
		var fresh []imap.UID
		if uidNext > f.uidnext {
			if fresh, err = s.searchUIDs(uidRange(f.uidnext, bound)); err != nil {
				return nil, err
			}
			have, err := w.localUIDs(ctx, f.id, f.uidnext)
			if err != nil {
				return nil, err
			}
			fresh = without(fresh, have) // kept by an earlier, interrupted sync
		}
		// Over the whole range: rows an interrupted sync stored above the old UIDNEXT
		// need their flags too (new messages among the answers are harmless).
		since := uint64(0)
		if condstore && f.modseq > 0 {
			since = f.modseq
		}
		if p.flags, err = s.fetchFlags(uidRange(1, bound), since); err != nil {
			return nil, err
		}
		p.fetch = fresh
		// Only a removal makes the server count fall short of ours plus the new ones.
		if int(sel.NumMessages) == local+len(fresh) {
			sortNewestFirst(p.fetch)
			return p, nil
		}
	}
	// Compare the whole UID sets: removed messages go, missing ones are fetched.
	server, err := s.searchUIDs(uidRange(1, bound))
	if err != nil {
		return nil, err
	}
	have, err := w.localUIDs(ctx, f.id, 0)
	if err != nil {
		return nil, err
	}
	onServer := make(map[uint32]bool, len(server))
	for _, u := range server {
		if bound == 0 || uint32(u) <= bound {
			onServer[uint32(u)] = true
		}
	}
	kept := 0
	for u := range have {
		if onServer[u] {
			kept++
		} else {
			p.deletes = append(p.deletes, u)
		}
	}
	fetch := map[imap.UID]bool{}
	for _, u := range p.fetch {
		fetch[u] = true
	}
	for u := range onServer {
		if !have[u] && !fetch[imap.UID(u)] {
			p.fetch = append(p.fetch, imap.UID(u))
		}
	}
	if !incremental && kept > 0 {
		// Resuming an interrupted first sync: what was stored may be stale.
		if p.flags, err = s.fetchFlags(uidRange(1, bound), 0); err != nil {
			return nil, err
		}
	}
	sortNewestFirst(p.fetch)
	return p, nil
}

func without(uids []imap.UID, have map[uint32]bool) []imap.UID {
	out := uids[:0]
	for _, u := range uids {
		if !have[uint32(u)] {
			out = append(out, u)
		}
	}
	return out
}

func sortNewestFirst(uids []imap.UID) {
	slices.SortFunc(uids, func(a, b imap.UID) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
}

// batches splits uids into a first small batch and larger ones.
func batches(uids []imap.UID, first, rest int) [][]imap.UID {
	var out [][]imap.UID
	n := first
	for len(uids) > 0 {
		k := min(n, len(uids))
		out = append(out, uids[:k])
		uids = uids[k:]
		n = rest
	}
	return out
}

// applyPlan fetches the headers in batches and commits each batch in one transaction;
// the first also carries the removals and flag changes, the last the folder's new state.
func (w *worker) applyPlan(ctx context.Context, s *session, f *folder, p *plan) error {
	bs := batches(p.fetch, w.e.opts.FirstBatch, w.e.opts.HeaderBatch)
	total, done := len(p.fetch), 0
	if total > 0 {
		w.progress(Event{Folder: f.name, Phase: PhaseHeaders, Done: 0, Total: total})
	}
	changed := len(p.deletes) > 0 || len(p.flags) > 0
	if len(bs) == 0 {
		err := w.e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
			if err := applyDeletes(ctx, tx, f.id, p.deletes); err != nil {
				return err
			}
			if err := applyFlags(ctx, tx, f.id, p.flags); err != nil {
				return err
			}
			return saveFolderState(ctx, tx, f.id, p.sel)
		})
		if err != nil {
			return dbError(fmt.Errorf("syncer: store %q: %w", f.name, err))
		}
		if changed {
			w.e.stored(Stored{AccountID: w.id, Removed: len(p.deletes) > 0})
			w.e.emitChanged(w.id, false)
		}
		return nil
	}
	// The worker fetches batch k+1 while the committer writes batch k. Writes use the
	// worker's context: a Cancel stops fetching, and what was fetched is kept.
	com := newCommitter(w.e.log.Error)
	var err error
	for i, b := range bs {
		if err = ctx.Err(); err != nil {
			break
		}
		t0 := time.Now()
		var hs []header
		if hs, err = w.fetchHeaders(s, f, b, i == 0); err != nil {
			break
		}
		fetchTook := time.Since(t0)
		first, last := i == 0, i == len(bs)-1
		err = com.submit(func() error {
			t1 := time.Now()
			var ids []int64
			err := w.e.deps.DB.Tx(w.ctx, func(tx *sql.Tx) error {
				if first {
					if err := applyDeletes(w.ctx, tx, f.id, p.deletes); err != nil {
						return err
					}
					if err := applyFlags(w.ctx, tx, f.id, p.flags); err != nil {
						return err
					}
				}
				var err error
				if ids, err = insertHeaders(w.ctx, tx, w.id, f.id, hs); err != nil {
					return err
				}
				if last {
					return saveFolderState(w.ctx, tx, f.id, p.sel)
				}
				return nil
			})
			if err != nil {
				return dbError(fmt.Errorf("syncer: store headers of %q: %w", f.name, err))
			}
			w.e.log.Debug("syncer: headers", "account", w.id, "folder", f.name, "messages", len(hs),
				"fetch", fetchTook, "store", time.Since(t1))
			done += len(b)
			w.progress(Event{Folder: f.name, Phase: PhaseHeaders, Done: done, Total: total})
			w.e.stored(Stored{AccountID: w.id, MessageIDs: ids, Removed: first && len(p.deletes) > 0})
			w.e.emitChanged(w.id, first)
			return nil
		})
		if err != nil {
			break
		}
	}
	if cerr := com.wait(); err == nil {
		err = cerr
	}
	return err
}

// fetchFlags returns the flags of the messages in set; with since > 0 only of those
// changed after that MODSEQ (CONDSTORE).
func (s *session) fetchFlags(set imap.UIDSet, since uint64) ([]flagRow, error) {
	s.begin()
	defer s.end()
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true, ChangedSince: since})
	var out []flagRow
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			_ = cmd.Close()
			return nil, fmt.Errorf("syncer: fetch flags in %q: %w", s.selected, err)
		}
		if buf.UID != 0 {
			out = append(out, flagRow{uid: uint32(buf.UID), flags: flagsOf(buf.Flags)})
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("syncer: fetch flags in %q: %w", s.selected, err)
	}
	return out, nil
}

// Header levels: what a header FETCH asks for. go-imap v2.0.0-beta.8 drops the
// connection when it cannot parse an answer — some servers describe odd messages with a
// BODYSTRUCTURE it rejects — so a batch whose answer could not be read is fetched again,
// after reconnecting, with less: first without BODYSTRUCTURE (has_attachments then comes
// from the body), then without ENVELOPE (subject, addresses and date then come from the
// body too), then not at all (a bare row the body fills). One odd message never blocks a
// folder.
const (
	levelFull = iota
	levelNoStructure
	levelNoEnvelope
	levelBare
)

type degradedKey struct {
	folder      int64
	uidvalidity uint32
	uid         uint32
}

// fetchHeaders fetches the headers of uids, each at its level; without structure, at
// most levelNoStructure. Only a plan's first batch (the newest messages, on screen at
// once) asks for BODYSTRUCTURE: it is for the list's paperclip alone, which the body
// sets too, and it costs the server a parse of the whole message — on a first sync of
// 10,000 small messages from Dovecot, 0.4–0.6 s of the ~1 s its header batches took.
func (w *worker) fetchHeaders(s *session, f *folder, uids []imap.UID, structure bool) ([]header, error) {
	byLevel := map[int][]imap.UID{}
	for _, u := range uids {
		l := w.degraded[degradedKey{f.id, f.uidvalidity, uint32(u)}]
		if !structure {
			l = max(l, levelNoStructure)
		}
		byLevel[l] = append(byLevel[l], u)
	}
	var out []header
	for level := levelFull; level <= levelBare; level++ {
		group := byLevel[level]
		if len(group) == 0 {
			continue
		}
		if level == levelBare {
			for _, u := range group {
				out = append(out, header{uid: uint32(u), env: &imap.Envelope{}, internalDate: time.Now()})
			}
			continue
		}
		hs, err := s.fetchHeaders(group, level)
		if err != nil {
			if unreadableAnswer(err) {
				for _, u := range group {
					w.degraded[degradedKey{f.id, f.uidvalidity, uint32(u)}] = level + 1
				}
				w.logf("unreadable answer from the server: fetching these headers with less", "folder", f.name,
					"messages", len(group), "level", level+1, "err", err)
			}
			return nil, err
		}
		out = append(out, hs...)
	}
	return out, nil
}

// unreadableAnswer reports whether err is go-imap failing to parse the server's answer
// (rather than the connection failing). The client flattens the cause into text.
func unreadableAnswer(err error) bool {
	msg := err.Error()
	if !strings.Contains(msg, "in response") {
		return false
	}
	for _, net := range []string{"i/o timeout", "closed network connection", "connection reset", "broken pipe", "EOF"} {
		if strings.Contains(msg, net) {
			return false
		}
	}
	return true
}

// fetchHeaders fetches what the message list needs of each message in uids.
func (s *session) fetchHeaders(uids []imap.UID, level int) ([]header, error) {
	s.begin()
	defer s.end()
	opts := &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true}
	if level < levelNoEnvelope {
		opts.Envelope = true
	}
	if level < levelNoStructure {
		opts.BodyStructure = &imap.FetchItemBodyStructure{Extended: true}
	}
	cmd := s.c.Fetch(imap.UIDSetNum(uids...), opts)
	out := make([]header, 0, len(uids))
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			_ = cmd.Close()
			return nil, fmt.Errorf("syncer: fetch headers in %q: %w", s.selected, err)
		}
		if buf.UID == 0 {
			continue
		}
		out = append(out, headerOf(buf))
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("syncer: fetch headers in %q: %w", s.selected, err)
	}
	return out, nil
}

func headerOf(buf *imapclient.FetchMessageBuffer) header {
	env := buf.Envelope
	if env == nil {
		env = &imap.Envelope{}
	}
	return header{
		uid:            uint32(buf.UID),
		flags:          flagsOf(buf.Flags),
		env:            env,
		internalDate:   buf.InternalDate,
		size:           buf.RFC822Size,
		hasAttachments: hasAttachments(buf.BodyStructure),
	}
}

// hasAttachments reports whether a body structure has a part the user would call an
// attachment: one marked so, or a named part not marked inline.
func hasAttachments(bs imap.BodyStructure) bool {
	if bs == nil {
		return false
	}
	found := false
	bs.Walk(func(_ []int, part imap.BodyStructure) bool {
		sp, ok := part.(*imap.BodyStructureSinglePart)
		if !ok || found {
			return !found
		}
		d := sp.Disposition()
		switch {
		case d != nil && strings.EqualFold(d.Value, "attachment"):
			found = true
		case (d == nil || !strings.EqualFold(d.Value, "inline")) && sp.Filename() != "":
			found = true
		}
		return false
	})
	return found
}
