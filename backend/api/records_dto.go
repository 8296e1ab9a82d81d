package api

import (
	"time"

	"mailroom/backend/records"
)

// RecordTypeDTO is a kind of record with its fields: contacts and companies (builtin
// "contact", "company") and the types admins define. Key and the fields' keys are stable
// (templates use them); labels may change.
type RecordTypeDTO struct {
	ID           int64      `json:"id"`
	Key          string     `json:"key"`
	Builtin      string     `json:"builtin"` // "contact", "company", or "" for a type an admin defined
	Singular     string     `json:"singular"`
	Plural       string     `json:"plural"`
	TitleFieldID int64      `json:"titleFieldId"` // 0 for contacts (titled by their name)
	Fields       []FieldDTO `json:"fields"`
}

// FieldDTO is one field of a type. A built-in field's label is English; the UI words it
// from its key.
type FieldDTO struct {
	ID           int64       `json:"id"`
	TypeID       int64       `json:"typeId"`
	Key          string      `json:"key"`
	Label        string      `json:"label"`
	Kind         string      `json:"kind"` // FIELD_KINDS
	Builtin      bool        `json:"builtin"`
	Multiple     bool        `json:"multiple"`
	Currency     string      `json:"currency"`     // money
	TargetTypeID int64       `json:"targetTypeId"` // link
	Choices      []ChoiceDTO `json:"choices"`
}

// ChoiceDTO is one choice of a choice field.
type ChoiceDTO struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
}

// TypeInputDTO defines a type (CreateType) or renames one (UpdateType: titleFieldId may
// choose another title field, 0 keeps it; titleLabel is ignored).
type TypeInputDTO struct {
	Singular     string `json:"singular"`
	Plural       string `json:"plural"`
	TitleLabel   string `json:"titleLabel"`
	TitleFieldID int64  `json:"titleFieldId"`
}

// FieldInputDTO defines a field (AddField) or edits one (UpdateField: label, currency and
// choices only; kind, multiple and target never change). In UpdateField, choices is the
// whole list in order: a choice with id 0 is added, one left out is deleted.
type FieldInputDTO struct {
	Label        string      `json:"label"`
	Kind         string      `json:"kind"`
	Multiple     bool        `json:"multiple"`
	Currency     string      `json:"currency"`
	TargetTypeID int64       `json:"targetTypeId"`
	Choices      []ChoiceDTO `json:"choices"`
}

// FieldUsageDTO says how many records hold a value of a field and of each choice: what the
// UI says before deleting it.
type FieldUsageDTO struct {
	Records int              `json:"records"`
	Choices []ChoiceUsageDTO `json:"choices"`
}

// ChoiceUsageDTO is how many records hold one choice.
type ChoiceUsageDTO struct {
	ChoiceID int64 `json:"choiceId"`
	Records  int   `json:"records"`
}

// LinkRefDTO is a linked record as a link field's value shows it.
type LinkRefDTO struct {
	ID     int64  `json:"id"`
	TypeID int64  `json:"typeId"`
	Title  string `json:"title"`
}

// RecordDTO is a record. Values are keyed by field key: a string (text, long text, email,
// phone, URL, domain, date YYYY-MM-DD, date-time RFC 3339), a number (number; money in major
// units), true (a checked box; absent when unchecked), a choice's id, a list of those for a
// field that holds several, and for a link field always a list of LinkRefDTO. An empty field
// is absent.
type RecordDTO struct {
	ID            int64          `json:"id"`
	TypeID        int64          `json:"typeId"`
	Title         string         `json:"title"`
	Values        map[string]any `json:"values"`
	CreatedAt     string         `json:"createdAt"` // RFC 3339
	CreatedByName string         `json:"createdByName"`
	UpdatedAt     string         `json:"updatedAt"`
	UpdatedByName string         `json:"updatedByName"`
	DeletedAt     string         `json:"deletedAt"` // "" unless in the trash
	ImportID      int64          `json:"importId"`  // the import that created it; 0 if made by hand
}

// BacklinksDTO are the records of one link field linking to a record (a company's contacts,
// its invoices): up to 200 by title, and how many in all.
type BacklinksDTO struct {
	FieldID int64        `json:"fieldId"`
	TypeID  int64        `json:"typeId"`
	Records []LinkRefDTO `json:"records"`
	Total   int          `json:"total"`
}

// RecordDetailDTO is a record's page: the record and the records linking to it.
type RecordDetailDTO struct {
	Record    RecordDTO      `json:"record"`
	Backlinks []BacklinksDTO `json:"backlinks"`
}

// RecordInputDTO writes a record. Create: every field given; Update: only the fields given
// change (null, "" or [] clears one). Values take the forms RecordDTO reads, with a link as a
// record id (or a list of ids) and a choice as its id or label.
type RecordInputDTO struct {
	TypeID int64          `json:"typeId"` // Create only
	Values map[string]any `json:"values"`
}

// SortDTO orders a list by a field's key or by title, created_at, updated_at.
type SortDTO struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc"`
}

