package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"mailroom/backend/fault"
	"mailroom/backend/importer"
	"mailroom/backend/records"
)

// ImportProgressEvent streams an import's (or a validation's) progress
// (ImportProgressDTO).
const ImportProgressEvent = "imports:progress"

// maxImportBytes bounds a file to import (a 5 MB export is ordinary; 100 MB is not a list
// of customers).
const maxImportBytes = 100 << 20

var (
	errImportFileGone  = fault.Define("imports_file_gone", fault.NotFound, "the file to import is no longer open: choose it again")
	errImportTooLarge  = fault.Define("imports_file_too_large", fault.InvalidInput, "the file is too large to import: {max} MB at most")
	errImportUnread    = fault.Define("imports_file_unreadable", fault.InvalidInput, "the file cannot be read: check that it still exists and that you may open it")
	errExportFormat    = fault.Define("exports_format_unknown", fault.InvalidInput, "{format} is not a format to export to")
	errImportSeparator = fault.Define("imports_separator_invalid", fault.InvalidInput, "the separator must be one character")
	errFileDialog      = fault.Define("imports_dialog_unavailable", fault.Internal, "the file dialog cannot be opened")
	errExportFolder    = fault.Define("exports_folder_unwritable", fault.InvalidInput, "the file cannot be written in this folder: choose another")
	errExportWrite     = fault.Define("exports_write_failed", fault.Internal, "the file could not be written whole: nothing was saved")
)

// Dedupes and ExportFormats are enums of the generated contract.
var (
	Dedupes       = records.Dedupes
	ExportFormats = []string{"csv", "vcard"}
)

// Imports brings records in from the files people have (CSV from Excel, Google Contacts,
// Outlook, LibreOffice; vCard) and writes lists out (CSV, vCard). Admins import; everyone
// signed in exports the lists they read.
//
// The file is chosen in a native dialog on the Go side: it is read from disk (streamed,
// never held whole) on each pass, nothing crosses the bridge but the results, and no bound
// method takes a path (a script in the webview cannot make the app read a file of its
// choosing). The UI holds a token for the chosen file.
type Imports struct {
	b       *Backend
	mu      sync.Mutex
	files   map[string]importFile
	running map[string]context.CancelFunc
}

type importFile struct {
	path, name string
	size       int64
	vcard      bool
}

func (s *Imports) source(token string) (importFile, records.ImportSource, error) {
	s.mu.Lock()
	f, ok := s.files[token]
	s.mu.Unlock()
	if !ok {
		return f, records.ImportSource{}, errImportFileGone.New(nil)
	}
	return f, records.ImportSource{Name: f.name, VCard: f.vcard, Open: func() (io.ReadCloser, error) {
		r, err := os.Open(f.path)
		if err != nil {
			return nil, errImportUnread.Wrap(err, nil)
		}
		return r, nil
	}}, nil
}

func (s *ImportSettingsDTO) settings() (records.ImportSettings, error) {
	out := records.ImportSettings{TypeID: s.TypeID, Encoding: importer.Encoding(s.Encoding), HeaderRow: s.HeaderRow,
		DateOrder: importer.DateOrder(s.DateOrder), DecimalComma: s.DecimalComma, Columns: s.Columns,
		Dedupe: records.Dedupe(s.Dedupe), KeyField: s.KeyField, CreateLinked: s.CreateLinked}
	if s.Separator != "" {
		r, n := utf8.DecodeRuneInString(s.Separator)
		if n != len(s.Separator) || r == utf8.RuneError {
			return out, errImportSeparator.Field("separator", nil)
		}
		out.Separator = r
	}
	return out, nil
}

