package records

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// TrashDays is how long a deleted record stays restorable.
const TrashDays = 30

// Options tune the records; the zero value is the app's.
type Options struct {
	Now func() time.Time // the clock (tests move it); time.Now if nil
	// Changed, if set, is told after every committed Write (creates, updates, deletes,
	// restores, imports) what it changed. Filing listens, to file the past mail of new
	// addresses and domains. It must not block.
	Changed func(Change)
}

// Records reads and writes records, their types and fields, and the saved views.
type Records struct {
	db     *store.DB
	opts   Options
	schema *schemaCache // see SharedSchema
}

// New returns the records over db. It does no I/O.
func New(db *store.DB, opts Options) *Records {
	return &Records{db: db, opts: opts, schema: &schemaCache{}}
}

func (r *Records) now() time.Time {
	if r.opts.Now != nil {
		return r.opts.Now()
	}
	return time.Now()
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Values are a record's values by field key. Written: a field's value is a string (text,
// long text, email, phone, URL, domain; dates as YYYY-MM-DD, date-times as RFC 3339), a number
// (number; money in major units: 1234.56), a bool (checkbox), a choice's id or label, a
// record's id (link), or a list of those for a field that holds several; nil, "" or an empty
// list clears it. Read: the same forms, with choices as ids, several values as a list and
// links always as a []LinkRef.
type Values map[string]any

// LinkRef is a linked record as a value shows it.
type LinkRef struct {
	ID     int64
	TypeID int64
	Title  string
}

// Record is one record.
type Record struct {
	ID            int64
	TypeID        int64
	Title         string
	Values        Values
	CreatedAt     time.Time
	CreatedBy     int64
	CreatedByName string
	UpdatedAt     time.Time
	UpdatedBy     int64
	UpdatedByName string
	DeletedAt     time.Time // zero unless in the trash
	ImportID      int64     // the import that created it; 0 if made by hand
}

// Backlinks are the records of one link field that link to a record (a company's contacts,
// its invoices): the first of them by title, and how many there are.
type Backlinks struct {
	FieldID int64
	TypeID  int64 // the type of the linking records
	Records []LinkRef
	Total   int
}

// Detail is a record with the records that link to it.
type Detail struct {
	Record
	Backlinks []Backlinks
}

// maxBacklinks bounds the records listed per link field on a record's page.
const maxBacklinks = 200

// Change says what a write changed: the ids of the records and their types.
type Change struct {
	IDs     []int64
	TypeIDs []int64
}

// Writer makes changes inside one transaction (Records.Write): an import creates or updates
// thousands of records in one, atomically.
type Writer struct {
	ctx      context.Context
	tx       *sql.Tx
	s        *Schema
	by       int64
	now      int64
	importID int64
	ids      map[int64]bool
	types    map[int64]bool
	stmts    map[string]*sql.Stmt
	// batch queues new records (their rows, values, links, lookups and search text: an
	// import's), written sorted the way their indexes are, which keeps the inserts into each
	// index close to each other; flush writes them before anything reads or changes records.
	// A full batch is written on its own goroutine while the import reads the next rows
	// (writing is the import's larger half): one batch at most is being written, and every
	// read or write outside of the batch waits for it.
	batch   bool
	pending []queued
	writing chan error // the batch being written, nil when none
	written []queued   // its rows: once written, the spare for the next batch
	spare   []queued
	failed  error                // the first batch that could not be written, kept for every later wait
	bstmts  map[string]*sql.Stmt // the batch writer's statements (its goroutine's own)
	// nextID is the id the batch's next new record takes (0: to read): new records are
	// numbered as SQLite would (the highest id plus one), with no last-insert id to read back,
	// so that their rows can be queued with their values.
	nextID int64
	// inserts holds, per type (records) or field (values, links), the batch's insert with the
	// values that are the same for every row written in it, so that they are not bound again
	// for every row.
	inserts map[insertKey]string
}

// insertKey names one of the batch's inserts: of records of a type, or of a field's values
// (its first, or the others) or links.
type insertKey struct {
	table byte // 'r'ecords, 'v'alues, 'l'inks
	id    int64
	first bool
}

// queued is one row to insert: q with args, sorted by rank (a record's row before the rows
// that refer to it), then q, then k1, then k2.
type queued struct {
	rank int
	q    string
	k1   int64
	k2   any
	args []any
}

// flushAt is how many rows a batch holds before it is written.
const flushAt = 4_000

// queue inserts a row of a new record now, or with the batch.
func (w *Writer) queue(created bool, q string, k1 int64, k2 any, args ...any) error {
	return w.queueRank(1, created, q, k1, k2, args...)
}

func (w *Writer) queueRank(rank int, created bool, q string, k1 int64, k2 any, args ...any) error {
	if !w.batch || !created {
		_, err := w.exec(q, args...)
		return err
	}
	w.pending = append(w.pending, queued{rank: rank, q: q, k1: k1, k2: k2, args: args})
	if len(w.pending) >= flushAt {
		return w.flushBehind()
	}
	return nil
}

// startBatch queues the new records' rows from now on (an import's); endBatch stops it, once
// what was queued is written.
func (w *Writer) startBatch() {
	w.batch, w.nextID, w.inserts = true, 0, nil
}

func (w *Writer) endBatch() error {
	err := w.flush()
	w.batch, w.nextID, w.inserts = false, 0, nil
	return err
}

// stopBatch stops the batch without writing what it queued (the transaction is rolled back).
func (w *Writer) stopBatch() {
	_ = w.dropBatch()
	w.batch, w.nextID, w.inserts = false, 0, nil
}

// dropBatch forgets the rows queued but not written (a savepoint rolled back took back what
// they refer to), once the batch being written is done.
func (w *Writer) dropBatch() error {
	err := w.wait()
	w.pending = nil
	return err
}

// wait waits for the batch being written on its own goroutine, if any.
func (w *Writer) wait() error {
	if w.writing != nil {
		if err := <-w.writing; err != nil && w.failed == nil {
			w.failed = err
		}
		w.writing = nil
		w.spare, w.written = w.written, nil
	}
	return w.failed
}

// flush writes the queued rows, and returns once they are written.
func (w *Writer) flush() error {
	if err := w.wait(); err != nil {
		return err
	}
	if len(w.pending) == 0 {
		return nil
	}
	rows := w.pending
	w.pending = nil
	if err := w.writeSorted(rows, sortRows(rows)); err != nil {
		w.failed = err
	}
	return w.failed
}

// flushBehind writes the queued rows on their own goroutine, once the batch before them is
// written: the caller goes on reading and checking rows meanwhile, and touches neither the
// transaction nor the batch writer's statements until it waits.
func (w *Writer) flushBehind() error {
	if err := w.wait(); err != nil {
		return err
	}
	rows := w.pending
	w.pending, w.spare = w.spare[:0], nil
	// Sorted here: the writer's goroutine is the longer of the two.
	order := sortRows(rows)
	done := make(chan error, 1)
	w.writing, w.written = done, rows
	go func() { done <- w.writeSorted(rows, order) }()
	return nil
}

// sortRows is the order a batch's rows are written in (their indexes: sorting the rows
// themselves would move far more).
func sortRows(rows []queued) []int32 {
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &rows[i], &rows[j]
		if a.rank != b.rank {
			return cmp.Compare(a.rank, b.rank)
		}
		if a.q != b.q {
			return strings.Compare(a.q, b.q)
		}
		if a.k1 != b.k1 {
			return cmp.Compare(a.k1, b.k1)
		}
		as, aok := a.k2.(string)
		bs, bok := b.k2.(string)
		switch {
		case aok && bok:
			return strings.Compare(as, bs)
		case aok == bok:
			return 0
		case bok:
			return -1
		}
		return 1
	})
	return order
}

