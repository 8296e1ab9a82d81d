package filing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mailroom/backend/records"
	"mailroom/backend/store"
)

// Defaults of Options.
const (
	DefaultBatch       = 500                    // messages read, decided and written per transaction
	DefaultRefileBatch = 5000                   // … in a re-file of everything (new mail goes first between two)
	DefaultSettle      = 200 * time.Millisecond // at least this between two rounds' starts, so that close notices make one round
	DefaultIndexTTL    = time.Minute            // the index is read again at least this often (accounts, users)
	refileVersionKey   = "filing.version"       // the rules' version the stored filing was made with
	refileVersion      = "1"                    // bump when the rules change: every message is filed again at start
)

// Deps are what the engine uses; Emit, Queued and Log may be nil.
type Deps struct {
	DB   *store.DB
	Emit func(Event) // called from the engine's goroutine; must not block
	// Queued hears which accounts got $MailroomFiled changes to push (pending_flags; the
	// sync's workers push them: syncer.Engine.FlagsQueued). It must not block.
	Queued func(accountIDs ...int64)
	Log    *slog.Logger
}

// Options tune the engine; zero values take the defaults.
type Options struct {
	Batch       int
	RefileBatch int
	Settle      time.Duration
	IndexTTL    time.Duration
	Now         func() time.Time
}

// Event tells the UI that what filing shows changed.
type Event struct {
	// ToFile is how many messages wait in "To file" (all accounts; the UI re-reads its own).
	ToFile int
	// Progress of a re-file (its Kind says which); nil when the event is about the count only.
	Progress *Progress
}

// The kinds of Progress: what a re-file is for.
const (
	ProgressAll     = "all"     // every message (Refile, the first run, rules changed); CancelRefile stops it
	ProgressRecords = "records" // the past mail of changed records (RecordsChanged: a contact added, an import)
)

// ProgressKinds lists the kinds of Progress (for the generated contract).
var ProgressKinds = []string{ProgressAll, ProgressRecords}

// Progress is a re-file: of all mail, or of the mail of changed records. Total is 0 until
// the messages to file are known.
type Progress struct {
	Kind      string
	Running   bool
	Done      int
	Total     int
	Records   int  // with ProgressRecords: how many records changed
	Cancelled bool // over before its end: cancelled (or, of changed records, failed or stopped)
}

// Engine files messages into records on one goroutine of its own. Build it with New.
type Engine struct {
	deps Deps
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	messages map[int64]bool // to file, from the sync
	records  map[int64]bool // changed records: their past mail is filed again
	dirty    bool           // the index must be read again
	refile   bool           // a re-file of everything is asked
	cancel   context.CancelFunc
	progress Progress
	started  bool
	stop     context.CancelFunc
	wake     chan struct{}
	now      chan struct{} // FileNow: the next round starts without waiting out Settle
	wg       sync.WaitGroup

	ix        *index // owned by the goroutine
	ixAt      time.Time
	lastCount int
	// readIx is ix for a re-file's read-ahead, which decides with it (an index is never
	// changed once read: a newer one is another pointer).
	readIx atomic.Pointer[index]

	afterRead func(readBatch) // tests: a re-file's batch was read ahead (called before it is handed over)
}

// New builds an engine. It does no I/O.
func New(deps Deps, opts Options) *Engine {
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.RefileBatch <= 0 {
		opts.RefileBatch = DefaultRefileBatch
	}
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	if opts.IndexTTL <= 0 {
		opts.IndexTTL = DefaultIndexTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Engine{deps: deps, opts: opts, log: log, messages: map[int64]bool{}, records: map[int64]bool{},
		wake: make(chan struct{}, 1), now: make(chan struct{}, 1), lastCount: -1, progress: Progress{Kind: ProgressAll}}
}

// Start starts the engine's goroutine. When the stored filing was made by other rules (or
// never, on the first run) every message is filed again, in the background.
func (e *Engine) Start(ctx context.Context) error {
	v, _, err := e.deps.DB.Setting(ctx, refileVersionKey)
	if err != nil {
		return fmt.Errorf("filing: start: %w", err)
	}
	ctx, stop := context.WithCancel(ctx)
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		stop()
		return errors.New("filing: start: already started")
	}
	e.started, e.stop = true, stop
	if v != refileVersion {
		e.refile = true
	}
	e.mu.Unlock()
	e.wg.Add(1)
	go e.run(ctx)
	e.poke()
	return nil
}

