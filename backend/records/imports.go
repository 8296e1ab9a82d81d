package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/importer"
)

// The reasons of an import's failures, worded in frontend/src/lib/i18n/reasons/imports.json
// (the file-level ones are the importer's own).
var (
	ErrImportCancelled     = fault.Define("imports_cancelled", fault.Conflict, "the import was cancelled: nothing was imported")
	ErrImportNotFound      = fault.Define("imports_not_found", fault.NotFound, "this import no longer exists")
	ErrImportUndone        = fault.Define("imports_already_undone", fault.Conflict, "this import was already undone")
	ErrImportNoRows        = fault.Define("imports_no_rows", fault.InvalidInput, "the file holds a header but no row to import")
	ErrImportNoColumn      = fault.Define("imports_no_column", fault.InvalidInput, "choose a field for at least one column")
	ErrImportTarget        = fault.Define("imports_unknown_target", fault.InvalidInput, "the column {column} goes to {key}, which is not a field of this kind of record")
	ErrImportKeyField      = fault.Define("imports_key_field_invalid", fault.InvalidInput, "{key} cannot identify a record: choose a text, email, phone, number or date field")
	ErrImportCurrency      = fault.Define("imports_currency_mismatch", fault.InvalidInput, "{value} is in {currency}, but {field} holds amounts in {expected}")
	ErrImportVCardContacts = fault.Define("imports_vcard_contacts_only", fault.InvalidInput, "a contact card file imports into contacts only")
	ErrExportVCardContacts = fault.Define("exports_vcard_contacts_only", fault.InvalidInput, "only contacts can be exported as contact cards (vCard)")
	ErrImportUnresolved    = fault.Define("imports_link_unresolved", fault.InvalidInput, "{value} was not found among the records {field} links to")
)

// Dedupe says what an import does with a row that matches a record already there (contacts
// by email, companies by domain or name, other types by their key field).
type Dedupe string

// The choices.
const (
	DedupeUpdate Dedupe = "update" // the row's values replace the record's (empty cells leave it as it was)
	DedupeSkip   Dedupe = "skip"   // the record stays as it is
	DedupeCreate Dedupe = "create" // a new record is created anyway
)

// Dedupes lists the choices, in the order the wizard offers them.
var Dedupes = []Dedupe{DedupeUpdate, DedupeSkip, DedupeCreate}

// Import targets besides a type's fields: parts a column may hold that the import puts
// together.
const (
	TargetFullName   = "full_name"   // contacts: a whole name, split into first and last
	TargetPostalCode = "postal_code" // companies: added to the address
	TargetCity       = "city"        // idem
	TargetCountry    = "country"     // idem
)

// ImportSource is a file to import: opened again for each pass (inspection, preview,
// validation, import), never held whole.
type ImportSource struct {
	Name  string // the file's name, kept on the import
	Open  func() (io.ReadCloser, error)
	VCard bool // a .vcf file of contact cards
}

// ImportSettings are the user's choices in the wizard.
type ImportSettings struct {
	TypeID    int64
	Encoding  importer.Encoding // "" detected
	Separator rune              // 0 detected
	HeaderRow *int              // nil detected; -1 no header
	DateOrder importer.DateOrder
	// DecimalComma overrides how "1,234" reads (nil: from the detected layout).
	DecimalComma *bool
	// Columns holds, for each column of the file, the key of the field (or an import target)
	// it goes to; "" leaves the column out. Columns beyond the list are left out.
	Columns []string
	Dedupe  Dedupe
	// KeyField is the field whose value identifies a record of a type of your own (its
	// title when ""); contacts match by email, companies by domain then by name.
	KeyField string
	// CreateLinked creates a company (or a record of a type of your own) named in a link
	// column that matches none, instead of listing the value as unresolved.
	CreateLinked bool
	Location     *time.Location // the zone of date-times written without one; time.Local if nil
}

// Run says how far an import goes.
type Run struct {
	DryRun bool // everything is checked and counted, then rolled back
	Limit  int  // rows to read at most (0: all); a preview's
	// Preview keeps the rows as they would be stored (at most Limit, or 50).
	Preview bool
}

// ImportProgress is where an import is: rows read, and the fraction of the file.
type ImportProgress struct {
	Rows     int
	Fraction float64
}

// CellError is one cell's failure, or a row's (Column -1).
type CellError struct {
	Column int
	Field  string // the field's key
	Err    error  // a *fault.Error
}

// RowFailure is a row left out, with why.
type RowFailure struct {
	Line   int
	Errors []CellError
}

// Unresolved is a link value an import did not find.
type Unresolved struct {
	Line   int
	Column int
	Field  string
	Value  string
}

// Row actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionSkip   = "skip"
	ActionFail   = "fail"
)

// PreviewRow is a row as it would be stored.
type PreviewRow struct {
	Line     int
	Action   string
	RecordID int64 // the record it updates or skips
	Values   Values
	Errors   []CellError
}

// ImportResult is what an import did (or, in a dry run, would do).
type ImportResult struct {
	ImportID   int64 // 0 in a dry run
	Rows       int
	Created    int // records created from rows
	Linked     int // records created for links (CreateLinked)
	Updated    int
	Skipped    int
	Failed     int
	Failures   []RowFailure // the first maxListed
	Unresolved []Unresolved // the first maxListed
	Preview    []PreviewRow
	Change     Change
}

// maxListed bounds the failing rows and unresolved links an import lists.
const maxListed = 500

// errDryRun rolls a dry run back.
var errDryRun = errors.New("records: dry run")

// ImportTargets returns the keys a column of a file may go to for a type: its fields (in
// order) and the parts the import puts together.
func ImportTargets(t *Type) []string {
	var out []string
	for _, f := range t.Fields {
		out = append(out, f.Key)
	}
	switch t.Builtin {
	case ContactType:
		out = append(out, TargetFullName)
	case CompanyType:
		out = append(out, TargetPostalCode, TargetCity, TargetCountry)
	}
	return out
}

