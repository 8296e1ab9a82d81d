package records

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"mailroom/backend/fault"
)

// Page sizes of a list.
const (
	defaultPage = 50
	maxPage     = 500
)

// The columns every record has besides its fields, usable to sort and filter.
const (
	SortTitle   = "title"
	SortCreated = "created_at"
	SortUpdated = "updated_at"
)

// Op is a filter's condition.
type Op string

// The filters' conditions.
const (
	IsEmpty    Op = "is_empty"
	IsNotEmpty Op = "is_not_empty"
	Equals     Op = "equals"
	Contains   Op = "contains"
	Before     Op = "before"  // date, date-time, created_at, updated_at
	After      Op = "after"   // idem
	Greater    Op = "greater" // number, money
	Less       Op = "less"    // number, money
	IsChecked  Op = "is_checked"
	HasChoice  Op = "has_choice" // Value: a choice's id or label
	LinkedTo   Op = "linked_to"  // Value: a record's id
)

// Ops lists every condition.
var Ops = []Op{IsEmpty, IsNotEmpty, Equals, Contains, Before, After, Greater, Less, IsChecked, HasChoice, LinkedTo}

// Filter is one condition on a field (by key) or on title, created_at, updated_at.
type Filter struct {
	Field string
	Op    Op
	Value any
}

// Sort orders a list by a field's key or by title, created_at or updated_at.
type Sort struct {
	Field string
	Desc  bool
}

// Query asks for one page of a type's records. With Search, the records that match every
// word (as a prefix, accents and case ignored) come best first and Sort is not used.
type Query struct {
	TypeID  int64
	Search  string
	Sort    Sort     // by title when empty
	Filters []Filter // all must hold
	Columns []string // the fields' keys whose values to read; all when empty
	Cursor  string   // from the previous page's Next; "" for the first page
	Limit   int      // 50 when 0, at most 500
}

// Page is one page of a list.
type Page struct {
	Records []Record
	Next    string // the cursor of the next page; "" after the last
	Total   int    // the records that match (counted on the first page only; -1 on the others)
}

// cursor is where a page stopped: in the records holding the sort field's value (phase 0,
// after Sort and ID), then in those without one (phase 1, after ID); Offset in a search.
type cursor struct {
	Phase  int    `json:"p,omitempty"`
	Sort   any    `json:"s,omitempty"`
	Kind   string `json:"k,omitempty"` // i: integer, f: float, s: string
	ID     int64  `json:"i,omitempty"`
	Offset int    `json:"o,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, ErrCursorInvalid.New(nil)
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&c); err != nil {
		return c, ErrCursorInvalid.New(nil)
	}
	if n, ok := c.Sort.(json.Number); ok {
		switch c.Kind {
		case "i":
			v, err := n.Int64()
			if err != nil {
				return c, ErrCursorInvalid.New(nil)
			}
			c.Sort = v
		default:
			v, err := n.Float64()
			if err != nil {
				return c, ErrCursorInvalid.New(nil)
			}
			c.Sort = v
		}
	}
	return c, nil
}

func sortKind(v any) string {
	switch v.(type) {
	case int64:
		return "i"
	case float64:
		return "f"
	}
	return "s"
}

// FTSQuery turns what a user typed into a safe FTS5 query: each word quoted (nothing typed
// is FTS syntax) and matched as a prefix, all required. A word the tokenizer splits ("f-0421",
// "jean-pierre", an address) is one phrase, its parts in a row, the last as a prefix: it
// finds what was typed, and costs far less than matching a one-letter prefix ("f") on its
// own. "" when there is no word.
func FTSQuery(s string) string {
	var terms []string
	for _, chunk := range strings.Fields(s) {
		parts := strings.FieldsFunc(chunk, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
		})
		if len(parts) == 0 {
			continue
		}
		if len(terms) == 16 {
			break
		}
		for i, p := range parts {
			if r := []rune(p); len(r) > 64 {
				parts[i] = string(r[:64])
			}
		}
		terms = append(terms, `"`+strings.Join(parts[:min(len(parts), 16)], " ")+`"*`)
	}
	return strings.Join(terms, " ")
}

// List returns one page of a type's records outside the trash. Sorted by a field, it walks
// the index of that field's values (then the records without a value, by id); sorted by
// title or a date it walks the records' own indexes; the next page starts after the last
// row (keyset), so a page costs the same wherever it is.
func (r *Records) List(ctx context.Context, q Query) (Page, error) {
	s, err := r.Schema(ctx)
	if err != nil {
		return Page{}, err
	}
	t := s.Type(q.TypeID)
	if t == nil {
		return Page{}, ErrTypeNotFound.New(nil)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultPage
	}
	if limit > maxPage {
		limit = maxPage
	}
	cur, err := decodeCursor(q.Cursor)
	if err != nil {
		return Page{}, err
	}
	where, wargs, err := filterSQL(t, q.Filters)
	if err != nil {
		return Page{}, err
	}
	var only map[int64]bool
	if len(q.Columns) > 0 {
		only = map[int64]bool{}
		for _, k := range q.Columns {
			if f := t.FieldByKey(k); f != nil {
				only[f.ID] = true
			}
		}
	}
	page := Page{Total: -1}
	var ids []int64
	if fq := FTSQuery(q.Search); fq != "" {
		ids, page.Next, page.Total, err = r.search(ctx, t, fq, where, wargs, cur, limit)
		if q.Cursor != "" {
			page.Total = -1
		}
	} else {
		ids, page.Next, err = r.sorted(ctx, t, q.Sort, where, wargs, cur, limit)
		if err == nil && q.Cursor == "" {
			err = r.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM records r WHERE r.type_id = ? AND r.deleted_at IS NULL`+where,
				append([]any{t.ID}, wargs...)...).Scan(&page.Total)
		}
	}
	if err != nil {
		return Page{}, err
	}
	page.Records, err = loadRecords(ctx, r.db.R, s, ids, only)
	return page, err
}