// Stop stops the goroutine (a re-file in progress stops between batches) and waits for it.
func (e *Engine) Stop() {
	e.mu.Lock()
	stop := e.stop
	e.mu.Unlock()
	if stop != nil {
		stop()
	}
	e.wg.Wait()
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// MessagesStored files these messages (the sync stored their headers or bodies). It
// never blocks.
func (e *Engine) MessagesStored(ids []int64) {
	e.mu.Lock()
	for _, id := range ids {
		e.messages[id] = true
	}
	e.mu.Unlock()
	e.poke()
}

// Notice is what the sync stored, as its Stored hook tells it (the syncer's own type is
// above this package).
type Notice struct {
	IDs     []int64 // new messages' headers, or with Bodies their bodies
	Bodies  bool
	Drained bool // with Bodies: the folder's last missing body; nothing follows
}

// Stored takes a sync's notice. New mail is filed with its body, not its headers: the
// body follows in every sync, and the decision needs it (bulk, no-reply, the evidence of
// open records), so filing at the headers did the work twice and held the writer the
// sync needs. Every notice makes a round, so a notice without bodies still counts "To
// file" again (mail removed, flags from another workstation). It never blocks.
func (e *Engine) Stored(n Notice) {
	if !n.Bodies {
		n.IDs = nil
	}
	e.MessagesStored(n.IDs)
	if n.Drained {
		e.FileNow()
	}
}

// FileNow starts the next round without waiting out what remains of Settle: the sync
// says no batch follows (a folder's bodies are all stored), so there is nothing left to
// gather and the mail is filed at once. It never blocks.
func (e *Engine) FileNow() {
	select {
	case e.now <- struct{}{}:
	default:
	}
	e.poke()
}

// RecordsChanged files again the mail of changed records: a new address or domain brings
// its past mail, a removed one takes its automatic links away. It never blocks.
func (e *Engine) RecordsChanged(ids []int64) {
	e.mu.Lock()
	for _, id := range ids {
		e.records[id] = true
	}
	e.dirty = true
	e.mu.Unlock()
	e.poke()
}

// Refile files every message again, in the background (Progress events); CancelRefile
// stops it. Asking while one runs restarts nothing.
func (e *Engine) Refile() {
	e.mu.Lock()
	e.refile, e.dirty = true, true
	e.mu.Unlock()
	e.poke()
}

// CancelRefile stops a re-file of all mail between two batches; what was filed stays.
func (e *Engine) CancelRefile() {
	e.mu.Lock()
	e.refile = false
	if e.cancel != nil {
		e.cancel()
	}
	e.mu.Unlock()
}

// Progress returns the state of the last re-file of all mail (Kind ProgressAll).
func (e *Engine) Progress() Progress {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.progress
}

func (e *Engine) emit(ev Event) {
	if e.deps.Emit != nil {
		e.deps.Emit(ev)
	}
}

func (e *Engine) run(ctx context.Context) {
	defer e.wg.Done()
	// A re-file cut short by a crash left its indexes dropped: build them first.
	if err := e.buildIndexes(ctx); err != nil && ctx.Err() == nil {
		e.log.Error("filing: build the indexes a re-file dropped", "err", err)
	}
	var last time.Time // when the last round started
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		}
		// Close notices (a sync's batches, an import) gather into one round: rounds start at
		// most once per Settle. A notice after a quiet while is filed at once, and the last
		// notices of a sync wait what remains of the interval, not a whole Settle after them
		// (the sync's end waited for it: make bench-filing's sync_overhead), or none when
		// the sync says its last batch is stored (FileNow).
		if wait := e.opts.Settle - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			case <-e.now: // nothing follows: file at once
			}
		}
		select { // a FileNow before this round is served by it
		case <-e.now:
		default:
		}
		last = time.Now()
		if err := e.round(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("filing: a round failed; it is tried again with the next notice", "err", err)
		}
	}
}

// round does what was asked since the last one: the incremental work first (so new mail
// is filed at once), then a re-file of everything.
func (e *Engine) round(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("filing: panic", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("filing: panic: %v", p)
		}
	}()
	if _, err := e.incremental(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	refile := e.refile
	e.refile = false
	e.mu.Unlock()
	if refile {
		if err := e.refileAll(ctx); err != nil {
			return err
		}
	}
	return e.count(ctx)
}

