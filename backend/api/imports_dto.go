package api

// ImportSettingsDTO are the wizard's choices: the type to import into, the overrides of
// what was detected ("" or null: detected), a target for each column ("" leaves it out,
// Imports' targets list them), what to do with duplicates (DEDUPES) and whether a company
// (or a record of a type of your own) named in a link column and not found is created.
type ImportSettingsDTO struct {
	TypeID       int64    `json:"typeId"`
	Encoding     string   `json:"encoding"`
	Separator    string   `json:"separator"`
	HeaderRow    *int     `json:"headerRow"`
	DateOrder    string   `json:"dateOrder"` // "dmy", "mdy" or ""
	DecimalComma *bool    `json:"decimalComma"`
	Columns      []string `json:"columns"`
	Dedupe       string   `json:"dedupe"`
	KeyField     string   `json:"keyField"` // types of your own: the field that identifies a record ("" its title)
	CreateLinked bool     `json:"createLinked"`
}

// DetectionDTO is what was detected in a file (and the overrides applied).
type DetectionDTO struct {
	Encoding     string `json:"encoding"`
	BOM          bool   `json:"bom"`
	Separator    string `json:"separator"`
	HeaderRow    int    `json:"headerRow"` // -1: no header
	Layout       string `json:"layout"`    // google_contacts, outlook, outlook_fr, vcard or ""
	DateOrder    string `json:"dateOrder"`
	DecimalComma bool   `json:"decimalComma"`
}

// ImportFileDTO is a file chosen for an import, as read: what was detected, its header,
// its first rows, a suggested target for each column with its confidence (1 certain, 0.6
// near, 0 none) and the kind a new field made from it would have (FIELD_KINDS). An empty
// token: the user cancelled the dialog.
type ImportFileDTO struct {
	FileID     string       `json:"fileId"`
	Name       string       `json:"name"`
	Size       int64        `json:"size"`
	VCard      bool         `json:"vcard"`
	TypeID     int64        `json:"typeId"`
	Detected   DetectionDTO `json:"detected"`
	Header     []string     `json:"header"`
	Sample     [][]string   `json:"sample"`
	Rows       int          `json:"rows"`
	Suggested  []string     `json:"suggested"`
	Confidence []float64    `json:"confidence"`
	Kinds      []string     `json:"kinds"`
	Targets    []string     `json:"targets"` // the type's field keys, then full_name, postal_code, city, country where they apply
}

// CellErrorDTO is why a cell (column ≥ 0) or a row (column -1) cannot be imported.
type CellErrorDTO struct {
	Column int      `json:"column"`
	Field  string   `json:"field"`
	Error  ErrorDTO `json:"error"`
}

// RowFailureDTO is a row left out; line is the file's line.
type RowFailureDTO struct {
	Line   int            `json:"line"`
	Errors []CellErrorDTO `json:"errors"`
}

// UnresolvedDTO is a link value not found (the row was imported without it).
type UnresolvedDTO struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Field  string `json:"field"`
	Value  string `json:"value"`
}

// PreviewRowDTO is a row as it would be stored: action is create, update, skip or fail;
// values as Records' values (links as the cell's words).
type PreviewRowDTO struct {
	Line     int            `json:"line"`
	Action   string         `json:"action"`
	RecordID int64          `json:"recordId"`
	Values   map[string]any `json:"values"`
	Errors   []CellErrorDTO `json:"errors"`
}

// ImportReportDTO is what an import did (importId set) or would do (a preview, a
// validation): the first 500 failing rows and unresolved links are listed.
type ImportReportDTO struct {
	ImportID   int64           `json:"importId"`
	Rows       int             `json:"rows"`
	Created    int             `json:"created"`
	Linked     int             `json:"linked"` // records created for links
	Updated    int             `json:"updated"`
	Skipped    int             `json:"skipped"`
	Failed     int             `json:"failed"`
	Failures   []RowFailureDTO `json:"failures"`
	Unresolved []UnresolvedDTO `json:"unresolved"`
	Preview    []PreviewRowDTO `json:"preview"`
}

// ImportProgressDTO is the payload of imports:progress.
type ImportProgressDTO struct {
	FileID   string  `json:"fileId"`
	Phase    string  `json:"phase"` // validate or import
	Rows     int     `json:"rows"`
	Fraction float64 `json:"fraction"`
}

// ImportDTO is an import carried out.
type ImportDTO struct {
	ID            int64  `json:"id"`
	TypeID        int64  `json:"typeId"`
	FileName      string `json:"fileName"`
	Created       int    `json:"created"`
	Updated       int    `json:"updated"`
	Skipped       int    `json:"skipped"`
	Failed        int    `json:"failed"`
	CreatedAt     string `json:"createdAt"`
	CreatedByName string `json:"createdByName"`
	UndoneAt      string `json:"undoneAt"` // "" unless undone
}

// UndoDTO is what undoing an import did.
type UndoDTO struct {
	Removed  int `json:"removed"`
	Restored int `json:"restored"`
	Missing  int `json:"missing"` // updated records deleted since, left as they are
}

// ExportDTO asks for a list written to a file: the list's query (every page) and the
// format (EXPORT_FORMATS: csv, or vcard for contacts).
type ExportDTO struct {
	Query  RecordQueryDTO `json:"query"`
	Format string         `json:"format"`
}