// writeSorted writes a batch's sorted rows.
func (w *Writer) writeSorted(rows []queued, order []int32) error {
	var q string
	var st *sql.Stmt
	bg := context.WithoutCancel(w.ctx)
	for n, i := range order {
		r := &rows[i]
		if r.q != q || st == nil {
			q = r.q
			if st = w.bstmts[q]; st == nil {
				var err error
				if st, err = w.tx.PrepareContext(bg, q); err != nil {
					return fmt.Errorf("records: prepare: %w", err)
				}
				if w.bstmts == nil {
					w.bstmts = map[string]*sql.Stmt{}
				}
				w.bstmts[q] = st
			}
		}
		// The import's context is checked here, every so many rows, rather than handed to
		// each statement: with a context that can be cancelled (the wizard's), the driver
		// runs every statement on a goroutine of its own to watch it.
		if n%256 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		if _, err := st.ExecContext(bg, r.args...); err != nil {
			return fmt.Errorf("records: write: %w", err)
		}
	}
	return nil
}

// insertSQL is the batch's insert k, with the values the same for every row of the batch
// written into the statement.
func (w *Writer) insertSQL(k insertKey) string {
	if q, ok := w.inserts[k]; ok {
		return q
	}
	var q string
	switch k.table {
	case 'r':
		by := sqlID(w.by)
		q = fmt.Sprintf(`INSERT INTO records(id, title, title_sort, type_id, created_at, created_by, updated_at, updated_by, import_id)
			VALUES (?, ?, ?, %d, %d, %s, %d, %s, %s)`, k.id, w.now, by, w.now, by, sqlID(w.importID))
	case 'v':
		seq := "?"
		if k.first {
			seq = "0"
		}
		q = fmt.Sprintf(`INSERT INTO record_values(record_id, field_id, seq, value, sort) VALUES (?, %d, %s, ?, ?)`, k.id, seq)
	case 'l':
		q = fmt.Sprintf(`INSERT INTO record_links(field_id, from_id, to_id, position) VALUES (%d, ?, ?, ?)`, k.id)
	}
	if w.inserts == nil {
		w.inserts = map[insertKey]string{}
	}
	w.inserts[k] = q
	return q
}