func (e *Engine) index(ctx context.Context) (*index, error) {
	e.mu.Lock()
	dirty := e.dirty
	e.dirty = false
	e.mu.Unlock()
	if e.ix == nil || dirty || e.opts.Now().Sub(e.ixAt) > e.opts.IndexTTL {
		ix, err := loadIndex(ctx, e.deps.DB.R)
		if err != nil {
			return nil, err
		}
		e.ix, e.ixAt = ix, e.opts.Now()
		e.readIx.Store(ix)
	}
	return e.ix, nil
}

// incremental files the messages the sync stored and those of changed records; it
// returns them.
//
// With changed records it reports its progress (ProgressRecords), as a re-file of all mail
// does: a contact's past mail is a few messages, but an import of thousands of contacts or
// a company of a busy domain files much of the mailbox again, and the user waits for it
// on the record's page. It is not cancellable: stopped halfway, the records' mail would
// stay half filed until a re-file of everything.
func (e *Engine) incremental(ctx context.Context) (_ map[int64]bool, err error) {
	e.mu.Lock()
	msgs, recs := e.messages, e.records
	e.messages, e.records = map[int64]bool{}, map[int64]bool{}
	e.mu.Unlock()
	var batchDone func(int)
	if len(recs) > 0 {
		// Told at once: finding the messages of 40,000 imported contacts takes a while too.
		p := Progress{Kind: ProgressRecords, Running: true, Records: len(recs)}
		e.emitProgress(p)
		defer func() {
			p.Running, p.Cancelled = false, err != nil
			e.emitProgress(p)
		}()
		var ids []int64
		if ids, err = affected(ctx, e.deps.DB.R, keys(recs)); err != nil {
			return nil, err
		}
		for _, id := range ids {
			msgs[id] = true
		}
		p.Total = len(msgs) // new mail of the same round too: it is filed in the same batches
		e.emitProgress(p)
		batchDone = func(n int) {
			p.Done = min(p.Done+n, p.Total)
			e.emitProgress(p)
		}
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	return msgs, e.file(ctx, keys(msgs), e.opts.Batch, false, normalizer{}, batchDone)
}

// emitProgress tells the UI how a re-file of changed records goes (refileAll keeps its
// own, which Progress returns).
func (e *Engine) emitProgress(p Progress) {
	e.emit(Event{ToFile: e.lastCount, Progress: &p})
}

func keys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// refileAll files every message again, newest first, batch by batch; CancelRefile stops it.
func (e *Engine) refileAll(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var total int
	if err := e.deps.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&total); err != nil {
		return fmt.Errorf("filing: count messages: %w", err)
	}
	e.mu.Lock()
	e.cancel = cancel
	e.progress = Progress{Kind: ProgressAll, Running: true, Total: total}
	p := e.progress
	e.dirty = true
	e.mu.Unlock()
	e.emit(Event{ToFile: e.lastCount, Progress: &p})
	defer e.borrowCache(ctx)()
	defer func() {
		e.mu.Lock()
		e.cancel = nil
		e.progress.Running = false
		e.progress.Cancelled = ctx.Err() != nil
		p := e.progress
		e.mu.Unlock()
		e.emit(Event{ToFile: e.lastCount, Progress: &p})
	}()
	// Runs before the deferred end of progress: a re-file is over when its indexes are back.
	if err := e.dropIndexes(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer func() {
		if err := e.buildIndexes(context.WithoutCancel(ctx)); err != nil {
			e.log.Error("filing: build the indexes again after a re-file (the next start tries again)", "err", err)
		}
	}()
	// The next batch is read (on a reader connection) and decided while this one is written
	// (on the writer): on two cores, reading and deciding no longer add to a re-file's time.
	if _, err := e.index(ctx); err != nil { // the read-ahead's, at once
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	readCtx, stopReading := context.WithCancel(ctx)
	batches := make(chan readBatch, 1)
	go e.readAhead(readCtx, batches)
	defer func() {
		stopReading()
		for range batches { // until readAhead is gone
		}
	}()
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil // cancelled (or stopped): what was filed stays
		}
		// New mail goes first.
		filed, err := e.incremental(ctx)
		if err != nil {
			return err
		}
		var b readBatch
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case b, ok = <-batches:
		}
		if !ok {
			break
		}
		if b.err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return b.err
		}
		if b.overlaps(filed) {
			// The batch was read before new mail of its own went first: what it read may be
			// older than what was just written. Read again.
			if b.ins, err = readInputs(ctx, e.deps.DB.R, b.set, normalizer{}); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			b.outs = nil
		}
		if err := e.fileRead(ctx, b.set, b.ins, b.ix, b.outs); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		done += len(b.set.ids)
		e.mu.Lock()
		e.progress.Done = min(done, e.progress.Total)
		p := e.progress
		e.mu.Unlock()
		e.emit(Event{ToFile: e.lastCount, Progress: &p})
	}
	if err := e.deps.DB.SetSetting(ctx, refileVersionKey, refileVersion); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// readBatch is a batch of a re-file read ahead: every message between the lowest and the
