package importer

import (
	"unicode/utf8"

	"mailroom/backend/fault"
)

// The file-level failures: the file cannot be read as a table at all; nothing is imported.
var (
	// ErrEmptyFile: no byte of text (an empty file, or only a byte-order mark and blanks).
	ErrEmptyFile = fault.Define("importer_empty_file", fault.InvalidInput,
		"the file is empty: there is nothing to import")
	// ErrSpreadsheetFile: an Excel or LibreOffice workbook given where a CSV is expected.
	ErrSpreadsheetFile = fault.Define("importer_spreadsheet_file", fault.InvalidInput,
		"the file is a {format} workbook, not a CSV file: save it as CSV first")
	// ErrBinaryFile: a known binary format (an image, a PDF, an archive) given as CSV.
	ErrBinaryFile = fault.Define("importer_binary_file", fault.InvalidInput,
		"the file is a {format} file, not a CSV file: nothing was imported")
	// ErrNotText: bytes that are no text in any encoding we read (a NUL byte).
	ErrNotText = fault.Define("importer_not_text", fault.InvalidInput,
		"the file is not text (it holds binary data): nothing was imported")
	// ErrMalformedQuote: a quote that opens a cell and never closes, or a stray quote inside
	// a quoted cell. {line} is the line of the file where the reading stopped.
	ErrMalformedQuote = fault.Define("importer_malformed_quote", fault.InvalidInput,
		"line {line}: a quote is not closed or is misplaced")
	// ErrCellTooLong: a cell longer than maxCellBytes, nearly always a quote left open.
	ErrCellTooLong = fault.Define("importer_cell_too_long", fault.InvalidInput,
		"line {line}: a cell is too long (a quote was probably left open)")
	// ErrUnknownEncoding: an encoding override the importer does not offer.
	ErrUnknownEncoding = fault.Define("importer_unknown_encoding", fault.InvalidInput,
		"{encoding} is not an encoding the importer reads")
	// ErrBadSeparator: a separator override that cannot separate cells.
	ErrBadSeparator = fault.Define("importer_bad_separator", fault.InvalidInput,
		"{separator} cannot be used as a separator")
	// ErrVCardEmpty: a .vcf with no card in it.
	ErrVCardEmpty = fault.Define("importer_vcard_empty", fault.InvalidInput,
		"the file holds no contact card (vCard)")
	// ErrVCardMalformed: a card that does not end, or does not begin, as a vCard must.
	ErrVCardMalformed = fault.Define("importer_vcard_malformed", fault.InvalidInput,
		"contact card {card} cannot be read")
)

// The value failures: one cell cannot be read as its field's type. Each names the value
// (cut to maxValueRunes) so the list of failing rows can show it.
var (
	ErrDateInvalid = fault.Define("importer_date_invalid", fault.InvalidInput,
		"{value} is not a date (expected e.g. 31/12/2026 or 2026-12-31)")
	ErrDateImpossible = fault.Define("importer_date_impossible", fault.InvalidInput,
		"{value} is not a day of the calendar")
	ErrDateOrder = fault.Define("importer_date_order", fault.InvalidInput,
		"{value} cannot be read in the file's date order ({order})")
	ErrTimeInvalid = fault.Define("importer_time_invalid", fault.InvalidInput,
		"{value} is not a time of day")
	ErrNumberInvalid = fault.Define("importer_number_invalid", fault.InvalidInput,
		"{value} is not a number")
	ErrNumberTooLong = fault.Define("importer_number_too_long", fault.InvalidInput,
		"{value} has too many digits (at most 18)")
	ErrMoneyInvalid = fault.Define("importer_money_invalid", fault.InvalidInput,
		"{value} is not an amount of money")
	ErrMoneyCurrency = fault.Define("importer_money_currency_unknown", fault.InvalidInput,
		"{currency} is not a known currency")
	ErrBoolInvalid = fault.Define("importer_bool_invalid", fault.InvalidInput,
		"{value} is neither yes nor no")
	ErrEmailInvalid = fault.Define("importer_email_invalid", fault.InvalidInput,
		"{value} is not an email address")
	ErrEmailDomain = fault.Define("importer_email_domain_invalid", fault.InvalidInput,
		"{domain} is not a valid domain for an email address")
	ErrPhoneInvalid = fault.Define("importer_phone_invalid", fault.InvalidInput,
		"{value} is not a phone number")
	ErrURLInvalid = fault.Define("importer_url_invalid", fault.InvalidInput,
		"{value} is not a web address")
	ErrURLScheme = fault.Define("importer_url_scheme", fault.InvalidInput,
		"{scheme} links are refused: only http and https are kept")
)

// maxValueRunes bounds the value quoted back in a fault's params.
const maxValueRunes = 60

func quoteValue(s string) string {
	if utf8.RuneCountInString(s) <= maxValueRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxValueRunes-1]) + "…"
}

func valueFault(r *fault.Reason, s string) *fault.Error {
	return r.New(fault.P{"value": quoteValue(s)})
}