// FileInfo is what the wizard shows of a file before the mapping.
type FileInfo struct {
	Detected   importer.Detection
	Header     []string
	Sample     [][]string // the first rows' cells
	Rows       int        // data rows
	Suggested  []string   // per column: a target key or ""
	Confidence []float64
	Kinds      []Kind // per column: the kind a new field made from it would have
}

const sampleRows = 20

// openRows opens a source as rows: a CSV through the importer's reader, a vCard file laid
// out as a table.
type rowSource struct {
	det    importer.Detection
	header []string
	next   func() (importer.Row, error)
	frac   func() float64
	close  func()
}

func openRows(ctx context.Context, src ImportSource, s ImportSettings, size int64) (*rowSource, error) {
	f, err := src.Open()
	if err != nil {
		return nil, fmt.Errorf("records: open import: %w", err)
	}
	if src.VCard {
		defer f.Close()
		contacts, err := importer.ReadVCards(ctx, f)
		if err != nil {
			return nil, err
		}
		header, rows := importer.ContactsTable(contacts)
		i := 0
		return &rowSource{det: importer.Detection{Encoding: importer.UTF8, Separator: ',', Layout: importer.LayoutVCard, Conventions: importer.FR},
			header: header, close: func() {},
			next: func() (importer.Row, error) {
				if err := ctx.Err(); err != nil {
					return importer.Row{}, err
				}
				if i >= len(rows) {
					return importer.Row{}, io.EOF
				}
				i++
				return rows[i-1], nil
			},
			frac: func() float64 { return float64(i) / float64(max(1, len(rows))) }}, nil
	}
	opts := importer.Options{Encoding: s.Encoding, Separator: s.Separator, HeaderRow: s.HeaderRow}
	rd, err := importer.NewReader(ctx, f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	det := rd.Detected()
	if s.DateOrder != "" || s.DecimalComma != nil {
		conv := det.Conventions
		if s.DateOrder != "" {
			conv.DateOrder = s.DateOrder
		}
		if s.DecimalComma != nil {
			conv.DecimalComma = *s.DecimalComma
		}
		det.Conventions = conv
	}
	return &rowSource{det: det, header: rd.Header(), next: rd.Next, close: func() { f.Close() },
		frac: func() float64 {
			if size <= 0 {
				return 0
			}
			return min(1, float64(rd.BytesRead())/float64(size))
		}}, nil
}

// InspectImport reads a file as the settings say (encoding, separator, header row; the
// rest is detected) and suggests a target for each column.
func (r *Records) InspectImport(ctx context.Context, src ImportSource, s ImportSettings) (FileInfo, error) {
	sc, err := r.Schema(ctx)
	if err != nil {
		return FileInfo{}, err
	}
	t := sc.Type(s.TypeID)
	if t == nil {
		return FileInfo{}, ErrTypeNotFound.New(nil)
	}
	if src.VCard && t.Builtin != ContactType {
		return FileInfo{}, ErrImportVCardContacts.New(nil)
	}
	rs, err := openRows(ctx, src, s, 0)
	if err != nil {
		return FileInfo{}, err
	}
	defer rs.close()
	info := FileInfo{Detected: rs.det, Header: rs.header}
	for {
		row, err := rs.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return FileInfo{}, err
		}
		if len(info.Sample) < sampleRows {
			info.Sample = append(info.Sample, row.Cells)
		}
		info.Rows++
	}
	cols := len(info.Header)
	for _, row := range info.Sample {
		cols = max(cols, len(row))
	}
	header := make([]string, cols)
	copy(header, info.Header)
	info.Suggested, info.Confidence = suggestColumns(t, header)
	info.Kinds = make([]Kind, cols)
	for c := range cols {
		var vals []string
		for _, row := range info.Sample {
			if c < len(row) {
				vals = append(vals, row[c])
			}
		}
		info.Kinds[c] = GuessKind(vals, rs.det.Conventions)
	}
	return info, nil
}

// suggestColumns maps the importer's suggestions to the type's fields.
func suggestColumns(t *Type, header []string) ([]string, []float64) {
	var targets []importer.Target
	for _, f := range t.Fields {
		if f.Builtin {
			continue
		}
		targets = append(targets, importer.Target{Key: f.Key, Names: []string{f.Label}})
	}
	if t.Builtin == "" {
		// A type of your own: its title field also answers to the importer's names.
		for i, tg := range targets {
			f := t.FieldByKey(tg.Key)
			if f != nil && f.ID == t.TitleFieldID {
				targets[i].Names = append(targets[i].Names, "number", "numero", "name", "nom", "titre", "title")
			}
		}
	}
	sugg := importer.SuggestMapping(header, targets)
	out := make([]string, len(header))
	conf := make([]float64, len(header))
	taken := map[string]bool{}
	for _, sg := range sugg {
		key := mapSuggestion(t, sg.Field, taken)
		if key == "" {
			continue
		}
		if f := t.FieldByKey(key); f != nil && !f.Multiple && f.Kind != MultipleChoice {
			if taken[key] {
				continue
			}
			taken[key] = true
		}
		out[sg.Column], conf[sg.Column] = key, sg.Confidence
	}
	return out, conf
}