// highest of ids, and what the rules decided with ix (outs, nil when not decided).
type readBatch struct {
	set  idSet
	ins  []input
	ix   *index
	outs []outcome
	err  error
}

// overlaps tells whether one of these messages is in the batch.
func (b readBatch) overlaps(ids map[int64]bool) bool {
	if len(ids) == 0 || len(b.set.ids) == 0 {
		return false
	}
	lo, hi := slices.Min(b.set.ids), slices.Max(b.set.ids)
	for id := range ids {
		if lo <= id && id <= hi {
			return true
		}
	}
	return false
}

// readAhead reads a re-file's batches, newest first, and decides them with the engine's
// latest index (readIx), into out (one ahead of the writer),
// and closes out at the end, at the first error (sent) or when ctx is done.
func (e *Engine) readAhead(ctx context.Context, out chan<- readBatch) {
	defer close(out)
	defer func() { // as round does for the engine's goroutine: a bug fails the re-file, not the app
		if p := recover(); p != nil {
			e.log.Error("filing: panic", "panic", p, "stack", string(debug.Stack()))
			select {
			case out <- readBatch{err: fmt.Errorf("filing: panic: %v", p)}:
			case <-ctx.Done():
			}
		}
	}()
	norm := normalizer{} // one for the whole re-file: the same correspondents come back batch after batch
	cursor := int64(-1)
	for {
		var ids []int64
		q := `SELECT id FROM messages WHERE ? < 0 OR id < ? ORDER BY id DESC LIMIT ?`
		err := each(ctx, e.deps.DB.R, q, []any{cursor, cursor, e.opts.RefileBatch}, func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			err = fmt.Errorf("filing: next messages: %w", err)
		}
		if err == nil && len(ids) == 0 {
			return
		}
		b := readBatch{err: err}
		if err == nil {
			cursor = ids[len(ids)-1]
			b.set = idSet{ids: ids, span: true}
			b.ins, b.err = readInputs(ctx, e.deps.DB.R, b.set, norm)
			if b.ix = e.readIx.Load(); b.err == nil && b.ix != nil {
				b.outs = decideAll(b.ix, b.ins)
			}
		}
		if e.afterRead != nil {
			e.afterRead(b)
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return
		}
		if b.err != nil {
			return
		}
	}
}

// refileCacheKiB is the page cache the writer connection borrows while a re-file of
// everything runs: it writes every message's parties, links and state (and, at its end,
// builds their indexes again: bulk.go), and with SQLite's default 2 MB cache many of
// those writes would first read their page back from the file.
const refileCacheKiB = 64 << 10

// borrowCache gives the writer connection (the store has exactly one) a bigger page cache
// and returns what gives the usual one back. Failing, it only logs: the re-file is slower.
func (e *Engine) borrowCache(ctx context.Context) func() {
	var old int64
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, refileCacheKiB))
		return err
	})
	if err != nil {
		e.log.Warn("filing: a bigger page cache for the re-file", "err", err)
		return func() {}
	}
	return func() {
		ctx := context.WithoutCancel(ctx) // a cancelled re-file gives it back too
		err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, old))
			return err
		})
		if err != nil {
			e.log.Warn("filing: give the page cache back", "err", err)
		}
	}
}