// sqlID is an id written into a statement: NULL for none.
func sqlID(id int64) string {
	if id == 0 {
		return "NULL"
	}
	return strconv.FormatInt(id, 10)
}

// stmt returns the statement q prepared once on the writer's transaction: an import reuses
// each of its statements for every row instead of preparing them again.
func (w *Writer) stmt(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(w.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("records: prepare: %w", err)
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[q] = st
	return st, nil
}

// queryRow runs q, prepared once per transaction, for one row.
func (w *Writer) queryRow(q string, args ...any) rowScanner {
	if err := w.wait(); err != nil {
		return errRow{err}
	}
	st, err := w.stmt(q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(w.ctx, args...)
}

type rowScanner interface{ Scan(dest ...any) error }

// errRow is a row that could not be read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// exec runs q, prepared once per transaction, with args.
func (w *Writer) exec(q string, args ...any) (sql.Result, error) {
	if err := w.wait(); err != nil {
		return nil, err
	}
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

func (w *Writer) close() {
	_ = w.wait()
	for _, st := range w.stmts {
		_ = st.Close()
	}
	for _, st := range w.bstmts {
		_ = st.Close()
	}
	w.stmts, w.bstmts = nil, nil
}

// Write runs fn in one transaction as the user by: every change fn makes is kept, or none.
func (r *Records) Write(ctx context.Context, by int64, fn func(w *Writer) error) (Change, error) {
	var ch Change
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		w := &Writer{ctx: ctx, tx: tx, s: s, by: by, now: r.now().UnixMilli(), ids: map[int64]bool{}, types: map[int64]bool{}}
		defer w.close()
		if err := fn(w); err != nil {
			return err
		}
		if err := w.flush(); err != nil {
			return err
		}
		for id := range w.ids {
			ch.IDs = append(ch.IDs, id)
		}
		for id := range w.types {
			ch.TypeIDs = append(ch.TypeIDs, id)
		}
		sort.Slice(ch.IDs, func(i, j int) bool { return ch.IDs[i] < ch.IDs[j] })
		sort.Slice(ch.TypeIDs, func(i, j int) bool { return ch.TypeIDs[i] < ch.TypeIDs[j] })
		return nil
	})
	if err != nil {
		return Change{}, err
	}
	if r.opts.Changed != nil && len(ch.IDs) > 0 {
		r.opts.Changed(ch)
	}
	return ch, nil
}

// Schema is the schema the writer checks values against.
func (w *Writer) Schema() *Schema { return w.s }

// SetImport marks the records created from now on as created by import id.
func (w *Writer) SetImport(id int64) { w.importID, w.inserts = id, nil }

func (w *Writer) touched(id, typeID int64) { w.ids[id], w.types[typeID] = true, true }

// Create adds a record of the type and returns its id. Its values are checked before
// anything is written: a record that fails leaves nothing behind.
func (w *Writer) Create(typeID int64, v Values) (int64, error) {
	t := w.s.Type(typeID)
	if t == nil {
		return 0, ErrTypeNotFound.New(nil)
	}
	fvs, err := w.check(t, v, w.linkLive)
	if err != nil {
		return 0, err
	}
	return w.insert(t, fvs, false)
}

// insert writes a new record of checked values: its row with its title, its values, links,
// lookups and search text, each through a statement prepared once per transaction. fresh
// says the record's id cannot have a search row left (an import cleared them once).
func (w *Writer) insert(t *Type, fvs []fieldValues, fresh bool) (int64, error) {
	title, body := compose(t, fvs)
	return w.insertComposed(t, fvs, title, body, fresh)
}

// insertComposed is insert with the title and search text compose made of the values.
func (w *Writer) insertComposed(t *Type, fvs []fieldValues, title, body string, fresh bool) (int64, error) {
	if err := titled(t, title); err != nil {
		return 0, err
	}
	if w.batch {
		return w.insertQueued(t, fvs, title, body, fresh)
	}
	res, err := w.exec(`INSERT INTO records(type_id, title, title_sort, created_at, created_by, updated_at, updated_by, import_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, title, Fold(title), w.now, nullID(w.by), w.now, nullID(w.by), nullID(w.importID))
	if err != nil {
		return 0, fmt.Errorf("records: create: %w", err)
	}
	id, _ := res.LastInsertId()
	for i := range fvs {
		if err := w.store(t, id, &fvs[i], true); err != nil {
			return 0, err
		}
	}
	if !fresh {
		if _, err := w.exec(`DELETE FROM records_fts WHERE rowid = ?`, id); err != nil {
			return 0, fmt.Errorf("records: search text: %w", err)
		}
	}
	if _, err := w.exec(`INSERT INTO records_fts(rowid, title, body) VALUES (?, ?, ?)`, id, title, body); err != nil {
		return 0, fmt.Errorf("records: search text: %w", err)
	}
	w.touched(id, t.ID)
	return id, nil
}

// insertQueued is insertComposed in a batch: the record takes the next id, and its row is
// queued with its values and search text.
func (w *Writer) insertQueued(t *Type, fvs []fieldValues, title, body string, fresh bool) (int64, error) {
	if w.nextID == 0 {
		if err := w.flush(); err != nil {
			return 0, err
		}
		var top int64
		if err := w.tx.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(id), 0) FROM records`).Scan(&top); err != nil {
			return 0, fmt.Errorf("records: create: %w", err)
		}
		w.nextID = top + 1
	}
	id := w.nextID
	w.nextID++
	q := w.insertSQL(insertKey{table: 'r', id: t.ID})
	if err := w.queueRank(0, true, q, id, nil, id, title, Fold(title)); err != nil {
		return 0, fmt.Errorf("records: create: %w", err)
	}
	for i := range fvs {
		if err := w.store(t, id, &fvs[i], true); err != nil {
			return 0, err
		}
	}
	if !fresh {
		if err := w.queue(true, `DELETE FROM records_fts WHERE rowid = ?`, id, nil, id); err != nil {
			return 0, fmt.Errorf("records: search text: %w", err)
		}
	}
	if err := w.queueRank(2, true, `INSERT INTO records_fts(rowid, title, body) VALUES (?, ?, ?)`, id, nil, id, title, body); err != nil {
		return 0, fmt.Errorf("records: search text: %w", err)
	}
	w.touched(id, t.ID)
	return id, nil
}

