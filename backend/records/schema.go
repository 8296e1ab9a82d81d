package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"mailroom/backend/fault"
	"mailroom/backend/store"
)

// The built-in types and the keys of their built-in fields (fixed: templates use them).
const (
	ContactType = "contact"
	CompanyType = "company"

	ContactFirstName  = "first_name"
	ContactLastName   = "last_name"
	ContactEmails     = "emails" // several; the first is the primary address
	ContactPhones     = "phones"
	ContactJobTitle   = "job_title"
	ContactCompany    = "company" // a link to a company
	ContactLanguage   = "language"
	ContactNotes      = "notes"
	ContactDoNotEmail = "do_not_email"

	CompanyName    = "name"
	CompanyDomains = "domains" // several
	CompanyAddress = "address"
	CompanyPhone   = "phone"
	CompanyNotes   = "notes"
)

// Type is a kind of record: a built-in one (contacts, companies) or one an admin defined.
type Type struct {
	ID       int64
	Key      string // stable: {{facture.echeance}}
	Builtin  string // "contact", "company" or "" for a type an admin defined
	Singular string
	Plural   string
	// TitleFieldID is the field whose value titles a record (a company's name); 0 for
	// contacts, titled by their name (or, without one, their primary address).
	TitleFieldID int64
	Position     int
	Fields       []Field
}

// Field is one field of a type.
type Field struct {
	ID           int64
	TypeID       int64
	Key          string // stable within its type; see the package doc
	Label        string
	Kind         Kind
	Builtin      bool
	Multiple     bool   // holds several values (emails, phones, domains, links to many)
	Currency     string // Money: ISO 4217 code
	TargetTypeID int64  // Link: the type it links to
	Position     int
	Choices      []Choice // SingleChoice, MultipleChoice
}

// Choice is one choice of a choice field, kept by id: renaming it relabels every record.
type Choice struct {
	ID       int64
	Label    string
	Position int
}

// Schema is every type with its fields, as read at one moment.
type Schema struct {
	Types  []*Type
	byID   map[int64]*Type
	fields map[int64]*Field
}

// Type returns the type of that id, or nil.
func (s *Schema) Type(id int64) *Type { return s.byID[id] }

// TypeByKey returns the type of that key ("contact", "facture"), or nil.
func (s *Schema) TypeByKey(key string) *Type {
	for _, t := range s.Types {
		if t.Key == key {
			return t
		}
	}
	return nil
}

// Field returns the field of that id, or nil.
func (s *Schema) Field(id int64) *Field { return s.fields[id] }

// FieldByKey returns the type's field of that key, or nil.
func (t *Type) FieldByKey(key string) *Field {
	for i := range t.Fields {
		if t.Fields[i].Key == key {
			return &t.Fields[i]
		}
	}
	return nil
}