// count reads the number of messages in "To file" and tells the UI when it changed.
func (e *Engine) count(ctx context.Context) error {
	n, err := countToFile(ctx, e.deps.DB.R, nil)
	if err != nil {
		return err
	}
	if n != e.lastCount {
		e.lastCount = n
		e.emit(Event{ToFile: n})
	}
	return nil
}

// affected returns the messages whose filing changed records may change: those linked or
// suggested to them, those with their addresses or domains, and those linked to the
// records they link to (an invoice's client, a contact's company).
func affected(ctx context.Context, db querier, ids []int64) ([]int64, error) {
	// The query names the ids six times: chunks of affectedChunk keep it under SQLite's
	// 32,766 variables (an import changes tens of thousands of records at once).
	var out []int64
	seen := map[int64]bool{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), affectedChunk)]
		ids = ids[len(chunk):]
		in, args := placeholders(chunk)
		all := make([]any, 0, 6*len(args))
		for range 6 {
			all = append(all, args...)
		}
		q := `SELECT message_id FROM message_records WHERE record_id IN (` + in + `)
		UNION SELECT message_id FROM message_suggestions WHERE record_id IN (` + in + `)
		UNION SELECT p.message_id FROM record_emails e JOIN message_parties p ON p.email = e.email WHERE e.record_id IN (` + in + `)
		UNION SELECT p.message_id FROM record_domains d JOIN message_parties p ON p.domain = d.domain WHERE d.record_id IN (` + in + `)
		UNION SELECT mr.message_id FROM record_links l JOIN message_records mr ON mr.record_id = l.to_id WHERE l.from_id IN (` + in + `)
		UNION SELECT mr.message_id FROM record_links l JOIN message_records mr ON mr.record_id = l.from_id WHERE l.to_id IN (` + in + `)`
		err := each(ctx, db, q, all, func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("filing: messages of changed records: %w", err)
		}
	}
	return out, nil
}

// affectedChunk is how many records one query of affected names (six times).
const affectedChunk = 5_000

func placeholders(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// File applies the rules to these messages now, in batches, each written in one
// transaction (the engine's goroutine calls it; tests and benchmarks may too).
func (e *Engine) File(ctx context.Context, ids []int64) error {
	return e.file(ctx, ids, e.opts.Batch, false, normalizer{}, nil)
}

// idSet is a batch's messages, as SQL selects them: by their ids, or, when the batch is
// every message between its lowest and highest id (a re-file walks them so), by that
// range, which SQLite reads as one range of each table's key instead of a probe per id.
type idSet struct {
	ids  []int64
	span bool
}

func (s idSet) cond(col string) (string, []any) {
	if s.span && len(s.ids) > 0 {
		lo, hi := slices.Min(s.ids), slices.Max(s.ids)
		return col + " BETWEEN ? AND ?", []any{lo, hi}
	}
	in, args := placeholders(s.ids)
	return col + " IN (" + in + ")", args
}

// file files ids in batches; contiguous says that every batch is every message between
// its lowest and highest id. batchDone, if set, hears how many messages each batch was.
func (e *Engine) file(ctx context.Context, ids []int64, batch int, contiguous bool, norm normalizer, batchDone func(int)) error {
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		set := idSet{ids: chunk, span: contiguous}
		ins, err := readInputs(ctx, e.deps.DB.R, set, norm)
		if err != nil {
			return err
		}
		if err := e.fileRead(ctx, set, ins, nil, nil); err != nil {
			return err
		}
		if batchDone != nil {
			batchDone(len(chunk))
		}
	}
	return nil
}

// fileRead decides and writes one batch that readInputs read; outs is what the rules
// decided with decidedBy, nil when not decided yet. Decided by an index older than the
// one the engine holds now (records changed meanwhile), it is decided again.
func (e *Engine) fileRead(ctx context.Context, set idSet, ins []input, decidedBy *index, outs []outcome) error {
	ix, err := e.index(ctx)
	if err != nil {
		return err
	}
	if outs == nil || decidedBy != ix {
		outs = decideAll(ix, ins)
	}
	var again []int
	for i, in := range ins {
		if ix.bodyNeeded && len(outs[i].suggestions) > 0 && in.withBody {
			again = append(again, i) // several open records: the body may hold the evidence
		}
	}
	if len(again) > 0 {
		if err := e.withBodies(ctx, ix, ins, outs, again); err != nil {
			return err
		}
	}
	return e.write(ctx, set, ins, outs)
}