// Update changes the given fields of a record (the others stay).
func (w *Writer) Update(id int64, v Values) error {
	if err := w.flush(); err != nil {
		return err
	}
	t, err := w.live(id)
	if err != nil {
		return err
	}
	if err := w.apply(t, id, v); err != nil {
		return err
	}
	if _, err := w.exec(`UPDATE records SET updated_at = ?, updated_by = ? WHERE id = ?`, w.now, nullID(w.by), id); err != nil {
		return fmt.Errorf("records: update: %w", err)
	}
	return w.finish(t, id)
}

// Get reads a record inside the transaction (an import keeps what it will update).
func (w *Writer) Get(id int64) (Record, error) {
	if err := w.flush(); err != nil {
		return Record{}, err
	}
	recs, err := loadRecords(w.ctx, w.tx, w.s, []int64{id}, nil)
	if err != nil {
		return Record{}, err
	}
	if len(recs) == 0 {
		return Record{}, ErrRecordNotFound.New(nil)
	}
	return recs[0], nil
}

// Delete moves records to the trash; records already there stay as they are.
func (w *Writer) Delete(ids ...int64) error {
	if err := w.flush(); err != nil {
		return err
	}
	for _, id := range ids {
		var typeID int64
		err := w.queryRow(`UPDATE records SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL
			RETURNING type_id`, w.now, nullID(w.by), id).Scan(&typeID)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("records: delete: %w", err)
		}
		w.touched(id, typeID)
	}
	return nil
}

// Restore takes records out of the trash.
func (w *Writer) Restore(ids ...int64) error {
	if err := w.flush(); err != nil {
		return err
	}
	for _, id := range ids {
		var typeID int64
		err := w.queryRow(`UPDATE records SET deleted_at = NULL, deleted_by = NULL, updated_at = ?, updated_by = ?
			WHERE id = ? AND deleted_at IS NOT NULL RETURNING type_id`, w.now, nullID(w.by), id).Scan(&typeID)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("records: restore: %w", err)
		}
		w.touched(id, typeID)
	}
	return nil
}

// Remove deletes records at once, without the trash (an import's undo removes what it created).
func (w *Writer) Remove(ids ...int64) error {
	if err := w.flush(); err != nil {
		return err
	}
	for _, id := range ids {
		var typeID int64
		err := w.queryRow(`DELETE FROM records WHERE id = ? RETURNING type_id`, id).Scan(&typeID)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("records: remove: %w", err)
		}
		if _, err := w.exec(`DELETE FROM records_fts WHERE rowid = ?`, id); err != nil {
			return fmt.Errorf("records: remove: %w", err)
		}
		w.touched(id, typeID)
	}
	return nil
}

// live returns the type of a record outside the trash.
func (w *Writer) live(id int64) (*Type, error) {
	var typeID int64
	err := w.queryRow(`SELECT type_id FROM records WHERE id = ? AND deleted_at IS NULL`, id).Scan(&typeID)
	if isNoRows(err) {
		return nil, ErrRecordNotFound.New(nil)
	}
	if err != nil {
		return nil, fmt.Errorf("records: read: %w", err)
	}
	return w.s.Type(typeID), nil
}

// fieldValues are one field's values, checked and normalised, ready to store.
type fieldValues struct {
	f     *Field
	vals  []stored // all kinds but links
	links []int64  // links: the ids linked to, in order
}

// check reads the given fields' values by kind, in the fields' order, without writing:
// linkOK says whether a record may be linked to by a field.
func (w *Writer) check(t *Type, v Values, linkOK func(f *Field, id int64) (bool, error)) ([]fieldValues, error) {
	return w.checkKnown(t, v, linkOK, nil)
}