// mapSuggestion turns an importer field into one of the type's targets, or "".
func mapSuggestion(t *Type, field string, taken map[string]bool) string {
	if field == "" {
		return ""
	}
	if t.FieldByKey(field) != nil && (t.Builtin != CompanyType || field != CompanyName) {
		return field
	}
	switch t.Builtin {
	case ContactType:
		if field == importer.FieldFullName {
			return TargetFullName
		}
		return ""
	case CompanyType:
		switch field {
		case importer.FieldCompany, importer.FieldFullName, importer.FieldLastName, CompanyName:
			return CompanyName
		case importer.FieldDomain, importer.FieldWebsite:
			return CompanyDomains
		case importer.FieldPhones:
			return CompanyPhone
		case importer.FieldPostalCode, importer.FieldCity, importer.FieldCountry:
			return field
		}
		return ""
	}
	// A type of your own: the importer's invoice words go to the first free field of the
	// matching kind.
	kinds := map[string][]Kind{
		importer.FieldClient: {Link}, importer.FieldCompany: {Link}, importer.FieldAmount: {Money, Number},
		importer.FieldDueDate: {Date}, importer.FieldDate: {Date}, importer.FieldPaid: {Checkbox},
		importer.FieldNotes: {LongText}, importer.FieldEmails: {Email}, importer.FieldPhones: {Phone},
		importer.FieldWebsite: {URL},
	}
	if field == importer.FieldNumber || field == importer.FieldFullName {
		if f := t.Field(t.TitleFieldID); f != nil && !taken[f.Key] {
			return f.Key
		}
	}
	for _, k := range kinds[field] {
		for _, f := range t.Fields {
			if f.Kind == k && !taken[f.Key] {
				// A due date goes only to a due-date field, and a plain date never to one:
				// a file with both "Date" and "Échéance" fills each its own field.
				due := strings.Contains(f.Key, "echeance") || strings.Contains(f.Key, "due")
				if field == importer.FieldDueDate && !due || field == importer.FieldDate && due {
					continue
				}
				return f.Key
			}
		}
	}
	return ""
}

// GuessKind is the kind a new field made from a column's values would have: the narrowest
// that reads every non-blank value.
func GuessKind(values []string, conv importer.Conventions) Kind {
	order := []struct {
		k  Kind
		ik importer.Kind
	}{{Checkbox, importer.KindBool}, {Date, importer.KindDate}, {Email, importer.KindEmail},
		{Money, importer.KindMoney}, {Number, importer.KindNumber}, {URL, importer.KindURL}, {Phone, importer.KindPhone}}
	seen := 0
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			seen++
		}
	}
	if seen == 0 {
		return Text
	}
	for _, o := range order {
		ok, withSymbol := true, false
		for _, v := range values {
			if strings.TrimSpace(v) == "" {
				continue
			}
			pv, err := importer.Parse(o.ik, v, conv, time.UTC)
			if err != nil {
				ok = false
				break
			}
			if o.k == Money && pv.Money.Currency != "" {
				withSymbol = true
			}
			if o.k == Phone && strings.ContainsAny(v, ".,") && !strings.ContainsAny(v, " +()") {
				ok = false // 12,5 or 1.234 are numbers
				break
			}
		}
		if ok && (o.k != Money || withSymbol) {
			return o.k
		}
	}
	for _, v := range values {
		if strings.ContainsRune(v, '\n') {
			return LongText
		}
	}
	return Text
}

// importer reads rows into values and writes them, within one transaction.
type importRun struct {
	r       *Records
	w       *Writer
	t       *Type
	s       ImportSettings
	conv    importer.Conventions
	loc     *time.Location
	cols    []string // per column: target
	keyCol  map[string]int
	keyF    *Field
	links   map[linkKey]int64
	created map[int64]bool
	index   map[int64]*typeIndex // by type: the records rows match and link to
	known   map[string][]*stored // the row's values as read, normalised (see checkKnown)
	last    *stored              // what value normalised of the last cell it read, if it did
	res     *ImportResult
	// linked: the records the current row created for its links, forgotten again when an
	// updating row fails and is rolled back (a later row naming the same company must not
	// link to a record that no longer exists).
	linked []linkedRecord
}

// linkedRecord is a record an import created for a link cell, as its caches hold it.
type linkedRecord struct {
	key    linkKey
	target *Type
	id     int64
}

// forgetLinked undoes in the import's caches what the current row's created links added:
// the rows were rolled back.
func (in *importRun) forgetLinked() {
	for _, l := range in.linked {
		delete(in.links, l.key)
		delete(in.created, l.id)
		in.res.Linked--
		if x := in.index[l.target.ID]; x != nil && x.titles[l.key.folded] == l.id {
			delete(x.titles, l.key.folded)
		}
	}
	in.linked = in.linked[:0]
}

// linkKey is a link cell's value as the import caches what it found.
type linkKey struct {
	typeID int64
	folded string
}