func decideAll(ix *index, ins []input) []outcome {
	outs := make([]outcome, len(ins))
	for i, in := range ins {
		outs[i] = ix.decide(in)
	}
	return outs
}

func (e *Engine) withBodies(ctx context.Context, ix *index, ins []input, outs []outcome, again []int) error {
	ids := make([]int64, len(again))
	for k, i := range again {
		ids[k] = ins[i].id
	}
	in, args := placeholders(ids)
	bodies := map[int64]string{}
	err := each(ctx, e.deps.DB.R, `SELECT message_id, text FROM message_bodies WHERE message_id IN (`+in+`)`, args,
		func(r *sql.Rows) error {
			var id int64
			var t string
			if err := r.Scan(&id, &t); err != nil {
				return err
			}
			bodies[id] = t
			return nil
		})
	if err != nil {
		return fmt.Errorf("filing: read bodies: %w", err)
	}
	for _, i := range again {
		ins[i].body = bodies[ins[i].id]
		outs[i] = ix.decide(ins[i])
	}
	return nil
}

// normalizer remembers the addresses it normalised: the same few (the account's own, a
// regular correspondent's) come back in most messages of a batch, and parsing and IDNA
// mapping were a tenth of a re-file's time.
type normalizer map[string]normalized

type normalized struct {
	email string
	ok    bool
}

// normalizerMax bounds what one normalizer keeps (a re-file of everything reads some
// hundred thousand distinct addresses).
const normalizerMax = 50_000

func (n normalizer) email(raw string) (string, bool) {
	if v, ok := n[raw]; ok {
		return v.email, v.ok
	}
	if e, ok := plainEmail(raw); ok {
		return e, true // nothing worth remembering: lower-casing costs less than the map
	}
	e, ok := records.NormalizeEmail(raw)
	if len(n) >= normalizerMax {
		clear(n)
	}
	n[raw] = normalized{e, ok}
	return e, ok
}

// plainEmail normalises the common address of only ASCII letters, digits and a few
// punctuation marks (p.nom@societe-1.fr) without parsing it as RFC 5322 and mapping its
// domain through IDNA, which does nothing to it but lower-case it: ok is false when raw
// is anything else (then records.NormalizeEmail decides). TestPlainEmail holds both to
// the same answers.
func plainEmail(raw string) (string, bool) {
	at := strings.IndexByte(raw, '@')
	if at <= 0 || at > 64 || len(raw)-at-1 > 253 {
		return "", false
	}
	local, domain := raw[:at], raw[at+1:]
	// The local part: a dot-atom of letters, digits and . _ + - (no dot first, last or twice).
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '+', c == '-':
		case c == '.':
			if i == 0 || i == len(local)-1 || local[i-1] == '.' {
				return "", false
			}
		default:
			return "", false
		}
	}
	// The domain: at least two labels of 1 to 63 letters, digits and hyphens, none first or
	// last, and no "--" at the third and fourth place (IDNA reserves it: xn--…).
	labels, start := 0, 0
	for i := 0; i <= len(domain); i++ {
		if i < len(domain) && domain[i] != '.' {
			c := domain[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return "", false
			}
			continue
		}
		l := domain[start:i]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || len(l) >= 4 && l[2] == '-' && l[3] == '-' {
			return "", false
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return "", false
	}
	return strings.ToLower(raw), true
}