// checkKnown is check for values some of which were normalised already (an import reads
// each cell by its field's kind): known holds, per field, what normalize made of each of
// its values (nil where it has not).
func (w *Writer) checkKnown(t *Type, v Values, linkOK func(f *Field, id int64) (bool, error), known map[string][]*stored) ([]fieldValues, error) {
	out := make([]fieldValues, 0, len(v)+2) // room for the link fields an import adds
	unknown := ""
	for key := range v {
		f := t.FieldByKey(key)
		if f == nil {
			if unknown == "" || key < unknown {
				unknown = key
			}
			continue
		}
		out = append(out, fieldValues{f: f})
	}
	if unknown != "" {
		return nil, ErrFieldUnknown.Field(unknown, fault.P{"key": unknown})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].f.Position < out[j].f.Position })
	for i := range out {
		fv := &out[i]
		f := fv.f
		items := list(v[f.Key])
		if len(items) > 1 && !f.Multiple && f.Kind != MultipleChoice {
			return nil, ErrValueSingle.Field(f.Key, fieldParams(f, nil))
		}
		if len(items) > maxValues {
			return nil, ErrValueTooLong.Field(f.Key, fieldParams(f, fault.P{"max": maxValues}))
		}
		if f.Kind == Link {
			for _, it := range items {
				target, ok := asID(it)
				if !ok {
					if ref, isRef := it.(LinkRef); isRef {
						target, ok = ref.ID, true
					}
				}
				if ok {
					var err error
					if ok, err = linkOK(f, target); err != nil {
						return nil, err
					}
				}
				if !ok {
					return nil, ErrValueLink.Field(f.Key, fieldParams(f, nil))
				}
				if !slicesContains(fv.links, target) {
					fv.links = append(fv.links, target)
				}
			}
			continue
		}
		// Repeated values are left out: looked for among those kept while they are few (a
		// map per field of every row would cost an import more than the rest of the check).
		var seen map[any]bool
		pre := known[f.Key]
		fv.vals = make([]stored, 0, len(items))
		for i, it := range items {
			var st stored
			if len(pre) == len(items) && pre[i] != nil {
				st = *pre[i]
			} else {
				var err error
				if st, err = normalize(f, it); err != nil {
					return nil, err
				}
			}
			if st.value == nil {
				continue
			}
			if len(items) <= 16 {
				if slices.ContainsFunc(fv.vals, func(o stored) bool { return o.sort == st.sort }) {
					continue
				}
			} else {
				if seen[st.sort] {
					continue
				}
				if seen == nil {
					seen = map[any]bool{}
				}
				seen[st.sort] = true
			}
			fv.vals = append(fv.vals, st)
		}
	}
	return out, nil
}

// linkLive says whether id is a record of f's target type outside the trash.
func (w *Writer) linkLive(f *Field, id int64) (bool, error) {
	st, err := w.stmt(`SELECT COUNT(*) FROM records WHERE id = ? AND type_id = ? AND deleted_at IS NULL`)
	if err != nil {
		return false, err
	}
	var n int
	if err := st.QueryRowContext(w.ctx, id, f.TargetTypeID).Scan(&n); err != nil {
		return false, fmt.Errorf("records: check link: %w", err)
	}
	return n > 0, nil
}

// apply writes the given fields' values, checked by kind.
func (w *Writer) apply(t *Type, id int64, v Values) error {
	fvs, err := w.check(t, v, w.linkLive)
	if err != nil {
		return err
	}
	for i := range fvs {
		if err := w.store(t, id, &fvs[i], false); err != nil {
			return err
		}
	}
	return nil
}

// store writes one field's values of a record, replacing those it held unless the record is
// new.
func (w *Writer) store(t *Type, id int64, fv *fieldValues, created bool) error {
	f := fv.f
	if f.Kind == Link {
		if !created {
			if _, err := w.exec(`DELETE FROM record_links WHERE from_id = ? AND field_id = ?`, id, f.ID); err != nil {
				return fmt.Errorf("records: write %s: %w", f.Key, err)
			}
		}
		for i, target := range fv.links {
			var err error
			if w.batch && created {
				q := w.insertSQL(insertKey{table: 'l', id: f.ID})
				err = w.queue(true, q, target, nil, id, target, int64(i))
			} else {
				err = w.queue(created, `INSERT INTO record_links(field_id, from_id, to_id, position) VALUES (?, ?, ?, ?)`,
					target, nil, f.ID, id, target, i)
			}
			if err != nil {
				return fmt.Errorf("records: write %s: %w", f.Key, err)
			}
		}
		return nil
	}
	if !created {
		if _, err := w.exec(`DELETE FROM record_values WHERE record_id = ? AND field_id = ?`, id, f.ID); err != nil {
			return fmt.Errorf("records: write %s: %w", f.Key, err)
		}
	}
	for i, st := range fv.vals {
		var err error
		if w.batch && created {
			// The field and the first value's seq are the statement's own.
			// The field and the first value's seq are the statement's own.
			q := w.insertSQL(insertKey{table: 'v', id: f.ID, first: i == 0})
			if i == 0 {
				err = w.queue(true, q, int64(i), st.sort, id, st.value, st.sort)
			} else {
				err = w.queue(true, q, int64(min(i, 255)), st.sort, id, int64(i), st.value, st.sort)
			}
		} else {
			err = w.queue(created, `INSERT INTO record_values(record_id, field_id, seq, value, sort) VALUES (?, ?, ?, ?, ?)`,
				f.ID<<8|int64(min(i, 255)), st.sort, id, f.ID, i, st.value, st.sort)
		}
		if err != nil {
			return fmt.Errorf("records: write %s: %w", f.Key, err)
		}
	}
	if f.Builtin && t.Builtin == ContactType && f.Key == ContactEmails {
		return w.setLookup(`record_emails`, `email`, id, fv.vals, true, created)
	}
	if f.Builtin && t.Builtin == CompanyType && f.Key == CompanyDomains {
		return w.setLookup(`record_domains`, `domain`, id, fv.vals, false, created)
	}
	return nil
}