// Import reads the whole file and creates, updates or skips a record for each row, in one
// transaction as the user by: a cancelled context, an unreadable file or a crash leaves
// nothing behind. Rows that fail are left out and listed. A dry run does everything then
// rolls back: the wizard's preview and validation are the import itself, not a copy of it.
func (r *Records) Import(ctx context.Context, by int64, src ImportSource, size int64, s ImportSettings, run Run,
	progress func(ImportProgress)) (ImportResult, error) {
	if s.Dedupe == "" {
		s.Dedupe = DedupeUpdate
	}
	rs, err := openRows(ctx, src, s, size)
	if err != nil {
		return ImportResult{}, err
	}
	defer rs.close()
	res := ImportResult{}
	ch, err := r.Write(ctx, by, func(w *Writer) error {
		t := w.s.Type(s.TypeID)
		if t == nil {
			return ErrTypeNotFound.New(nil)
		}
		if src.VCard && t.Builtin != ContactType {
			return ErrImportVCardContacts.New(nil)
		}
		in := &importRun{r: r, w: w, t: t, s: s, conv: rs.det.Conventions, loc: s.Location, keyCol: map[string]int{},
			links: map[linkKey]int64{}, created: map[int64]bool{}, index: map[int64]*typeIndex{}, res: &res}
		if in.loc == nil {
			in.loc = time.Local
		}
		if err := in.checkColumns(rs.header); err != nil {
			return err
		}
		if !run.DryRun {
			rr, err := w.tx.ExecContext(ctx, `INSERT INTO imports(type_id, file_name, created_at, created_by) VALUES (?, ?, ?, ?)`,
				t.ID, src.Name, w.now, nullID(by))
			if err != nil {
				return fmt.Errorf("records: import: %w", err)
			}
			res.ImportID, _ = rr.LastInsertId()
			w.SetImport(res.ImportID)
		}
		w.startBatch()
		defer w.stopBatch() // a failed import's queued rows are not written
		// The writer's page cache holds the indexes an import writes into (64 MiB instead
		// of SQLite's 2 MiB), for the import's time only.
		var cache int64
		if err := w.tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
			return fmt.Errorf("records: import: %w", err)
		}
		if _, err := w.tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
			return fmt.Errorf("records: import: %w", err)
		}
		defer func() {
			_ = w.wait() // a batch still being written when the import fails
			_, _ = w.tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
		}()
		// New records take ids above the highest: clear any search row left there once, so
		// that each new record writes its search text in one statement.
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM records_fts WHERE rowid > (SELECT COALESCE(MAX(id), 0) FROM records)`); err != nil {
			return fmt.Errorf("records: import: %w", err)
		}
		last := time.Now()
		for run.Limit == 0 || res.Rows < run.Limit {
			row, err := rs.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			res.Rows++
			pr, err := in.row(row)
			if err != nil {
				return err
			}
			if run.Preview && len(res.Preview) < max(run.Limit, 50) {
				res.Preview = append(res.Preview, pr)
			}
			if progress != nil && time.Since(last) > 100*time.Millisecond {
				last = time.Now()
				progress(ImportProgress{Rows: res.Rows, Fraction: rs.frac()})
			}
		}
		if err := w.endBatch(); err != nil {
			return err
		}
		if res.Rows == 0 {
			return ErrImportNoRows.New(nil)
		}
		if run.DryRun {
			return errDryRun
		}
		_, err := w.tx.ExecContext(ctx, `UPDATE imports SET created = ?, updated = ?, skipped = ?, failed = ? WHERE id = ?`,
			res.Created+res.Linked, res.Updated, res.Skipped, res.Failed, res.ImportID)
		if err != nil {
			return fmt.Errorf("records: import: %w", err)
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ImportResult{}, ErrImportCancelled.Wrap(err, nil)
		}
		return ImportResult{}, err
	}
	if progress != nil {
		progress(ImportProgress{Rows: res.Rows, Fraction: 1})
	}
	res.Change = ch
	return res, nil
}

// checkColumns checks the mapping against the type and notes the first column of each field.
func (in *importRun) checkColumns(header []string) error {
	in.cols = in.s.Columns
	targets := map[string]bool{}
	for _, k := range ImportTargets(in.t) {
		targets[k] = true
	}
	mapped := false
	for i, key := range in.cols {
		if key == "" {
			continue
		}
		if !targets[key] {
			name := fmt.Sprintf("%d", i+1)
			if i < len(header) && header[i] != "" {
				name = header[i]
			}
			return ErrImportTarget.Field("columns", fault.P{"column": name, "key": key})
		}
		mapped = true
		if _, ok := in.keyCol[key]; !ok {
			in.keyCol[key] = i
		}
	}
	if !mapped {
		return ErrImportNoColumn.Field("columns", nil)
	}
	if in.t.Builtin == "" && in.s.Dedupe != DedupeCreate {
		key := in.s.KeyField
		if key == "" {
			if f := in.t.Field(in.t.TitleFieldID); f != nil {
				key = f.Key
			}
		}
		f := in.t.FieldByKey(key)
		if f == nil || f.Multiple {
			return ErrImportKeyField.Field("keyField", fault.P{"key": key})
		}
		switch f.Kind {
		case Text, Email, Phone, URL, Number, Date, Domain:
		default:
			return ErrImportKeyField.Field("keyField", fault.P{"key": f.Label})
		}
		in.keyF = f
	}
	return nil
}

// splitMany splits a cell holding several values: Google's " ::: ", new lines, semicolons
// and (for addresses and phones) commas.
func splitMany(s string, commas bool) []string {
	seps := []string{" ::: ", "\n", ";"}
	if commas {
		seps = append(seps, ",")
	}
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// row imports one row.
func (in *importRun) row(row importer.Row) (PreviewRow, error) {
	pr := PreviewRow{Line: row.Line}
	v, linkCells, errs := in.convert(row.Cells)
	fail := func(errs []CellError) (PreviewRow, error) {
		pr.Action, pr.Errors = ActionFail, errs
		in.res.Failed++
		if len(in.res.Failures) < maxListed {
			in.res.Failures = append(in.res.Failures, RowFailure{Line: row.Line, Errors: errs})
		}
		return pr, nil
	}
	if len(errs) > 0 {
		pr.Values = v
		return fail(errs)
	}
	id, action, err := in.write(row, v, linkCells)
	pr.Values, pr.RecordID, pr.Action = v, id, action
	if err != nil {
		if in.w.ctx.Err() != nil {
			return pr, in.w.ctx.Err()
		}
		if _, ok := fault.As(err); !ok {
			return pr, err
		}
		col := -1
		if fe, _ := fault.As(err); fe.Field != "" {
			if c, ok := in.keyCol[fe.Field]; ok {
				col = c
			}
		}
		return fail([]CellError{{Column: col, Field: fieldOf(err), Err: err}})
	}
	switch action {
	case ActionCreate:
		in.res.Created++
	case ActionUpdate:
		in.res.Updated++
	case ActionSkip:
		in.res.Skipped++
	}
	return pr, nil
}

func fieldOf(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Field
	}
	return ""
}

type linkCell struct {
	col   int
	f     *Field
	value string
}

// convert reads a row's cells into values by the fields' kinds; links are resolved later.
func (in *importRun) convert(cells []string) (Values, []linkCell, []CellError) {
	v := Values{}
	if in.known == nil {
		in.known = map[string][]*stored{}
	}
	clear(in.known) // check copies what it reads from it
	var links []linkCell
	var errs []CellError
	var addr []string
	parts := map[string]string{}
	for i, key := range in.cols {
		if key == "" || i >= len(cells) || strings.TrimSpace(cells[i]) == "" {
			continue
		}
		cell := cells[i]
		switch key {
		case TargetFullName, TargetPostalCode, TargetCity, TargetCountry:
			if parts[key] == "" {
				parts[key] = cell
			}
			continue
		}
		f := in.t.FieldByKey(key)
		if f.Kind == Link {
			pieces := []string{cell}
			if f.Multiple {
				pieces = splitMany(cell, false)
			}
			for _, p := range pieces {
				links = append(links, linkCell{col: i, f: f, value: p})
			}
			continue
		}
		many := f.Multiple || f.Kind == MultipleChoice
		pieces := []string{cell}
		if many {
			pieces = splitMany(cell, f.Kind != Text && f.Kind != LongText)
		}
		for _, p := range pieces {
			in.last = nil
			val, err := in.value(f, p)
			if err != nil {
				errs = append(errs, CellError{Column: i, Field: f.Key, Err: err})
				continue
			}
			if val == nil {
				continue
			}
			if many {
				l, _ := v[key].([]any)
				v[key] = append(l, val)
				in.known[key] = append(in.known[key], in.last)
			} else if _, set := v[key]; !set {
				v[key] = val
				in.known[key] = []*stored{in.last}
			}
		}
		if f.Builtin && in.t.Builtin == CompanyType && key == CompanyAddress {
			addr = append(addr, cell)
		}
	}
	switch in.t.Builtin {
	case ContactType:
		if full := parts[TargetFullName]; full != "" && v[ContactFirstName] == nil && v[ContactLastName] == nil {
			first, last := splitName(full)
			if first != "" {
				v[ContactFirstName] = first
			}
			if last != "" {
				v[ContactLastName] = last
			}
		}
	case CompanyType:
		line := strings.TrimSpace(parts[TargetPostalCode] + " " + parts[TargetCity])
		if line != "" || parts[TargetCountry] != "" {
			if a, _ := v[CompanyAddress].(string); a != "" {
				addr = []string{a}
			}
			if line != "" {
				addr = append(addr, line)
			}
			if parts[TargetCountry] != "" {
				addr = append(addr, parts[TargetCountry])
			}
			v[CompanyAddress] = strings.Join(addr, "\n")
			delete(in.known, CompanyAddress)
		}
	}
	return v, links, errs
}

// splitName splits a whole name: the last word is the last name ("Marie Curie"), a
// single word is a first name.
func splitName(full string) (string, string) {
	words := strings.Fields(full)
	if len(words) < 2 {
		return full, ""
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// value reads one cell as f's kind, the file's way (dates, decimals), into the form Values
// takes; nil for a blank.
func (in *importRun) value(f *Field, cell string) (any, error) {
	bad := func(err error) error {
		if fe, ok := fault.As(err); ok {
			fe.Params = fieldParams(f, fe.Params)
			fe.Field = f.Key
			return fe
		}
		return err
	}
	var ik importer.Kind
	switch f.Kind {
	case Number:
		ik = importer.KindNumber
	case Money:
		ik = importer.KindMoney
	case Date:
		ik = importer.KindDate
	case DateTime:
		ik = importer.KindDateTime
	case Checkbox:
		ik = importer.KindBool
	case Email:
		ik = importer.KindEmail
	case Phone:
		ik = importer.KindPhone
	case URL:
		ik = importer.KindURL
	default:
		ik = importer.KindText
	}
	pv, err := importer.Parse(ik, cell, in.conv, in.loc)
	if err != nil {
		return nil, bad(err)
	}
	if pv.Empty {
		return nil, nil
	}
	switch f.Kind {
	case Number:
		return pv.Number.Float64(), nil
	case Money:
		if c := pv.Money.Currency; c != "" && f.Currency != "" && c != f.Currency {
			return nil, ErrImportCurrency.Field(f.Key, fieldParams(f, fault.P{"value": cell, "currency": c, "expected": f.Currency}))
		}
		return pv.Money.Amount.Float64(), nil
	case Date:
		return pv.Time.Format(time.DateOnly), nil
	case DateTime:
		return pv.Time.UTC().Format(time.RFC3339), nil
	case Checkbox:
		return pv.Bool, nil
	case SingleChoice, MultipleChoice:
		for _, c := range f.Choices {
			if Fold(c.Label) == Fold(pv.Text) {
				return c.ID, nil
			}
		}
		return nil, ErrValueChoice.Field(f.Key, fieldParams(f, fault.P{"value": pv.Text}))
	}
	st, err := normalize(f, pv.Text)
	if err != nil {
		return nil, err
	}
	if st.value == nil {
		return nil, nil
	}
	in.last = &st
	return pv.Text, nil
}

// write checks the row's values, finds the record it matches, resolves its links, and
// creates, updates or skips the record. A new record's values are all checked before
// anything is written (a linked record included), so a row that fails leaves nothing.
func (in *importRun) write(row importer.Row, v Values, links []linkCell) (int64, string, error) {
	w := in.w
	in.linked = in.linked[:0]
	fvs, err := w.checkKnown(in.t, v, noLinks, in.known)
	if err != nil {
		return 0, "", err
	}
	var existing int64
	if in.s.Dedupe != DedupeCreate {
		if existing, err = in.match(fvs); err != nil {
			return 0, "", err
		}
	}
	var title, body string
	if existing == 0 {
		title, body = compose(in.t, fvs)
		if err := titled(in.t, title); err != nil {
			return 0, "", err
		}
	}
	if existing != 0 && in.s.Dedupe == DedupeUpdate {
		// An update writes as it goes: a row that fails is rolled back to where it started,
		// the records created for its links included (the values queued before it are
		// written first, outside of it).
		if err := w.flush(); err != nil {
			return 0, "", err
		}
		if _, err := w.exec(`SAVEPOINT import_row`); err != nil {
			return 0, "", fmt.Errorf("records: import: %w", err)
		}
		err := in.resolveLinks(row, v, links)
		if err == nil {
			err = in.update(existing, v)
		}
		if err != nil {
			// What the row queued (records created for its links) goes with what it wrote.
			if derr := w.dropBatch(); derr != nil {
				return 0, "", derr
			}
			if _, uerr := w.tx.ExecContext(w.ctx, `ROLLBACK TO import_row`); uerr != nil {
				return 0, "", fmt.Errorf("records: import: %w", uerr)
			}
			in.forgetLinked()
		}
		if _, rerr := w.exec(`RELEASE import_row`); rerr != nil {
			return 0, "", fmt.Errorf("records: import: %w", rerr)
		}
		if err != nil {
			return 0, "", err
		}
		return existing, ActionUpdate, nil
	}
	if err := in.resolveLinks(row, v, links); err != nil {
		return 0, "", err
	}
	if existing != 0 {
		return existing, ActionSkip, nil
	}
	for i := range in.t.Fields {
		f := &in.t.Fields[i]
		if f.Kind != Link || v[f.Key] == nil {
			continue
		}
		fv := fieldValues{f: f}
		for _, x := range list(v[f.Key]) {
			if id, ok := x.(int64); ok && !slicesContains(fv.links, id) {
				fv.links = append(fv.links, id)
			}
		}
		fvs = append(fvs, fv)
	}
	id, err := w.insertComposed(in.t, fvs, title, body, true)
	if err != nil {
		return 0, "", err
	}
	in.created[id] = true
	in.remember(in.t, id, fvs, title)
	return id, ActionCreate, nil
}

// resolveLinks puts the records the row's link cells name into v, and lists those not found.
func (in *importRun) resolveLinks(row importer.Row, v Values, links []linkCell) error {
	for _, lc := range links {
		id, err := in.resolve(lc.f, lc.value)
		if err != nil {
			return err
		}
		if id == 0 {
			if len(in.res.Unresolved) < maxListed {
				in.res.Unresolved = append(in.res.Unresolved, Unresolved{Line: row.Line, Column: lc.col, Field: lc.f.Key, Value: lc.value})
			}
			continue
		}
		if lc.f.Multiple {
			l, _ := v[lc.f.Key].([]any)
			v[lc.f.Key] = append(l, id)
		} else if _, set := v[lc.f.Key]; !set {
			v[lc.f.Key] = id
		}
	}
	return nil
}

// update gives a record the row's values, keeping what it replaced for the undo.
func (in *importRun) update(existing int64, v Values) error {
	w := in.w
	old, err := w.Get(existing)
	if err != nil {
		return err
	}
	prev := map[string]any{}
	for key, nv := range v {
		f := in.t.FieldByKey(key)
		ov, had := old.Values[key]
		if f.Kind == Link {
			var ids []any
			if refs, ok := ov.([]LinkRef); ok {
				for _, ref := range refs {
					ids = append(ids, ref.ID)
				}
			}
			if f.Multiple {
				v[key] = mergeValues(f, ids, list(nv))
			}
			prev[key] = ids
			continue
		}
		if !had {
			prev[key] = nil
			continue
		}
		prev[key] = ov
		if f.Multiple || f.Kind == MultipleChoice {
			v[key] = mergeValues(f, list(ov), list(nv))
		}
	}
	if !in.created[existing] && in.res.ImportID != 0 {
		b, err := json.Marshal(prev)
		if err != nil {
			return fmt.Errorf("records: import: %w", err)
		}
		if _, err := w.exec(`INSERT OR IGNORE INTO import_updates(import_id, record_id, previous) VALUES (?, ?, ?)`,
			in.res.ImportID, existing, string(b)); err != nil {
			return fmt.Errorf("records: import: %w", err)
		}
	}
	if err := w.Update(existing, v); err != nil {
		return err
	}
	// The index learns the record's new addresses, domains, key and title.
	fvs, err := w.check(in.t, v, func(*Field, int64) (bool, error) { return true, nil })
	if err != nil {
		return err
	}
	st, err := w.stmt(`SELECT title FROM records WHERE id = ?`)
	if err != nil {
		return err
	}
	var title string
	if err := st.QueryRowContext(w.ctx, existing).Scan(&title); err != nil {
		return fmt.Errorf("records: import: %w", err)
	}
	in.remember(in.t, existing, fvs, title)
	return nil
}

// noLinks is the link check of a row's own values, which hold no link yet: the links are
// resolved afterwards, to records the import found or created.
func noLinks(*Field, int64) (bool, error) { return false, nil }

// mergeValues keeps a record's values of a field holding several and adds the new ones.
func mergeValues(f *Field, old, add []any) []any {
	out := append([]any{}, old...)
	seen := map[string]bool{}
	key := func(x any) string {
		if st, err := normalize(f, x); err == nil && f.Kind != Link {
			return fmt.Sprint(st.sort)
		}
		return fmt.Sprint(x)
	}
	for _, x := range old {
		seen[key(x)] = true
	}
	for _, x := range add {
		if k := key(x); !seen[k] {
			seen[k], out = true, append(out, x)
		}
	}
	return out
}

// typeIndex finds a type's live records the way an import matches rows and resolves links:
// read once per import, then kept up to date with the records the import writes (a query
// per row would cost more than the row's own writes).
type typeIndex struct {
	titles  map[string]int64 // folded title → the first record
	emails  map[string]emailHit
	domains map[string]int64
	keyF    *Field           // a type of your own: the key field (not its title) rows match by
	keys    map[string]int64 // its first value's sort form → the first record
}

// emailHit is the contact an address finds: a primary address before another, then the
// first record.
type emailHit struct {
	id      int64
	primary bool
}

func (x *typeIndex) addEmail(key string, id int64, primary bool) {
	if old, ok := x.emails[key]; !ok || primary && !old.primary || primary == old.primary && id < old.id {
		x.emails[key] = emailHit{id: id, primary: primary}
	}
}

func addFirst(m map[string]int64, key string, id int64) {
	if old, ok := m[key]; !ok || id < old {
		m[key] = id
	}
}

// sortKey is a value's sort form as a map key: numbers by value, text as it is.
func sortKey(v any) string {
	switch x := v.(type) {
	case int64:
		return "n" + strconv.FormatFloat(float64(x), 'g', -1, 64)
	case float64:
		return "n" + strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return "s" + string(x)
	}
	return "s" + fmt.Sprint(v)
}

// indexOf reads a type's index once per import.
func (in *importRun) indexOf(t *Type) (*typeIndex, error) {
	if x := in.index[t.ID]; x != nil {
		return x, nil
	}
	w := in.w
	if err := w.flush(); err != nil {
		return nil, err
	}
	x := &typeIndex{titles: map[string]int64{}, emails: map[string]emailHit{}, domains: map[string]int64{}, keys: map[string]int64{}}
	scan := func(q string, each func(k string, id int64, flag bool), args ...any) error {
		rows, err := w.tx.QueryContext(w.ctx, q, args...)
		if err != nil {
			return fmt.Errorf("records: import index: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k any
			var id int64
			var flag bool
			if err := rows.Scan(&k, &id, &flag); err != nil {
				return fmt.Errorf("records: import index: %w", err)
			}
			each(sortKey(k)[1:], id, flag)
		}
		return rows.Err()
	}
	err := scan(`SELECT title_sort, MIN(id), 0 FROM records WHERE type_id = ? AND deleted_at IS NULL GROUP BY title_sort`,
		func(k string, id int64, _ bool) { x.titles[k] = id }, t.ID)
	if err == nil && t.Builtin == ContactType {
		err = scan(`SELECT e.email, e.record_id, e.is_primary FROM record_emails e JOIN records r ON r.id = e.record_id AND r.deleted_at IS NULL`,
			x.addEmail)
	}
	if err == nil && t.Builtin == CompanyType {
		err = scan(`SELECT d.domain, MIN(d.record_id), 0 FROM record_domains d JOIN records r ON r.id = d.record_id AND r.deleted_at IS NULL
			GROUP BY d.domain`, func(k string, id int64, _ bool) { x.domains[k] = id })
	}
	if err == nil && t.ID == in.t.ID && in.keyF != nil && !(in.keyF.ID == t.TitleFieldID && in.keyF.Kind == Text) {
		x.keyF = in.keyF
		rows, qerr := w.tx.QueryContext(w.ctx, `SELECT v.sort, MIN(v.record_id) FROM record_values v JOIN records r ON r.id = v.record_id
			AND r.deleted_at IS NULL WHERE v.field_id = ? AND v.seq = 0 GROUP BY v.sort`, in.keyF.ID)
		if qerr != nil {
			return nil, fmt.Errorf("records: import index: %w", qerr)
		}
		defer rows.Close()
		for rows.Next() {
			var k any
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				return nil, fmt.Errorf("records: import index: %w", err)
			}
			addFirst(x.keys, sortKey(k), id)
		}
		err = rows.Err()
	}
	if err != nil {
		return nil, err
	}
	in.index[t.ID] = x
	return x, nil
}

// remember adds a record the import wrote to its type's index (title "" leaves the titles
// as they are).
func (in *importRun) remember(t *Type, id int64, fvs []fieldValues, title string) {
	x := in.index[t.ID]
	if x == nil {
		return // not read yet: it will be, with this record
	}
	if title != "" {
		addFirst(x.titles, Fold(title), id)
	}
	for _, fv := range fvs {
		f := fv.f
		switch {
		case f.Builtin && t.Builtin == ContactType && f.Key == ContactEmails:
			for i, st := range fv.vals {
				x.addEmail(st.key, id, i == 0)
			}
		case f.Builtin && t.Builtin == CompanyType && f.Key == CompanyDomains:
			for _, st := range fv.vals {
				addFirst(x.domains, st.key, id)
			}
		case x.keyF != nil && f.ID == x.keyF.ID && len(fv.vals) > 0:
			addFirst(x.keys, sortKey(fv.vals[0].sort), id)
		}
	}
}

// match finds the record a row (its checked values) is: a contact by any of its addresses,
// a company by a domain then by its name, another type's record by its key field.
func (in *importRun) match(fvs []fieldValues) (int64, error) {
	x, err := in.indexOf(in.t)
	if err != nil {
		return 0, err
	}
	first := func(key string) *stored {
		for i := range fvs {
			if fvs[i].f.Key == key && len(fvs[i].vals) > 0 {
				return &fvs[i].vals[0]
			}
		}
		return nil
	}
	switch in.t.Builtin {
	case ContactType:
		for _, fv := range fvs {
			if fv.f.Key == ContactEmails {
				for _, st := range fv.vals {
					if hit, found := x.emails[st.key]; found {
						return hit.id, nil
					}
				}
			}
		}
		return 0, nil
	case CompanyType:
		for _, fv := range fvs {
			if fv.f.Key == CompanyDomains {
				for _, st := range fv.vals {
					if id, found := x.domains[st.key]; found {
						return id, nil
					}
				}
			}
		}
		if st := first(CompanyName); st != nil {
			return x.titles[st.sort.(string)], nil
		}
		return 0, nil
	}
	f := in.keyF
	if f == nil {
		return 0, nil
	}
	st := first(f.Key)
	if st == nil {
		return 0, nil
	}
	if f.ID == in.t.TitleFieldID && f.Kind == Text {
		return x.titles[st.sort.(string)], nil
	}
	return x.keys[sortKey(st.sort)], nil
}

// resolve finds the record a link cell names: a contact by email or name, a company by name
// or the domain of an address, another record by its title. With CreateLinked, a company or
// a record of a type of your own that is not found is created by its name; 0 otherwise.
func (in *importRun) resolve(f *Field, value string) (int64, error) {
	target := in.w.s.Type(f.TargetTypeID)
	if target == nil {
		return 0, ErrTypeNotFound.New(nil)
	}
	folded := Fold(value)
	cacheKey := linkKey{target.ID, folded}
	if id, ok := in.links[cacheKey]; ok {
		return id, nil
	}
	x, err := in.indexOf(target)
	if err != nil {
		return 0, err
	}
	var id int64
	email, isEmail := NormalizeEmail(value)
	switch {
	case target.Builtin == ContactType && isEmail:
		id = x.emails[email].id
	case target.Builtin == CompanyType && isEmail:
		_, domain, _ := strings.Cut(email, "@")
		id = x.domains[domain]
	}
	if id == 0 && !isEmail {
		id = x.titles[folded]
	}
	if id == 0 && in.s.CreateLinked && target.Builtin != ContactType && !isEmail {
		tf := target.Field(target.TitleFieldID)
		if tf != nil && tf.Kind == Text {
			fvs, err := in.w.check(target, Values{tf.Key: value}, noLinks)
			if err != nil {
				return 0, err
			}
			if id, err = in.w.insert(target, fvs, true); err != nil {
				return 0, err
			}
			in.res.Linked++
			in.created[id] = true
			in.remember(target, id, fvs, value)
			in.linked = append(in.linked, linkedRecord{key: cacheKey, target: target, id: id})
		}
	}
	if id != 0 {
		in.links[cacheKey] = id
	}
	return id, nil
}

// ImportInfo is an import that was carried out.
type ImportInfo struct {
	ID            int64
	TypeID        int64
	FileName      string
	Created       int
	Updated       int
	Skipped       int
	Failed        int
	CreatedAt     time.Time
	CreatedByName string
	UndoneAt      time.Time // zero unless undone
}

// Imports lists a type's imports (all types' when typeID is 0), the latest first.
func (r *Records) Imports(ctx context.Context, typeID int64, limit int) ([]ImportInfo, error) {
	if limit <= 0 || limit > maxPage {
		limit = defaultPage
	}
	q := `SELECT i.id, i.type_id, i.file_name, i.created, i.updated, i.skipped, i.failed, i.created_at, COALESCE(u.name, ''),
		COALESCE(i.undone_at, 0) FROM imports i LEFT JOIN users u ON u.id = i.created_by`
	var args []any
	if typeID > 0 {
		q += ` WHERE i.type_id = ?`
		args = append(args, typeID)
	}
	q += ` ORDER BY i.created_at DESC, i.id DESC LIMIT ?`
	rows, err := r.db.R.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("records: imports: %w", err)
	}
	defer rows.Close()
	var out []ImportInfo
	for rows.Next() {
		var it ImportInfo
		var at, undone int64
		if err := rows.Scan(&it.ID, &it.TypeID, &it.FileName, &it.Created, &it.Updated, &it.Skipped, &it.Failed, &at, &it.CreatedByName, &undone); err != nil {
			return nil, fmt.Errorf("records: imports: %w", err)
		}
		it.CreatedAt = time.UnixMilli(at)
		if undone != 0 {
			it.UndoneAt = time.UnixMilli(undone)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// UndoResult is what undoing an import did.
type UndoResult struct {
	Removed  int // records the import created, removed
	Restored int // records it updated, given their previous values back
	Missing  int // records it updated that were deleted since (left as they are)
	Change   Change
}

// UndoImport removes the records an import created (also those edited since: they came from
// it) and gives the records it updated the values they had before, in one transaction.
func (r *Records) UndoImport(ctx context.Context, by, id int64) (UndoResult, error) {
	var res UndoResult
	ch, err := r.Write(ctx, by, func(w *Writer) error {
		var undone sql.NullInt64
		err := w.tx.QueryRowContext(ctx, `SELECT undone_at FROM imports WHERE id = ?`, id).Scan(&undone)
		if isNoRows(err) {
			return ErrImportNotFound.New(nil)
		}
		if err != nil {
			return fmt.Errorf("records: undo import: %w", err)
		}
		if undone.Valid {
			return ErrImportUndone.New(nil)
		}
		type upd struct {
			id   int64
			prev Values
		}
		rows, err := w.tx.QueryContext(ctx, `SELECT record_id, previous FROM import_updates WHERE import_id = ? ORDER BY record_id`, id)
		if err != nil {
			return fmt.Errorf("records: undo import: %w", err)
		}
		var ups []upd
		for rows.Next() {
			var u upd
			var raw string
			if err := rows.Scan(&u.id, &raw); err != nil {
				rows.Close()
				return fmt.Errorf("records: undo import: %w", err)
			}
			d := json.NewDecoder(strings.NewReader(raw))
			d.UseNumber()
			if err := d.Decode(&u.prev); err != nil {
				rows.Close()
				return fmt.Errorf("records: undo import: %w", err)
			}
			ups = append(ups, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("records: undo import: %w", err)
		}
		created, err := idsOf(ctx, w.tx, `SELECT id FROM records WHERE import_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		if err := w.Remove(created...); err != nil {
			return err
		}
		res.Removed = len(created)
		sort.Slice(ups, func(i, j int) bool { return ups[i].id < ups[j].id })
		for _, u := range ups {
			if _, err := w.live(u.id); err != nil {
				res.Missing++
				continue
			}
			for k, val := range u.prev {
				u.prev[k] = fromJSON(val)
			}
			if _, err := w.tx.ExecContext(ctx, `SAVEPOINT undo_row`); err != nil {
				return fmt.Errorf("records: undo import: %w", err)
			}
			if err := w.Update(u.id, u.prev); err != nil {
				if _, ok := fault.As(err); !ok {
					return err
				}
				// A value that can no longer be held (a choice deleted since): the record stays.
				if _, err := w.tx.ExecContext(ctx, `ROLLBACK TO undo_row`); err != nil {
					return fmt.Errorf("records: undo import: %w", err)
				}
				res.Missing++
			} else {
				res.Restored++
			}
			if _, err := w.tx.ExecContext(ctx, `RELEASE undo_row`); err != nil {
				return fmt.Errorf("records: undo import: %w", err)
			}
		}
		_, err = w.tx.ExecContext(ctx, `UPDATE imports SET undone_at = ?, undone_by = ? WHERE id = ?`, w.now, nullID(by), id)
		if err != nil {
			return fmt.Errorf("records: undo import: %w", err)
		}
		return nil
	})
	if err != nil {
		return UndoResult{}, err
	}
	res.Change = ch
	return res, nil
}

// fromJSON turns a previous value read back from JSON into what Values takes: numbers as
// floats (ids of choices and links included), lists as lists.
func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromJSON(e)
		}
		return out
	}
	return v
}