// Open asks for a file to import into a type (a native dialog), reads it and returns what
// was detected with a field suggested for each column. A cancelled dialog returns a DTO
// without a token.
func (s *Imports) Open(typeID int64) (ImportFileDTO, error) {
	return run(s.b, "Imports.Open", func(ctx context.Context, c caller) (ImportFileDTO, error) {
		if s.b.Dialogs == nil {
			return ImportFileDTO{}, errFileDialog.New(nil)
		}
		path, err := s.b.Dialogs.OpenFile()
		if err != nil || path == "" {
			return ImportFileDTO{}, err
		}
		st, err := os.Stat(path)
		if err != nil || st.IsDir() {
			return ImportFileDTO{}, errImportUnread.Wrap(err, nil)
		}
		if st.Size() > maxImportBytes {
			return ImportFileDTO{}, errImportTooLarge.New(fault.P{"max": maxImportBytes >> 20})
		}
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		token := hex.EncodeToString(b)
		f := importFile{path: path, name: filepath.Base(path), size: st.Size(),
			vcard: strings.EqualFold(filepath.Ext(path), ".vcf") || strings.EqualFold(filepath.Ext(path), ".vcard")}
		s.mu.Lock()
		if s.files == nil {
			s.files = map[string]importFile{}
		}
		s.files[token] = f
		s.mu.Unlock()
		return s.inspect(ctx, token, ImportSettingsDTO{TypeID: typeID})
	})
}

// Inspect reads the file again with the user's overrides (encoding, separator, header row,
// date order, decimal mark) and suggests the fields anew.
func (s *Imports) Inspect(token string, in ImportSettingsDTO) (ImportFileDTO, error) {
	return run(s.b, "Imports.Inspect", func(ctx context.Context, c caller) (ImportFileDTO, error) {
		return s.inspect(ctx, token, in)
	})
}