// Field returns the type's field of that id, or nil.
func (t *Type) Field(id int64) *Field {
	for i := range t.Fields {
		if t.Fields[i].ID == id {
			return &t.Fields[i]
		}
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Schema reads every type and its fields.
func (r *Records) Schema(ctx context.Context) (*Schema, error) { return loadSchema(ctx, r.db.R) }

// schemaChanges counts the changes to types, fields and choices made in this process, on
// any store (it is global: a change through one Records is seen by every other's cache).
// Each function of this file that changes them bumps it once its transaction has ended.
var schemaChanges atomic.Uint64

func schemaChanged() { schemaChanges.Add(1) }

// schemaCache is the schema last read, and schemaChanges when it was read.
type schemaCache struct {
	mu      sync.Mutex
	changes uint64
	s       *Schema
}

// SharedSchema is Schema read once and shared until the types, fields or choices change:
// the same *Schema is returned until then, a new one after. It must not be modified. A
// bulk send renders a template for every recipient, and reading the schema for each
// (three queries) was a good part of its cost.
func (r *Records) SharedSchema(ctx context.Context) (*Schema, error) {
	if r.schema == nil {
		return r.Schema(ctx)
	}
	// Read before the schema: a change committed meanwhile has moved the counter past it,
	// so the copy read now is not kept beyond that change.
	n := schemaChanges.Load()
	c := r.schema
	c.mu.Lock()
	if c.s != nil && c.changes == n {
		s := c.s
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	s, err := r.Schema(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.s == nil || n >= c.changes {
		c.s, c.changes = s, n
	}
	c.mu.Unlock()
	return s, nil
}

func loadSchema(ctx context.Context, q querier) (*Schema, error) {
	s := &Schema{byID: map[int64]*Type{}, fields: map[int64]*Field{}}
	rows, err := q.QueryContext(ctx, `SELECT id, key, builtin, singular, plural, COALESCE(title_field_id, 0), position
		FROM record_types ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("records: read types: %w", err)
	}
	for rows.Next() {
		t := &Type{}
		if err := rows.Scan(&t.ID, &t.Key, &t.Builtin, &t.Singular, &t.Plural, &t.TitleFieldID, &t.Position); err != nil {
			rows.Close()
			return nil, fmt.Errorf("records: read types: %w", err)
		}
		s.Types = append(s.Types, t)
		s.byID[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: read types: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT id, type_id, key, label, kind, builtin, multiple, currency,
		COALESCE(target_type_id, 0), position FROM record_fields ORDER BY type_id, position, id`)
	if err != nil {
		return nil, fmt.Errorf("records: read fields: %w", err)
	}
	for rows.Next() {
		var f Field
		if err := rows.Scan(&f.ID, &f.TypeID, &f.Key, &f.Label, &f.Kind, &f.Builtin, &f.Multiple, &f.Currency,
			&f.TargetTypeID, &f.Position); err != nil {
			rows.Close()
			return nil, fmt.Errorf("records: read fields: %w", err)
		}
		if t := s.byID[f.TypeID]; t != nil {
			t.Fields = append(t.Fields, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: read fields: %w", err)
	}
	for _, t := range s.Types {
		for i := range t.Fields {
			s.fields[t.Fields[i].ID] = &t.Fields[i]
		}
	}
	rows, err = q.QueryContext(ctx, `SELECT id, field_id, label, position FROM record_choices ORDER BY field_id, position, id`)
	if err != nil {
		return nil, fmt.Errorf("records: read choices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Choice
		var fid int64
		if err := rows.Scan(&c.ID, &fid, &c.Label, &c.Position); err != nil {
			return nil, fmt.Errorf("records: read choices: %w", err)
		}
		if f := s.fields[fid]; f != nil {
			f.Choices = append(f.Choices, c)
		}
	}
	return s, rows.Err()
}

// TypeInput defines a type.
type TypeInput struct {
	Singular string
	Plural   string
	// TitleLabel names the text field created to title the records ("Numéro"); "Name" if empty.
	TitleLabel string
}

func checkName(s string, missing *fault.Reason, field string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", missing.Field(field, nil)
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		return "", ErrNameTooLong.Field(field, fault.P{"max": maxNameRunes})
	}
	return s, nil
}

// uniqueKey returns base, or base_2, base_3… the first that taken does not hold.
func uniqueKey(base string, taken func(string) (bool, error)) (string, error) {
	for i := 1; ; i++ {
		k := base
		if i > 1 {
			k = base + "_" + strconv.Itoa(i)
		}
		t, err := taken(k)
		if err != nil || !t {
			return k, err
		}
	}
}

// CreateType defines a type with a text field that titles its records; its key comes from
// its singular name ("Facture" → "facture") and never changes.
func (r *Records) CreateType(ctx context.Context, by int64, in TypeInput) (Type, error) {
	defer schemaChanged() // after the commit: see SharedSchema
	sing, err := checkName(in.Singular, ErrTypeNameMissing, "singular")
	if err != nil {
		return Type{}, err
	}
	plural, err := checkName(in.Plural, ErrTypeNameMissing, "plural")
	if err != nil {
		return Type{}, err
	}
	title := strings.TrimSpace(in.TitleLabel)
	if title == "" {
		title = "Name"
	}
	if title, err = checkName(title, ErrFieldLabelMissing, "titleLabel"); err != nil {
		return Type{}, err
	}
	var id int64
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		key, err := uniqueKey(KeyFrom(sing), func(k string) (bool, error) {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM record_types WHERE key = ?`, k).Scan(&n)
			return n > 0, err
		})
		if err != nil {
			return fmt.Errorf("records: type key: %w", err)
		}
		now := r.now().UnixMilli()
		res, err := tx.ExecContext(ctx, `INSERT INTO record_types(key, singular, plural, position, created_at, created_by)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM record_types), ?, ?)`, key, sing, plural, now, nullID(by))
		if err != nil {
			return fmt.Errorf("records: create type: %w", err)
		}
		id, _ = res.LastInsertId()
		res, err = tx.ExecContext(ctx, `INSERT INTO record_fields(type_id, key, label, kind, position, created_at)
			VALUES (?, ?, ?, 'text', 0, ?)`, id, KeyFrom(title), title, now)
		if err != nil {
			return fmt.Errorf("records: create title field: %w", err)
		}
		fid, _ := res.LastInsertId()
		_, err = tx.ExecContext(ctx, `UPDATE record_types SET title_field_id = ? WHERE id = ?`, fid, id)
		return err
	})
	if err != nil {
		return Type{}, err
	}
	return r.typeByID(ctx, id)
}

func (r *Records) typeByID(ctx context.Context, id int64) (Type, error) {
	s, err := r.Schema(ctx)
	if err != nil {
		return Type{}, err
	}
	t := s.Type(id)
	if t == nil {
		return Type{}, ErrTypeNotFound.New(nil)
	}
	return *t, nil
}

// TypeChange renames a type or chooses another title field (0: unchanged). The key stays.
type TypeChange struct {
	Singular     string
	Plural       string
	TitleFieldID int64
}

// UpdateType renames a type and may choose another field to title its records (every record
// is retitled in the same transaction). Built-in types may be renamed; their key stays.
func (r *Records) UpdateType(ctx context.Context, id int64, in TypeChange) (Type, error) {
	defer schemaChanged() // after the commit: see SharedSchema
	sing, err := checkName(in.Singular, ErrTypeNameMissing, "singular")
	if err != nil {
		return Type{}, err
	}
	plural, err := checkName(in.Plural, ErrTypeNameMissing, "plural")
	if err != nil {
		return Type{}, err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		t := s.Type(id)
		if t == nil {
			return ErrTypeNotFound.New(nil)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_types SET singular = ?, plural = ? WHERE id = ?`, sing, plural, id); err != nil {
			return fmt.Errorf("records: rename type: %w", err)
		}
		if in.TitleFieldID == 0 || in.TitleFieldID == t.TitleFieldID || t.Builtin == ContactType {
			return nil
		}
		f := t.Field(in.TitleFieldID)
		if f == nil {
			return ErrFieldNotFound.New(nil)
		}
		if !f.Kind.canTitle() || f.Multiple {
			return ErrFieldTitleKind.Field("titleFieldId", fieldParams(f, nil))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_types SET title_field_id = ? WHERE id = ?`, f.ID, id); err != nil {
			return fmt.Errorf("records: title field: %w", err)
		}
		t.TitleFieldID = f.ID
		return retitleAll(ctx, tx, s, t)
	})
	if err != nil {
		return Type{}, err
	}
	return r.typeByID(ctx, id)
}

// retitleAll recomputes the title and search text of every record of t.
func retitleAll(ctx context.Context, tx *sql.Tx, s *Schema, t *Type) error {
	ids, err := idsOf(ctx, tx, `SELECT id FROM records WHERE type_id = ?`, t.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := refresh(ctx, tx, s, t, id); err != nil {
			return err
		}
	}
	return nil
}

func idsOf(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	ids, err := store.Int64s(q.QueryContext(ctx, query, args...))
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	return ids, nil
}

// DeleteType deletes a type an admin defined, its fields, saved views and the records in its
// trash. A type that still holds records, or that another type's field links to, stays.
func (r *Records) DeleteType(ctx context.Context, id int64) error {
	defer schemaChanged() // after the commit: see SharedSchema
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		t := s.Type(id)
		if t == nil {
			return ErrTypeNotFound.New(nil)
		}
		if t.Builtin != "" {
			return ErrTypeBuiltin.New(nil)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM records WHERE type_id = ? AND deleted_at IS NULL`, id).Scan(&n); err != nil {
			return fmt.Errorf("records: count: %w", err)
		}
		if n > 0 {
			return ErrTypeHasRecords.New(typeParams(t, fault.P{"count": n}))
		}
		for _, o := range s.Types {
			for _, f := range o.Fields {
				if o.ID != id && f.Kind == Link && f.TargetTypeID == id {
					return ErrTypeIsLinked.New(fieldParams(&f, typeParams(o, nil)))
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM records_fts WHERE rowid IN (SELECT id FROM records WHERE type_id = ?)`, id); err != nil {
			return fmt.Errorf("records: delete type's search: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_types SET title_field_id = NULL WHERE id = ?`, id); err != nil {
			return fmt.Errorf("records: delete type: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM record_fields WHERE target_type_id = ?`, id); err != nil {
			return fmt.Errorf("records: delete type's links: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM record_types WHERE id = ?`, id); err != nil {
			return fmt.Errorf("records: delete type: %w", err)
		}
		return nil
	})
}

// FieldInput defines a field.
type FieldInput struct {
	Label        string
	Kind         Kind
	Multiple     bool     // Email, Phone, URL, Link: several values
	Currency     string   // Money: ISO 4217 ("EUR" if empty)
	TargetTypeID int64    // Link: the type linked to
	Choices      []string // choice fields: the choices' labels, in order
}

// AddField adds a field to a type (built-in types accept fields too). Its key comes from its
// label and never changes.
func (r *Records) AddField(ctx context.Context, typeID int64, in FieldInput) (Field, error) {
	defer schemaChanged() // after the commit: see SharedSchema
	label, err := checkName(in.Label, ErrFieldLabelMissing, "label")
	if err != nil {
		return Field{}, err
	}
	if !in.Kind.valid() || in.Kind == Domain {
		return Field{}, ErrFieldKindInvalid.Field("kind", fault.P{"kind": string(in.Kind)})
	}
	cur := ""
	if in.Kind == Money {
		cur = strings.ToUpper(strings.TrimSpace(in.Currency))
		if cur == "" {
			cur = "EUR"
		}
		if !validCurrency(cur) {
			return Field{}, ErrCurrencyInvalid.Field("currency", fault.P{"currency": in.Currency})
		}
	}
	multiple := in.Multiple && (in.Kind == Email || in.Kind == Phone || in.Kind == URL || in.Kind == Link)
	var fid int64
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		if s.Type(typeID) == nil {
			return ErrTypeNotFound.New(nil)
		}
		var target any
		if in.Kind == Link {
			if s.Type(in.TargetTypeID) == nil {
				return ErrLinkTargetMissing.Field("targetTypeId", nil)
			}
			target = in.TargetTypeID
		}
		key, err := uniqueKey(KeyFrom(label), func(k string) (bool, error) {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM record_fields WHERE type_id = ? AND key = ?`, typeID, k).Scan(&n)
			return n > 0, err
		})
		if err != nil {
			return fmt.Errorf("records: field key: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO record_fields(type_id, key, label, kind, multiple, currency, target_type_id, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM record_fields WHERE type_id = ?), ?)`,
			typeID, key, label, string(in.Kind), multiple, cur, target, typeID, r.now().UnixMilli())
		if err != nil {
			return fmt.Errorf("records: add field: %w", err)
		}
		fid, _ = res.LastInsertId()
		if in.Kind == SingleChoice || in.Kind == MultipleChoice {
			cs := make([]ChoiceInput, len(in.Choices))
			for i, c := range in.Choices {
				cs[i] = ChoiceInput{Label: c}
			}
			return setChoices(ctx, tx, &Field{ID: fid, Key: key, Label: label, Kind: in.Kind}, cs)
		}
		return nil
	})
	if err != nil {
		return Field{}, err
	}
	s, err := r.Schema(ctx)
	if err != nil {
		return Field{}, err
	}
	return *s.Field(fid), nil
}

// ChoiceInput is one choice of a field as edited: ID 0 adds it.
type ChoiceInput struct {
	ID    int64
	Label string
}

// FieldChange edits a field: its label, its currency, its choices (the whole list, in
// order: a choice left out is deleted, and records holding it lose it). Its key and kind
// never change.
type FieldChange struct {
	Label    string
	Currency string
	Choices  []ChoiceInput
}

// UpdateField renames a field (its key and every value stay), changes a money field's
// currency (amounts stay) or edits a choice field's choices (renamed choices stay on the
// records that hold them).
func (r *Records) UpdateField(ctx context.Context, id int64, in FieldChange) (Field, error) {
	defer schemaChanged() // after the commit: see SharedSchema
	label, err := checkName(in.Label, ErrFieldLabelMissing, "label")
	if err != nil {
		return Field{}, err
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		f := s.Field(id)
		if f == nil {
			return ErrFieldNotFound.New(nil)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_fields SET label = ? WHERE id = ?`, label, id); err != nil {
			return fmt.Errorf("records: rename field: %w", err)
		}
		if f.Kind == Money && in.Currency != "" {
			cur := strings.ToUpper(strings.TrimSpace(in.Currency))
			if !validCurrency(cur) {
				return ErrCurrencyInvalid.Field("currency", fault.P{"currency": in.Currency})
			}
			if _, err := tx.ExecContext(ctx, `UPDATE record_fields SET currency = ? WHERE id = ?`, cur, id); err != nil {
				return fmt.Errorf("records: currency: %w", err)
			}
		}
		if (f.Kind == SingleChoice || f.Kind == MultipleChoice) && in.Choices != nil && !f.Builtin {
			f.Label = label
			if err := setChoices(ctx, tx, f, in.Choices); err != nil {
				return err
			}
			s, err = loadSchema(ctx, tx)
			if err != nil {
				return err
			}
			t := s.Type(f.TypeID)
			ids, err := idsOf(ctx, tx, `SELECT DISTINCT record_id FROM record_values WHERE field_id = ?`, id)
			if err != nil {
				return err
			}
			for _, rid := range ids {
				if err := refresh(ctx, tx, s, t, rid); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return Field{}, err
	}
	s, err := r.Schema(ctx)
	if err != nil {
		return Field{}, err
	}
	return *s.Field(id), nil
}

// setChoices makes f's choices those of cs, in order: kept ids are relabelled (and the sort
// form of their values follows), new ones added, missing ones deleted from the records.
func setChoices(ctx context.Context, tx *sql.Tx, f *Field, cs []ChoiceInput) error {
	seen := map[string]bool{}
	keep := map[int64]bool{}
	for i := range cs {
		l := strings.TrimSpace(cs[i].Label)
		if l == "" {
			return ErrChoiceMissing.Field("choices", fieldParams(f, nil))
		}
		if utf8.RuneCountInString(l) > maxNameRunes {
			return ErrNameTooLong.Field("choices", fault.P{"max": maxNameRunes})
		}
		if seen[Fold(l)] {
			return ErrChoiceDuplicate.Field("choices", fieldParams(f, fault.P{"choice": l}))
		}
		seen[Fold(l)] = true
		cs[i].Label = l
		keep[cs[i].ID] = true
	}
	old, err := idsOf(ctx, tx, `SELECT id FROM record_choices WHERE field_id = ?`, f.ID)
	if err != nil {
		return err
	}
	for _, id := range old {
		if keep[id] {
			continue
		}
		if err := removeChoice(ctx, tx, f.ID, id); err != nil {
			return err
		}
	}
	// Labels are unique per field: park the kept ones under temporary labels first (a
	// leading space, which a trimmed label never has).
	if _, err := tx.ExecContext(ctx, `UPDATE record_choices SET label = ' ' || id WHERE field_id = ?`, f.ID); err != nil {
		return fmt.Errorf("records: choices: %w", err)
	}
	for i, c := range cs {
		if c.ID == 0 || !slicesContains(old, c.ID) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO record_choices(field_id, label, position) VALUES (?, ?, ?)`, f.ID, c.Label, i); err != nil {
				return fmt.Errorf("records: add choice: %w", err)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_choices SET label = ?, position = ? WHERE id = ?`, c.Label, i, c.ID); err != nil {
			return fmt.Errorf("records: rename choice: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_values SET sort = ? WHERE field_id = ? AND value = ?`, Fold(c.Label), f.ID, c.ID); err != nil {
			return fmt.Errorf("records: rename choice: %w", err)
		}
	}
	return nil
}

func slicesContains(xs []int64, x int64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// removeChoice deletes a choice and its values, closing the gaps in the records' order.
func removeChoice(ctx context.Context, tx *sql.Tx, fieldID, choiceID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM record_values WHERE field_id = ? AND value = ?`, fieldID, choiceID); err != nil {
		return fmt.Errorf("records: delete choice: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM record_choices WHERE id = ?`, choiceID); err != nil {
		return fmt.Errorf("records: delete choice: %w", err)
	}
	return reseq(ctx, tx, fieldID)
}

// reseq numbers the values of a field 0, 1, 2… again on every record (after a deletion).
func reseq(ctx context.Context, tx *sql.Tx, fieldID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE record_values SET seq = -1 - (
			SELECT COUNT(*) FROM record_values o
			WHERE o.record_id = record_values.record_id AND o.field_id = record_values.field_id AND o.seq < record_values.seq)
		WHERE field_id = ?`, fieldID)
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE record_values SET seq = -1 - seq WHERE field_id = ?`, fieldID)
	}
	if err != nil {
		return fmt.Errorf("records: renumber values: %w", err)
	}
	return nil
}

// Usage is how many records hold a value of a field (live ones and those in the trash), and
// of each of its choices: what the UI says before a deletion.
type Usage struct {
	Records int
	Choices map[int64]int
}

// FieldUsage counts the records that hold a value of the field, and of each of its choices.
func (r *Records) FieldUsage(ctx context.Context, id int64) (Usage, error) {
	s, err := r.Schema(ctx)
	if err != nil {
		return Usage{}, err
	}
	f := s.Field(id)
	if f == nil {
		return Usage{}, ErrFieldNotFound.New(nil)
	}
	u := Usage{Choices: map[int64]int{}}
	q := `SELECT COUNT(DISTINCT record_id) FROM record_values WHERE field_id = ?`
	if f.Kind == Link {
		q = `SELECT COUNT(DISTINCT from_id) FROM record_links WHERE field_id = ?`
	}
	if err := r.db.R.QueryRowContext(ctx, q, id).Scan(&u.Records); err != nil {
		return Usage{}, fmt.Errorf("records: field usage: %w", err)
	}
	for _, c := range f.Choices {
		var n int
		if err := r.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM record_values WHERE field_id = ? AND value = ?`, id, c.ID).Scan(&n); err != nil {
			return Usage{}, fmt.Errorf("records: choice usage: %w", err)
		}
		u.Choices[c.ID] = n
	}
	return u, nil
}

// DeleteField deletes a field and every value of it (ask first: FieldUsage). Built-in fields
// and the field that titles the records stay.
func (r *Records) DeleteField(ctx context.Context, id int64) error {
	defer schemaChanged() // after the commit: see SharedSchema
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		f := s.Field(id)
		if f == nil {
			return ErrFieldNotFound.New(nil)
		}
		if f.Builtin {
			return ErrFieldBuiltin.New(fieldParams(f, nil))
		}
		t := s.Type(f.TypeID)
		if t.TitleFieldID == id {
			return ErrFieldIsTitle.New(fieldParams(f, nil))
		}
		ids, err := idsOf(ctx, tx, `SELECT DISTINCT record_id FROM record_values WHERE field_id = ?`, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM record_fields WHERE id = ?`, id); err != nil {
			return fmt.Errorf("records: delete field: %w", err)
		}
		if s, err = loadSchema(ctx, tx); err != nil {
			return err
		}
		t = s.Type(f.TypeID)
		for _, rid := range ids {
			if err := refresh(ctx, tx, s, t, rid); err != nil {
				return err
			}
		}
		return nil
	})
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