// rankAll is how many matches (of every type) a search ranks all by bm25. Beyond it, ranking
// each of thousands of nearly equal scores would cost most of the search and say little:
// the records whose title matches come first, ranked, then the others newest first, read in
// the full-text index's own order and only as far as the page needs.
const rankAll = 2_000

// search returns a page of the records matching fq: ranked (searchRanked) when there are at
// most rankAll matches, the title's matches first otherwise.
func (r *Records) search(ctx context.Context, t *Type, fq, where string, wargs []any, cur cursor, limit int) ([]int64, string, int, error) {
	var matches int
	if err := r.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM records_fts WHERE records_fts MATCH ?`, fq).Scan(&matches); err != nil {
		return nil, "", 0, fmt.Errorf("records: search: %w", err)
	}
	if matches <= rankAll {
		return r.searchRanked(ctx, t, fq, where, wargs, cur, limit)
	}
	count := func(match string) (int, error) {
		var n int
		err := r.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM records_fts JOIN records r ON r.id = records_fts.rowid
			WHERE records_fts MATCH ? AND r.type_id = ? AND r.deleted_at IS NULL`+where, append([]any{match, t.ID}, wargs...)...).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("records: search: %w", err)
		}
		return n, nil
	}
	total := 0
	if cur.Offset == 0 { // a next page shows no total
		var err error
		if total, err = count(fq); err != nil {
			return nil, "", 0, err
		}
	}
	inTitle := `{title} : (` + fq + `)`
	titled, err := count(inTitle)
	if err != nil {
		return nil, "", 0, err
	}
	var ids []int64
	if cur.Offset < titled {
		if ids, _, _, err = r.searchRanked(ctx, t, inTitle, where, wargs, cur, limit); err != nil {
			return nil, "", 0, err
		}
		if len(ids) == limit && cur.Offset+limit < titled {
			ids = append(ids, 0) // more to come: only the count matters
		}
	}
	if len(ids) <= limit {
		args := append([]any{`(` + fq + `) NOT ` + inTitle, t.ID}, wargs...)
		args = append(args, limit+1-len(ids), max(0, cur.Offset-titled))
		rows, err := r.db.R.QueryContext(ctx, `SELECT r.id FROM records_fts JOIN records r ON r.id = records_fts.rowid
			WHERE records_fts MATCH ? AND r.type_id = ? AND r.deleted_at IS NULL`+where+`
			ORDER BY records_fts.rowid DESC LIMIT ? OFFSET ?`, args...)
		if err != nil {
			return nil, "", 0, fmt.Errorf("records: search: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, "", 0, fmt.Errorf("records: search: %w", err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return nil, "", 0, fmt.Errorf("records: search: %w", err)
		}
	}
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = cursor{Offset: cur.Offset + limit}.encode()
	}
	return ids, next, total, nil
}