// setLookup rewrites a record's normalised addresses or domains (the first is primary).
func (w *Writer) setLookup(table, col string, id int64, vals []stored, primary, created bool) error {
	if !created {
		if _, err := w.exec(`DELETE FROM `+table+` WHERE record_id = ?`, id); err != nil {
			return fmt.Errorf("records: %s: %w", table, err)
		}
	}
	for i, st := range vals {
		q := `INSERT OR IGNORE INTO ` + table + `(` + col + `, record_id) VALUES (?, ?)`
		args := []any{st.key, id}
		if primary {
			// Whether the address is primary is the statement's own.
			q = `INSERT OR IGNORE INTO ` + table + `(` + col + `, record_id, is_primary) VALUES (?, ?, 0)`
			if i == 0 {
				q = `INSERT OR IGNORE INTO ` + table + `(` + col + `, record_id, is_primary) VALUES (?, ?, 1)`
			}
		}
		if err := w.queue(created, q, 0, st.key, args...); err != nil {
			return fmt.Errorf("records: %s: %w", table, err)
		}
	}
	return nil
}

// finish recomputes the title and search text, and refuses a record without a title.
func (w *Writer) finish(t *Type, id int64) error {
	title, err := refreshTitle(w.ctx, w.tx, w.s, t, id)
	if err != nil {
		return err
	}
	if err := titled(t, title); err != nil {
		return err
	}
	w.touched(id, t.ID)
	return nil
}

// titled refuses a record without a title.
func titled(t *Type, title string) error {
	if title != "" {
		return nil
	}
	if t.Builtin == ContactType {
		return ErrContactEmpty.Field(ContactFirstName, nil)
	}
	if f := t.Field(t.TitleFieldID); f != nil {
		return ErrTitleMissing.Field(f.Key, fieldParams(f, nil))
	}
	return nil
}

// compose is a new record's title and search text from its checked values, as refreshTitle
// reads them back from the database: the title field's (or a contact's name) first, every
// other value in the body by field id and order.
func compose(t *Type, fvs []fieldValues) (string, string) {
	order := make([]*fieldValues, len(fvs))
	for i := range fvs {
		order[i] = &fvs[i]
	}
	sort.Slice(order, func(i, j int) bool { return order[i].f.ID < order[j].f.ID })
	first := map[string]string{}
	var body []string
	for _, fv := range order {
		f := fv.f
		for _, st := range fv.vals {
			v := outValue(f, st.value)
			if _, ok := first[f.Key]; !ok {
				first[f.Key] = fmt.Sprint(v)
			}
			if f.ID != t.TitleFieldID {
				if txt := searchText(f, v); txt != "" {
					body = append(body, txt)
				}
			}
		}
	}
	return titleOf(t, func(key string) string { return first[key] }), strings.Join(body, "\n")
}

// titleOf is a record's title from the first value of each field.
func titleOf(t *Type, first func(key string) string) string {
	if t.Builtin == ContactType {
		if title := strings.TrimSpace(first(ContactFirstName) + " " + first(ContactLastName)); title != "" {
			return title
		}
		return first(ContactEmails)
	}
	if f := t.Field(t.TitleFieldID); f != nil {
		return first(f.Key)
	}
	return ""
}

func refresh(ctx context.Context, tx *sql.Tx, s *Schema, t *Type, id int64) error {
	_, err := refreshTitle(ctx, tx, s, t, id)
	return err
}