// readInputs reads what the rules need of these messages (gone ones are left out).
func readInputs(ctx context.Context, db querier, set idSet, norm normalizer) ([]input, error) {
	where, args := set.cond("m.id")
	var out []input
	pos := map[int64]int{}
	err := each(ctx, db, `SELECT m.id, coalesce(f.role, ''), m.bulk, m.body_state <> 'none', m.subject,
			EXISTS (SELECT 1 FROM message_records r WHERE r.message_id = m.id AND r.origin = 'manual'),
			m.account_id, m.shared_filed, coalesce(f.keywords_ok, 1), coalesce(mf.state, '') = 'filed'
		FROM messages m LEFT JOIN folders f ON f.id = m.folder_id LEFT JOIN message_filing mf ON mf.message_id = m.id
		WHERE `+where, args, func(r *sql.Rows) error {
		var x input
		var role string
		if err := r.Scan(&x.id, &role, &x.bulk, &x.withBody, &x.subject, &x.manual,
			&x.accountID, &x.shared.filed, &x.shared.keywordsOK, &x.shared.wasFiled); err != nil {
			return err
		}
		x.sent = role == "sent"
		pos[x.id] = len(out)
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read messages: %w", err)
	}
	// The parties in the rules' order (From, Reply-To, To, Cc, Bcc; each in its order):
	// sorted here, so that SQLite reads the key's range as it lies.
	where, args = set.cond("message_id")
	err = each(ctx, db, `SELECT message_id, kind, position, name, email FROM message_addresses
		WHERE `+where+` AND kind <> 'sender'`,
		args, func(r *sql.Rows) error {
			var id int64
			var p party
			var raw string
			if err := r.Scan(&id, &p.kind, &p.position, &p.name, &raw); err != nil {
				return err
			}
			i, ok := pos[id]
			if !ok {
				return nil
			}
			if n, ok := norm.email(raw); ok {
				p.email = n
				out[i].parties = append(out[i].parties, p)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("filing: read addresses: %w", err)
	}
	for i := range out {
		slices.SortStableFunc(out[i].parties, func(a, b party) int {
			if d := kindRank[a.kind] - kindRank[b.kind]; d != 0 {
				return d
			}
			return a.position - b.position
		})
	}
	err = each(ctx, db, `SELECT message_id, record_id FROM message_records_removed WHERE `+where, args,
		func(r *sql.Rows) error {
			var id, rec int64
			if err := r.Scan(&id, &rec); err != nil {
				return err
			}
			if i, ok := pos[id]; ok {
				if out[i].removed == nil {
					out[i].removed = map[int64]bool{}
				}
				out[i].removed[rec] = true
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("filing: read removed links: %w", err)
	}
	return out, nil
}

// write stores the outcomes of one batch in one transaction. Manual links are never
// touched; automatic ones become what the rules decided now (only the differences are
// written).
//
// A re-file writes some 450,000 rows for 100,000 messages: the batch is written with one
// statement per table for its deletions and one per table for its rows (rowsInserter),
// not one statement per row, which is what makes a re-file of everything take seconds
// rather than minutes (make bench-filing).
func (e *Engine) write(ctx context.Context, set idSet, ins []input, outs []outcome) error {
	if len(ins) == 0 {
		return nil
	}
	now := e.opts.Now().UnixMilli()
	queued := map[int64]bool{}
	defer func() { e.queued(queued) }()
	byID, idArgs := set.cond("id")
	byMsg, _ := set.cond("message_id")
	return e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Messages removed by the sync meanwhile are left out.
		alive := make(map[int64]bool, len(ins))
		err := each(ctx, tx, `SELECT id FROM messages WHERE `+byID, idArgs, func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			alive[id] = true
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_suggestions WHERE `+byMsg, idArgs...); err != nil {
			return err
		}
		// The links there are: manual ones stay (and no suggestion of the same record);
		// automatic ones, and the parties, are compared with what the rules decide now, and
		// only the differences are written. A message's parties change only with its
		// addresses or the own addresses; links change with the records; most of a re-file
		// or of a record's change rewrites nothing.
		manual, auto := map[[2]int64]bool{}, map[[2]int64]bool{}
		err = each(ctx, tx, `SELECT message_id, record_id, origin = 'manual' FROM message_records WHERE `+byMsg, idArgs,
			func(r *sql.Rows) error {
				var k [2]int64
				var m bool
				if err := r.Scan(&k[0], &k[1], &m); err != nil {
					return err
				}
				if m {
					manual[k] = true
				} else {
					auto[k] = true
				}
				return nil
			})
		if err != nil {
			return err
		}
		type partyKey struct {
			id    int64
			email string
		}
		had := map[partyKey]bool{}
		err = each(ctx, tx, `SELECT message_id, email FROM message_parties WHERE `+byMsg, idArgs,
			func(r *sql.Rows) error {
				var k partyKey
				if err := r.Scan(&k.id, &k.email); err != nil {
					return err
				}
				had[k] = true
				return nil
			})
		if err != nil {
			return err
		}
		// The records the batch links to that still exist (deleted since the index was read:
		// left out).
		recSet := map[int64]bool{}
		for i, o := range outs {
			if !alive[ins[i].id] {
				continue
			}
			for _, r := range o.links {
				recSet[r] = true
			}
			for _, sg := range o.suggestions {
				recSet[sg.id] = true
			}
		}
		live := map[int64]bool{}
		// One JSON array, not thousands of bound values (one cgo call each).
		err = each(ctx, tx, `SELECT id FROM records WHERE id IN (SELECT value FROM json_each(?))`,
			[]any{jsonInts(keys(recSet))}, func(r *sql.Rows) error {
				var id int64
				if err := r.Scan(&id); err != nil {
					return err
				}
				live[id] = true
				return nil
			})
		if err != nil {
			return err
		}
		links := newRowsInserter(ctx, tx, `INSERT INTO message_records(message_id, record_id, origin, created_at)`,
			[]string{"v0", "v1", "'auto'", "v2"}, ` ON CONFLICT DO NOTHING`)
		suggs := newRowsInserter(ctx, tx, `INSERT INTO message_suggestions(message_id, record_id, score)`,
			[]string{"v0", "v1", "v2"}, ` ON CONFLICT DO NOTHING`)
		parties := newRowsInserter(ctx, tx, `INSERT INTO message_parties(message_id, email, domain)`,
			[]string{"v0", "v1", "v2"}, ` ON CONFLICT DO NOTHING`)
		filings := newRowsInserter(ctx, tx, `INSERT INTO message_filing(message_id, state, correspondent, name, domain, with_body)`,
			[]string{"v0", "v1", "v2", "v3", "v4", "v5"}, ` ON CONFLICT(message_id) DO UPDATE SET state = excluded.state,
			correspondent = excluded.correspondent, name = excluded.name, domain = excluded.domain,
			with_body = excluded.with_body
			WHERE (state, correspondent, name, domain, with_body) IS NOT
				(excluded.state, excluded.correspondent, excluded.name, excluded.domain, excluded.with_body)`)
		share := map[bool][]int64{} // $MailroomFiled to set, to clear
		for i, in := range ins {
			o := outs[i]
			if !alive[in.id] {
				continue
			}
			for _, rec := range o.links {
				k := [2]int64{in.id, rec}
				switch {
				case !live[rec] || manual[k]:
				case auto[k]:
					delete(auto, k) // kept as it is
				default:
					if err := links.add(in.id, rec, now); err != nil {
						return err
					}
				}
			}
			for _, sg := range o.suggestions {
				if live[sg.id] && !manual[[2]int64{in.id, sg.id}] {
					if err := suggs.add(in.id, sg.id, sg.score); err != nil {
						return err
					}
				}
			}
			var corr party
			for _, p := range o.external {
				if corr.email == "" {
					corr = p
				}
				if k := (partyKey{in.id, p.email}); had[k] {
					delete(had, k) // kept as it is
				} else if err := parties.add(in.id, p.email, p.domain()); err != nil {
					return err
				}
			}
			if err := filings.add(in.id, o.state, corr.email, corr.name, corr.domain(), in.withBody); err != nil {
				return err
			}
			if v, ok := in.shared.change(o.state == StateFiled); ok {
				share[v] = append(share[v], in.id)
				queued[in.accountID] = true
			}
		}
		// What the rules no longer decide goes.
		unlinks := newRowsExec(ctx, tx, `DELETE FROM message_records WHERE origin = 'auto'
			AND (message_id, record_id) IN (SELECT value->>0, value->>1 FROM jsonb_each(?))`)
		for k := range auto {
			if err := unlinks.add(k[0], k[1]); err != nil {
				return err
			}
		}
		gone := newRowsExec(ctx, tx, `DELETE FROM message_parties
			WHERE (message_id, email) IN (SELECT value->>0, value->>1 FROM jsonb_each(?))`)
		for k := range had {
			if err := gone.add(k.id, k.email); err != nil {
				return err
			}
		}
		for _, x := range []*rowsInserter{unlinks, gone, links, suggs, parties, filings} {
			if err := x.flush(); err != nil {
				return err
			}
		}
		for _, v := range []bool{true, false} {
			if err := queueFiled(ctx, tx, share[v], v, now); err != nil {
				return err
			}
		}
		return nil
	})
}