// searchRanked ranks the matches (bm25, the title weighing most) and counts them in the same
// pass.
func (r *Records) searchRanked(ctx context.Context, t *Type, fq, where string, wargs []any, cur cursor, limit int) ([]int64, string, int, error) {
	args := append([]any{fq, t.ID}, wargs...)
	args = append(args, limit+1, cur.Offset)
	rows, err := r.db.R.QueryContext(ctx, `SELECT id, COUNT(*) OVER () FROM (
			SELECT r.id, bm25(records_fts, 5.0, 1.0) AS rank FROM records_fts JOIN records r ON r.id = records_fts.rowid
			WHERE records_fts MATCH ? AND r.type_id = ? AND r.deleted_at IS NULL`+where+`)
		ORDER BY rank, id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, "", 0, fmt.Errorf("records: search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, "", 0, fmt.Errorf("records: search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, "", 0, fmt.Errorf("records: search: %w", err)
	}
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = cursor{Offset: cur.Offset + limit}.encode()
	}
	return ids, next, total, nil
}

func (r *Records) sorted(ctx context.Context, t *Type, srt Sort, where string, wargs []any, cur cursor, limit int) ([]int64, string, error) {
	dir, cmp := "ASC", ">"
	if srt.Desc {
		dir, cmp = "DESC", "<"
	}
	key := srt.Field
	if key == "" {
		key = SortTitle
	}
	var col string
	switch key {
	case SortTitle:
		col = "r.title_sort"
	case SortCreated:
		col = "r.created_at"
	case SortUpdated:
		col = "r.updated_at"
	}
	if col != "" {
		args := append([]any{t.ID}, wargs...)
		q := `SELECT r.id, ` + col + ` FROM records r WHERE r.type_id = ? AND r.deleted_at IS NULL` + where
		if cur.ID != 0 {
			q += ` AND (` + col + `, r.id) ` + cmp + ` (?, ?)`
			args = append(args, cur.Sort, cur.ID)
		}
		q += ` ORDER BY ` + col + ` ` + dir + `, r.id ` + dir + ` LIMIT ?`
		args = append(args, limit+1)
		return r.keyset(ctx, q, args, 0, limit)
	}
	f := t.FieldByKey(key)
	if f == nil || f.Kind == Link {
		return nil, "", ErrSortInvalid.Field("sort", fault.P{"field": key})
	}
	var ids []int64
	next := ""
	if cur.Phase == 0 {
		args := []any{f.ID}
		q := `SELECT r.id, v.sort FROM record_values v JOIN records r ON r.id = v.record_id
			WHERE v.field_id = ? AND v.seq = 0 AND r.deleted_at IS NULL`
		if cur.ID != 0 {
			q += ` AND (v.sort, v.record_id) ` + cmp + ` (?, ?)`
			args = append(args, cur.Sort, cur.ID)
		}
		q += where + ` ORDER BY v.sort ` + dir + `, v.record_id ` + dir + ` LIMIT ?`
		args = append(append(args, wargs...), limit+1)
		var err error
		if ids, next, err = r.keyset(ctx, q, args, 0, limit); err != nil || next != "" {
			return ids, next, err
		}
		cur = cursor{Phase: 1}
	}
	// Then the records without a value, by id.
	rest := limit - len(ids)
	args := []any{t.ID, f.ID}
	q := `SELECT r.id, r.id FROM records r WHERE r.type_id = ? AND r.deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM record_values v WHERE v.record_id = r.id AND v.field_id = ? AND v.seq = 0)`
	if cur.ID != 0 {
		q += ` AND r.id > ?`
		args = append(args, cur.ID)
	}
	q += where + ` ORDER BY r.id LIMIT ?`
	args = append(append(args, wargs...), rest+1)
	more, next, err := r.keyset(ctx, q, args, 1, rest)
	return append(ids, more...), next, err
}

// keyset runs a page query selecting (id, sort) with limit+1 rows and returns the ids and
// the cursor after the last (or "" when there is no more).
func (r *Records) keyset(ctx context.Context, q string, args []any, phase, limit int) ([]int64, string, error) {
	rows, err := r.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("records: list: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var last any
	more := false
	for rows.Next() {
		var id int64
		var sv any
		if err := rows.Scan(&id, &sv); err != nil {
			return nil, "", fmt.Errorf("records: list: %w", err)
		}
		if len(ids) == limit {
			more = true
			break
		}
		if b, ok := sv.([]byte); ok {
			sv = string(b)
		}
		ids, last = append(ids, id), sv
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("records: list: %w", err)
	}
	if !more || len(ids) == 0 {
		return ids, "", nil
	}
	return ids, cursor{Phase: phase, Sort: last, Kind: sortKind(last), ID: ids[len(ids)-1]}.encode(), nil
}

// FilterSQL turns a list's filters into " AND …" conditions on the records table aliased
// r, with their arguments: an automation's condition is a list's filters.
func FilterSQL(t *Type, fs []Filter) (string, []any, error) { return filterSQL(t, fs) }

// filterSQL turns the filters into " AND …" conditions on r.
func filterSQL(t *Type, fs []Filter) (string, []any, error) {
	var b strings.Builder
	var args []any
	for _, flt := range fs {
		bad := ErrFilterInvalid.Field("filters", fault.P{"field": flt.Field, "op": string(flt.Op)})
		switch flt.Field {
		case SortTitle:
			switch flt.Op {
			case Contains:
				s, _ := asString(flt.Value)
				b.WriteString(` AND r.title_sort LIKE ? ESCAPE '\'`)
				args = append(args, "%"+likeEscape(Fold(s))+"%")
			case Equals:
				s, _ := asString(flt.Value)
				b.WriteString(` AND r.title_sort = ?`)
				args = append(args, Fold(s))
			case IsEmpty, IsNotEmpty:
				op := "="
				if flt.Op == IsNotEmpty {
					op = "<>"
				}
				b.WriteString(` AND r.title ` + op + ` ''`)
			default:
				return "", nil, bad
			}
			continue
		case SortCreated, SortUpdated:
			s, _ := asString(flt.Value)
			d, err := time.Parse(time.DateOnly, s)
			if err != nil || flt.Op != Before && flt.Op != After {
				return "", nil, bad
			}
			if flt.Op == Before {
				fmt.Fprintf(&b, ` AND r.%s < ?`, flt.Field)
			} else {
				fmt.Fprintf(&b, ` AND r.%s >= ?`, flt.Field)
				d = d.AddDate(0, 0, 1)
			}
			args = append(args, d.UnixMilli())
			continue
		}
		f := t.FieldByKey(flt.Field)
		if f == nil {
			return "", nil, bad
		}
		exists := " AND EXISTS"
		has := func(cond string, a ...any) {
			if f.Kind == Link {
				b.WriteString(exists + ` (SELECT 1 FROM record_links l JOIN records lt ON lt.id = l.to_id AND lt.deleted_at IS NULL
					WHERE l.from_id = r.id AND l.field_id = ?` + cond + `)`)
			} else {
				b.WriteString(exists + ` (SELECT 1 FROM record_values x WHERE x.record_id = r.id AND x.field_id = ?` + cond + `)`)
			}
			args = append(append(args, f.ID), a...)
		}
		switch flt.Op {
		case IsEmpty:
			exists = " AND NOT EXISTS"
			has("")
		case IsNotEmpty:
			has("")
		case Equals, Before, After, Greater, Less:
			if f.Kind == Link || f.Kind == Checkbox || (flt.Op == Before || flt.Op == After) && f.Kind != Date && f.Kind != DateTime ||
				(flt.Op == Greater || flt.Op == Less) && f.Kind != Number && f.Kind != Money {
				return "", nil, bad
			}
			st, err := normalize(f, flt.Value)
			if err != nil {
				return "", nil, err
			}
			op := map[Op]string{Equals: "=", Before: "<", After: ">", Greater: ">", Less: "<"}[flt.Op]
			has(` AND x.sort `+op+` ?`, st.sort)
		case Contains:
			if !f.Kind.textual() {
				return "", nil, bad
			}
			s, _ := asString(flt.Value)
			has(` AND x.sort LIKE ? ESCAPE '\'`, "%"+likeEscape(Fold(s))+"%")
		case IsChecked:
			if f.Kind != Checkbox {
				return "", nil, bad
			}
			has("")
		case HasChoice:
			if f.Kind != SingleChoice && f.Kind != MultipleChoice {
				return "", nil, bad
			}
			st, err := normalize(f, flt.Value)
			if err != nil {
				return "", nil, err
			}
			has(` AND x.value = ?`, st.value)
		case LinkedTo:
			id, ok := asID(flt.Value)
			if f.Kind != Link || !ok {
				return "", nil, bad
			}
			has(` AND l.to_id = ?`, id)
		default:
			return "", nil, bad
		}
	}
	return b.String(), args, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// TrashItem is a record in the trash.