// refreshTitle recomputes a record's title (and its sort form) and its search text.
func refreshTitle(ctx context.Context, tx *sql.Tx, s *Schema, t *Type, id int64) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT field_id, value FROM record_values WHERE record_id = ? ORDER BY field_id, seq`, id)
	if err != nil {
		return "", fmt.Errorf("records: read values: %w", err)
	}
	byKey := map[string][]any{}
	var body []string
	for rows.Next() {
		var fid int64
		var raw any
		if err := rows.Scan(&fid, &raw); err != nil {
			rows.Close()
			return "", fmt.Errorf("records: read values: %w", err)
		}
		f := t.Field(fid)
		if f == nil {
			continue
		}
		v := outValue(f, raw)
		byKey[f.Key] = append(byKey[f.Key], v)
		if f.ID != t.TitleFieldID {
			if txt := searchText(f, v); txt != "" {
				body = append(body, txt)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("records: read values: %w", err)
	}
	title := titleOf(t, func(key string) string {
		if vs := byKey[key]; len(vs) > 0 {
			return fmt.Sprint(vs[0])
		}
		return ""
	})
	if _, err := tx.ExecContext(ctx, `UPDATE records SET title = ?, title_sort = ? WHERE id = ?`, title, Fold(title), id); err != nil {
		return "", fmt.Errorf("records: title: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM records_fts WHERE rowid = ?`, id); err != nil {
		return "", fmt.Errorf("records: search text: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO records_fts(rowid, title, body) VALUES (?, ?, ?)`, id, title, strings.Join(body, "\n")); err != nil {
		return "", fmt.Errorf("records: search text: %w", err)
	}
	return title, nil
}