func (s *Imports) inspect(ctx context.Context, token string, in ImportSettingsDTO) (ImportFileDTO, error) {
	f, src, err := s.source(token)
	if err != nil {
		return ImportFileDTO{}, err
	}
	set, err := in.settings()
	if err != nil {
		return ImportFileDTO{}, err
	}
	info, err := s.b.Records.InspectImport(ctx, src, set)
	if err != nil {
		return ImportFileDTO{}, err
	}
	sc, err := s.b.Records.Schema(ctx)
	if err != nil {
		return ImportFileDTO{}, err
	}
	out := ImportFileDTO{FileID: token, Name: f.name, Size: f.size, VCard: f.vcard, TypeID: in.TypeID,
		Detected: detectionDTO(info.Detected), Header: nonNil(info.Header), Sample: [][]string{}, Rows: info.Rows,
		Suggested: nonNil(info.Suggested), Confidence: info.Confidence, Kinds: []string{}, Targets: []string{}}
	if out.Confidence == nil {
		out.Confidence = []float64{}
	}
	out.Sample = append(out.Sample, info.Sample...)
	for _, k := range info.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	if t := sc.Type(in.TypeID); t != nil {
		out.Targets = records.ImportTargets(t)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func detectionDTO(d importer.Detection) DetectionDTO {
	return DetectionDTO{Encoding: string(d.Encoding), BOM: d.BOM, Separator: string(d.Separator), HeaderRow: d.HeaderRow,
		Layout: string(d.Layout), DateOrder: string(d.Conventions.DateOrder), DecimalComma: d.Conventions.DecimalComma}
}

// Preview runs the import on the first rows without keeping anything: the rows as they
// would be stored, with what would happen to each and the errors of its cells.
func (s *Imports) Preview(token string, in ImportSettingsDTO) (ImportReportDTO, error) {
	return run(s.b, "Imports.Preview", func(ctx context.Context, c caller) (ImportReportDTO, error) {
		return s.importRun(ctx, c, token, in, records.Run{DryRun: true, Limit: 20, Preview: true}, "")
	})
}

// Validate runs the whole import without keeping anything: how many records would be
// created, updated and skipped, and every failing row with its reason. Cancel stops it.
func (s *Imports) Validate(token string, in ImportSettingsDTO) (ImportReportDTO, error) {
	return run(s.b, "Imports.Validate", func(_ context.Context, c caller) (ImportReportDTO, error) {
		return s.importRun(context.TODO(), c, token, in, records.Run{DryRun: true}, "validate")
	})
}

// Run imports the file in one transaction (the failing rows left out), streaming progress;
// Cancel stops it and nothing is kept.
func (s *Imports) Run(token string, in ImportSettingsDTO) (ImportReportDTO, error) {
	return run(s.b, "Imports.Run", func(_ context.Context, c caller) (ImportReportDTO, error) {
		return s.importRun(context.TODO(), c, token, in, records.Run{}, "import")
	})
}

// importRun runs an import; with a phase it is cancellable (its own context, without the
// call's time bound) and streams its progress.
func (s *Imports) importRun(ctx context.Context, c caller, token string, in ImportSettingsDTO, rn records.Run, phase string) (ImportReportDTO, error) {
	f, src, err := s.source(token)
	if err != nil {
		return ImportReportDTO{}, err
	}
	set, err := in.settings()
	if err != nil {
		return ImportReportDTO{}, err
	}
	var progress func(records.ImportProgress)
	if phase != "" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(s.b.appContext())
		defer cancel()
		s.mu.Lock()
		if s.running == nil {
			s.running = map[string]context.CancelFunc{}
		}
		s.running[token] = cancel
		s.mu.Unlock()
		defer func() { s.mu.Lock(); delete(s.running, token); s.mu.Unlock() }()
		progress = func(p records.ImportProgress) {
			s.b.emit(ImportProgressEvent, ImportProgressDTO{FileID: token, Phase: phase, Rows: p.Rows, Fraction: p.Fraction})
		}
	}
	res, err := s.b.Records.Import(ctx, c.user.ID, src, f.size, set, rn, progress)
	if err != nil {
		return ImportReportDTO{}, err
	}
	if !rn.DryRun {
		(&Records{b: s.b}).changed(res.Change)
	}
	return importReportDTO(res), nil
}

// Cancel stops the validation or import of a file under way; nothing of it is kept.
func (s *Imports) Cancel(token string) error {
	return do(s.b, "Imports.Cancel", func(ctx context.Context, c caller) error {
		s.mu.Lock()
		cancel := s.running[token]
		s.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		return nil
	})
}

// Close forgets a file chosen for an import (the wizard closed).
func (s *Imports) Close(token string) error {
	return do(s.b, "Imports.Close", func(ctx context.Context, c caller) error {
		s.mu.Lock()
		delete(s.files, token)
		s.mu.Unlock()
		return nil
	})
}

// History lists a type's imports, the latest first.
func (s *Imports) History(typeID int64) ([]ImportDTO, error) {
	return run(s.b, "Imports.History", func(ctx context.Context, c caller) ([]ImportDTO, error) {
		list, err := s.b.Records.Imports(ctx, typeID, 50)
		if err != nil {
			return nil, err
		}
		out := make([]ImportDTO, 0, len(list))
		for _, it := range list {
			out = append(out, ImportDTO{ID: it.ID, TypeID: it.TypeID, FileName: it.FileName, Created: it.Created, Updated: it.Updated,
				Skipped: it.Skipped, Failed: it.Failed, CreatedAt: rfc3339(it.CreatedAt), CreatedByName: it.CreatedByName, UndoneAt: rfc3339(it.UndoneAt)})
		}
		return out, nil
	})
}

// Undo removes what an import created and gives what it updated its previous values.
func (s *Imports) Undo(id int64) (UndoDTO, error) {
	return run(s.b, "Imports.Undo", func(ctx context.Context, c caller) (UndoDTO, error) {
		res, err := s.b.Records.UndoImport(ctx, c.user.ID, id)
		if err != nil {
			return UndoDTO{}, err
		}
		(&Records{b: s.b}).changed(res.Change)
		return UndoDTO{Removed: res.Removed, Restored: res.Restored, Missing: res.Missing}, nil
	})
}

// Export writes every record of a list (the query the screen shows, all its pages) to a
// file the user chooses: CSV (UTF-8 with a BOM, `;` and French formats when the caller's
// language is French) or, for contacts, vCard. It returns the path, or "" when the user
// cancelled. Records only: no account setting or secret is ever written.
func (s *Imports) Export(in ExportDTO) (string, error) {
	return run(s.b, "Imports.Export", func(ctx context.Context, c caller) (string, error) {
		if in.Format != "csv" && in.Format != "vcard" {
			return "", errExportFormat.New(fault.P{"format": in.Format})
		}
		sc, err := s.b.Records.Schema(ctx)
		if err != nil {
			return "", err
		}
		t := sc.Type(in.Query.TypeID)
		if t == nil {
			return "", records.ErrTypeNotFound.New(nil)
		}
		if in.Format == "vcard" && t.Builtin != records.ContactType {
			return "", records.ErrExportVCardContacts.New(nil)
		}
		if s.b.Dialogs == nil {
			return "", errFileDialog.New(nil)
		}
		name := t.Plural
		if c.user.Language == "fr" && t.Builtin == records.CompanyType {
			name = "Sociétés"
		}
		name += map[string]string{"csv": ".csv", "vcard": ".vcf"}[in.Format]
		path, err := s.b.Dialogs.SaveFile(name)
		if err != nil || path == "" {
			return "", err
		}
		q := records.Query{TypeID: in.Query.TypeID, Search: in.Query.Search, Sort: records.Sort{Field: in.Query.Sort.Field, Desc: in.Query.Sort.Desc},
			Filters: filtersIn(in.Query.Filters), Columns: in.Query.Columns}
		f, err := os.CreateTemp(dirOf(path), ".mailroom-export-*")
		if err != nil {
			return "", errExportFolder.Wrap(err, nil)
		}
		if in.Format == "csv" {
			_, err = s.b.Records.ExportCSV(ctx, f, q, records.ExportOptions{Language: c.user.Language})
		} else {
			_, err = s.b.Records.ExportVCards(ctx, f, q)
		}
		if cerr := f.Close(); err == nil && cerr != nil {
			err = errExportWrite.Wrap(cerr, nil)
		}
		if err == nil {
			if rerr := os.Rename(f.Name(), path); rerr != nil {
				err = errExportWrite.Wrap(rerr, nil)
			}
		}
		if err != nil {
			os.Remove(f.Name())
			return "", err
		}
		return path, nil
	})
}

func importReportDTO(r records.ImportResult) ImportReportDTO {
	out := ImportReportDTO{ImportID: r.ImportID, Rows: r.Rows, Created: r.Created, Linked: r.Linked, Updated: r.Updated,
		Skipped: r.Skipped, Failed: r.Failed, Failures: []RowFailureDTO{}, Unresolved: []UnresolvedDTO{}, Preview: []PreviewRowDTO{}}
	for _, f := range r.Failures {
		out.Failures = append(out.Failures, RowFailureDTO{Line: f.Line, Errors: cellErrorDTOs(f.Errors)})
	}
	for _, u := range r.Unresolved {
		out.Unresolved = append(out.Unresolved, UnresolvedDTO{Line: u.Line, Column: u.Column, Field: u.Field, Value: u.Value})
	}
	for _, p := range r.Preview {
		vals := map[string]any{}
		for k, v := range p.Values {
			vals[k] = v
		}
		out.Preview = append(out.Preview, PreviewRowDTO{Line: p.Line, Action: p.Action, RecordID: p.RecordID, Values: vals, Errors: cellErrorDTOs(p.Errors)})
	}
	return out
}

func cellErrorDTOs(errs []records.CellError) []CellErrorDTO {
	out := make([]CellErrorDTO, 0, len(errs))
	for _, e := range errs {
		fe, ok := fault.As(e.Err)
		if !ok {
			fe = fault.ErrInternal.New(nil)
		}
		out = append(out, CellErrorDTO{Column: e.Column, Field: e.Field, Error: faultDTO(fe)})
	}
	return out
}