type TrashItem struct {
	ID            int64
	TypeID        int64
	Title         string
	DeletedAt     time.Time
	DeletedByName string
}

// Trash lists the records in the trash, the most recently deleted first; before is the
// last item of the previous page (0 for the first).
func (r *Records) Trash(ctx context.Context, before int64, limit int) ([]TrashItem, error) {
	if limit <= 0 || limit > maxPage {
		limit = defaultPage
	}
	q := `SELECT r.id, r.type_id, r.title, r.deleted_at, COALESCE(u.name, '') FROM records r
		LEFT JOIN users u ON u.id = r.deleted_by WHERE r.deleted_at IS NOT NULL`
	var args []any
	if before > 0 {
		q += ` AND (r.deleted_at, r.id) < ((SELECT deleted_at FROM records WHERE id = ?), ?)`
		args = append(args, before, before)
	}
	q += ` ORDER BY r.deleted_at DESC, r.id DESC LIMIT ?`
	rows, err := r.db.R.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("records: trash: %w", err)
	}
	defer rows.Close()
	var out []TrashItem
	for rows.Next() {
		var it TrashItem
		var at int64
		if err := rows.Scan(&it.ID, &it.TypeID, &it.Title, &at, &it.DeletedByName); err != nil {
			return nil, fmt.Errorf("records: trash: %w", err)
		}
		it.DeletedAt = time.UnixMilli(at)
		out = append(out, it)
	}
	return out, rows.Err()
}

// EmptyTrash deletes every record in the trash for good and returns how many.
func (r *Records) EmptyTrash(ctx context.Context) (int, error) {
	return r.purge(ctx, `deleted_at IS NOT NULL`)
}

// PurgeTrash deletes for good the records deleted more than TrashDays ago (the app calls it
// at start).
func (r *Records) PurgeTrash(ctx context.Context) (int, error) {
	cutoff := r.now().AddDate(0, 0, -TrashDays).UnixMilli()
	return r.purge(ctx, fmt.Sprintf(`deleted_at IS NOT NULL AND deleted_at < %d`, cutoff))
}

func (r *Records) purge(ctx context.Context, cond string) (int, error) {
	var n int64
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM records_fts WHERE rowid IN (SELECT id FROM records WHERE `+cond+`)`); err != nil {
			return fmt.Errorf("records: purge search: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM records WHERE `+cond)
		if err != nil {
			return fmt.Errorf("records: purge: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