// FilterDTO is one condition (FILTER_OPS) on a field's key or on title, created_at,
// updated_at. Value: text, a number, a date YYYY-MM-DD, a choice (id or label), a record id
// (linked_to); none for is_empty, is_not_empty, is_checked.
type FilterDTO struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value"`
}

// RecordQueryDTO asks for one page of a list. With search, the best matches come first and
// sort is not used.
type RecordQueryDTO struct {
	TypeID  int64       `json:"typeId"`
	Search  string      `json:"search"`
	Sort    SortDTO     `json:"sort"`
	Filters []FilterDTO `json:"filters"`
	Columns []string    `json:"columns"` // field keys whose values to read; all when empty
	Cursor  string      `json:"cursor"`  // the previous page's next; "" for the first
	Limit   int         `json:"limit"`   // 0: 50; at most 500
}

// RecordPageDTO is one page of a list.
type RecordPageDTO struct {
	Records []RecordDTO `json:"records"`
	Next    string      `json:"next"`  // "" after the last page
	Total   int         `json:"total"` // matching records, on the first page; -1 on the others
}

// TrashItemDTO is a record in the trash (restorable for 30 days).
type TrashItemDTO struct {
	ID            int64  `json:"id"`
	TypeID        int64  `json:"typeId"`
	Title         string `json:"title"`
	DeletedAt     string `json:"deletedAt"`
	DeletedByName string `json:"deletedByName"`
}

// ViewDTO is one of the user's saved views of a type's list (id 0 in SaveView creates it).
type ViewDTO struct {
	ID      int64       `json:"id"`
	TypeID  int64       `json:"typeId"`
	Name    string      `json:"name"`
	Columns []string    `json:"columns"`
	Sort    SortDTO     `json:"sort"`
	Filters []FilterDTO `json:"filters"`
	Search  string      `json:"search"`
}

// RecordsChangedDTO is the payload of RecordsChangedEvent: the records created, edited,
// deleted or restored and their types (both empty when types or fields changed).
type RecordsChangedDTO struct {
	TypeIDs   []int64 `json:"typeIds"`
	RecordIDs []int64 `json:"recordIds"`
}

func recordTypeDTO(t records.Type) RecordTypeDTO {
	out := RecordTypeDTO{ID: t.ID, Key: t.Key, Builtin: t.Builtin, Singular: t.Singular, Plural: t.Plural,
		TitleFieldID: t.TitleFieldID, Fields: []FieldDTO{}}
	for _, f := range t.Fields {
		out.Fields = append(out.Fields, fieldDTO(f))
	}
	return out
}

func fieldDTO(f records.Field) FieldDTO {
	out := FieldDTO{ID: f.ID, TypeID: f.TypeID, Key: f.Key, Label: f.Label, Kind: string(f.Kind), Builtin: f.Builtin,
		Multiple: f.Multiple, Currency: f.Currency, TargetTypeID: f.TargetTypeID, Choices: []ChoiceDTO{}}
	for _, c := range f.Choices {
		out.Choices = append(out.Choices, ChoiceDTO{ID: c.ID, Label: c.Label})
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func linkRefDTOs(refs []records.LinkRef) []LinkRefDTO {
	out := make([]LinkRefDTO, len(refs))
	for i, l := range refs {
		out[i] = LinkRefDTO{ID: l.ID, TypeID: l.TypeID, Title: l.Title}
	}
	return out
}

func recordDTO(r records.Record) RecordDTO {
	vals := make(map[string]any, len(r.Values))
	for k, v := range r.Values {
		if refs, ok := v.([]records.LinkRef); ok {
			vals[k] = linkRefDTOs(refs)
			continue
		}
		vals[k] = v
	}
	return RecordDTO{ID: r.ID, TypeID: r.TypeID, Title: r.Title, Values: vals,
		CreatedAt: rfc3339(r.CreatedAt), CreatedByName: r.CreatedByName, UpdatedAt: rfc3339(r.UpdatedAt),
		UpdatedByName: r.UpdatedByName, DeletedAt: rfc3339(r.DeletedAt), ImportID: r.ImportID}
}

func filtersIn(fs []FilterDTO) []records.Filter {
	out := make([]records.Filter, len(fs))
	for i, f := range fs {
		out[i] = records.Filter{Field: f.Field, Op: records.Op(f.Op), Value: f.Value}
	}
	return out
}

func filtersOut(fs []records.Filter) []FilterDTO {
	out := make([]FilterDTO, len(fs))
	for i, f := range fs {
		out[i] = FilterDTO{Field: f.Field, Op: string(f.Op), Value: f.Value}
	}
	return out
}

func viewDTO(v records.View) ViewDTO {
	cols := v.Spec.Columns
	if cols == nil {
		cols = []string{}
	}
	return ViewDTO{ID: v.ID, TypeID: v.TypeID, Name: v.Name, Columns: cols,
		Sort: SortDTO{Field: v.Spec.Sort.Field, Desc: v.Spec.Sort.Desc}, Filters: filtersOut(v.Spec.Filters), Search: v.Spec.Search}
}