// searchText is a value as the full-text search indexes it.
func searchText(f *Field, v any) string {
	switch f.Kind {
	case Text, LongText, Email, Phone, URL, Domain, Date:
		switch x := v.(type) {
		case string:
			return x
		case int64: // text that looks like a number reads back as one (the column's affinity)
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return ""
	case Number, Money:
		return strconv.FormatFloat(v.(float64), 'f', -1, 64)
	case SingleChoice, MultipleChoice:
		for _, c := range f.Choices {
			if c.ID == v {
				return c.Label
			}
		}
	}
	return ""
}

// outValue is a stored value as Values reads it.
func outValue(f *Field, raw any) any {
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	switch f.Kind {
	case Number:
		switch x := raw.(type) {
		case int64:
			return float64(x)
		case float64:
			return x
		}
	case Money:
		if x, ok := raw.(int64); ok {
			return float64(x) / math.Pow10(currencyExponent(f.Currency))
		}
	case Checkbox:
		return true
	case SingleChoice, MultipleChoice:
		if x, ok := raw.(int64); ok {
			return x
		}
	}
	return raw
}

// Create adds one record as the user by.
func (r *Records) Create(ctx context.Context, by, typeID int64, v Values) (Record, error) {
	var id int64
	_, err := r.Write(ctx, by, func(w *Writer) (err error) { id, err = w.Create(typeID, v); return err })
	if err != nil {
		return Record{}, err
	}
	d, err := r.Get(ctx, id)
	return d.Record, err
}

// Update changes the given fields of one record as the user by.
func (r *Records) Update(ctx context.Context, by, id int64, v Values) (Record, error) {
	_, err := r.Write(ctx, by, func(w *Writer) error { return w.Update(id, v) })
	if err != nil {
		return Record{}, err
	}
	d, err := r.Get(ctx, id)
	return d.Record, err
}

// Delete moves records to the trash.
func (r *Records) Delete(ctx context.Context, by int64, ids ...int64) (Change, error) {
	return r.Write(ctx, by, func(w *Writer) error { return w.Delete(ids...) })
}

// Restore takes records out of the trash.
func (r *Records) Restore(ctx context.Context, by int64, ids ...int64) (Change, error) {
	return r.Write(ctx, by, func(w *Writer) error { return w.Restore(ids...) })
}

// Get reads a record (also one in the trash) with the records that link to it.
func (r *Records) Get(ctx context.Context, id int64) (Detail, error) {
	s, err := r.SharedSchema(ctx) // only read here
	if err != nil {
		return Detail{}, err
	}
	recs, err := loadRecords(ctx, r.db.R, s, []int64{id}, nil)
	if err != nil {
		return Detail{}, err
	}
	if len(recs) == 0 {
		return Detail{}, ErrRecordNotFound.New(nil)
	}
	d := Detail{Record: recs[0]}
	rows, err := r.db.R.QueryContext(ctx, `SELECT l.field_id, f.type_id, COUNT(*) FROM record_links l
		JOIN records r ON r.id = l.from_id AND r.deleted_at IS NULL
		JOIN record_fields f ON f.id = l.field_id
		WHERE l.to_id = ? GROUP BY l.field_id ORDER BY f.type_id, l.field_id`, id)
	if err != nil {
		return Detail{}, fmt.Errorf("records: backlinks: %w", err)
	}
	for rows.Next() {
		var b Backlinks
		if err := rows.Scan(&b.FieldID, &b.TypeID, &b.Total); err != nil {
			rows.Close()
			return Detail{}, fmt.Errorf("records: backlinks: %w", err)
		}
		d.Backlinks = append(d.Backlinks, b)
	}
	rows.Close()
	for i := range d.Backlinks {
		b := &d.Backlinks[i]
		rows, err := r.db.R.QueryContext(ctx, `SELECT r.id, r.type_id, r.title FROM record_links l
			JOIN records r ON r.id = l.from_id AND r.deleted_at IS NULL
			WHERE l.to_id = ? AND l.field_id = ? ORDER BY r.title_sort, r.id LIMIT ?`, id, b.FieldID, maxBacklinks)
		if err != nil {
			return Detail{}, fmt.Errorf("records: backlinks: %w", err)
		}
		for rows.Next() {
			var l LinkRef
			if err := rows.Scan(&l.ID, &l.TypeID, &l.Title); err != nil {
				rows.Close()
				return Detail{}, fmt.Errorf("records: backlinks: %w", err)
			}
			b.Records = append(b.Records, l)
		}
		rows.Close()
	}
	return d, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// loadRecords reads records by id, in the order given, with the values of the fields in only
// (all when nil).
func loadRecords(ctx context.Context, q querier, s *Schema, ids []int64, only map[int64]bool) ([]Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph, args := placeholders(len(ids)), int64Args(ids)
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.type_id, r.title, r.created_at, COALESCE(r.created_by, 0), COALESCE(cu.name, ''),
		r.updated_at, COALESCE(r.updated_by, 0), COALESCE(uu.name, ''), COALESCE(r.deleted_at, 0), COALESCE(r.import_id, 0)
		FROM records r LEFT JOIN users cu ON cu.id = r.created_by LEFT JOIN users uu ON uu.id = r.updated_by
		WHERE r.id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("records: read: %w", err)
	}
	byID := map[int64]*Record{}
	for rows.Next() {
		rec := &Record{Values: Values{}}
		var created, updated, deleted int64
		if err := rows.Scan(&rec.ID, &rec.TypeID, &rec.Title, &created, &rec.CreatedBy, &rec.CreatedByName,
			&updated, &rec.UpdatedBy, &rec.UpdatedByName, &deleted, &rec.ImportID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("records: read: %w", err)
		}
		rec.CreatedAt, rec.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
		if deleted != 0 {
			rec.DeletedAt = time.UnixMilli(deleted)
		}
		byID[rec.ID] = rec
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: read: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT record_id, field_id, value FROM record_values WHERE record_id IN (`+ph+`)
		ORDER BY record_id, field_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("records: read values: %w", err)
	}
	for rows.Next() {
		var rid, fid int64
		var raw any
		if err := rows.Scan(&rid, &fid, &raw); err != nil {
			rows.Close()
			return nil, fmt.Errorf("records: read values: %w", err)
		}
		f, rec := s.Field(fid), byID[rid]
		if f == nil || rec == nil || only != nil && !only[fid] {
			continue
		}
		v := outValue(f, raw)
		if f.Multiple || f.Kind == MultipleChoice {
			l, _ := rec.Values[f.Key].([]any)
			rec.Values[f.Key] = append(l, v)
		} else {
			rec.Values[f.Key] = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: read values: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT l.from_id, l.field_id, t.id, t.type_id, t.title FROM record_links l
		JOIN records t ON t.id = l.to_id AND t.deleted_at IS NULL
		WHERE l.from_id IN (`+ph+`) ORDER BY l.from_id, l.field_id, l.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("records: read links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid, fid int64
		var l LinkRef
		if err := rows.Scan(&rid, &fid, &l.ID, &l.TypeID, &l.Title); err != nil {
			return nil, fmt.Errorf("records: read links: %w", err)
		}
		f, rec := s.Field(fid), byID[rid]
		if f == nil || rec == nil || only != nil && !only[fid] {
			continue
		}
		refs, _ := rec.Values[f.Key].([]LinkRef)
		rec.Values[f.Key] = append(refs, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: read links: %w", err)
	}
	out := make([]Record, 0, len(ids))
	for _, id := range ids {
		if rec := byID[id]; rec != nil {
			out = append(out, *rec)
		}
	}
	return out, nil
}

// ContactsByEmail returns the contacts (outside the trash) holding an address, primary first.
func (r *Records) ContactsByEmail(ctx context.Context, address string) ([]int64, error) {
	n, ok := NormalizeEmail(address)
	if !ok {
		return nil, nil
	}
	return idsOf(ctx, r.db.R, `SELECT e.record_id FROM record_emails e JOIN records r ON r.id = e.record_id AND r.deleted_at IS NULL
		WHERE e.email = ? ORDER BY e.is_primary DESC, e.record_id`, n)
}

// CompaniesByDomain returns the companies (outside the trash) holding a domain.
func (r *Records) CompaniesByDomain(ctx context.Context, domain string) ([]int64, error) {
	n, ok := NormalizeDomain(domain)
	if !ok {
		return nil, nil
	}
	return idsOf(ctx, r.db.R, `SELECT d.record_id FROM record_domains d JOIN records r ON r.id = d.record_id AND r.deleted_at IS NULL
		WHERE d.domain = ? ORDER BY d.record_id`, n)
}
