package syncer

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Keywords that share a mailbox's filing across workstations (F11): another Mailroom
// syncing the same mailbox reads them back. Dollar-prefixed like the registered keywords
// ($Forwarded, $Junk, $MDNSent: RFC 5788), private to Mailroom by name, so no other
// client gives them a meaning of its own. docs/ARCHITECTURE.md says why these.
const (
	KeywordFiled   imap.Flag = "$MailroomFiled"   // filed to at least one record
	KeywordHandled imap.Flag = "$MailroomHandled" // someone dealt with it
)

var (
	keywordFiledLower   = strings.ToLower(string(KeywordFiled))
	keywordHandledLower = strings.ToLower(string(KeywordHandled))
)

// keywordOf maps the intents (pending_flags.flag) pushed as keywords to them.
var keywordOf = map[string]imap.Flag{"handled": KeywordHandled, "filed": KeywordFiled}

// keywordsAllowed reports whether a selected mailbox keeps our keywords: PERMANENTFLAGS
// holds \* (new keywords may be made) or names both already. go-imap reads an absent
// PERMANENTFLAGS and an empty one alike (nil): both count as a refusal, the safe side
// (the states then stay on this workstation, and the UI says so).
func keywordsAllowed(sel *imap.SelectData) bool {
	has := func(k imap.Flag) bool {
		return slices.ContainsFunc(sel.PermanentFlags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(k)) })
	}
	return has(imap.FlagWildcard) || has(KeywordFiled) && has(KeywordHandled)
}

// noteKeywords stores whether the folder takes our keywords, when that changed.
func (w *worker) noteKeywords(ctx context.Context, f *folder, sel *imap.SelectData) error {
	ok := keywordsAllowed(sel)
	if f.keywordsOK.Valid && f.keywordsOK.Bool == ok {
		return nil
	}
	err := w.e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE folders SET keywords_ok = ? WHERE id = ?`, ok, f.id)
		return err
	})
	if err != nil {
		return dbError(fmt.Errorf("syncer: note keywords of %q: %w", f.name, err))
	}
	known := f.keywordsOK.Valid
	f.keywordsOK.Valid, f.keywordsOK.Bool = true, ok
	if !ok {
		w.logf("the folder refuses new keywords: handled and filed stay on this workstation", "folder", f.name)
	}
	if known { // a server changed its mind; a first answer comes with the sync's own news
		w.e.emitChanged(w.id, true)
	}
	return nil
}

// SetHandled marks messages handled (or not): the rows at once, the server's
// $MailroomHandled keyword when connected (pending_flags, like SetFlags), so another
// workstation syncing the mailbox sees it. Where the folder refuses new keywords the state
// stays here. Unknown ids are ignored.
func (e *Engine) SetHandled(ctx context.Context, messageIDs []int64, handled bool) error {
	return e.setFlags(ctx, messageIDs, "handled", handled)
}

// FlagsQueued tells the accounts' workers that intents were queued in pending_flags by
// another part of the app (the filing engine queues "filed"): they push them now when
// connected, else after they connect. It never blocks.
func (e *Engine) FlagsQueued(accountIDs ...int64) {
	for _, id := range accountIDs {
		if w := e.worker(id); w != nil {
			w.poke(w.flags)
		}
	}
}
