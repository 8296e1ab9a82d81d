package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/transform"

	"mailroom/backend/fault"
)

// Options are the user's overrides of what sniffing detects; the zero value detects all.
type Options struct {
	Encoding  Encoding // "" = detected
	Separator rune     // 0 = detected
	// HeaderRow: nil = detected; -1 = no header; n = the n-th record (0-based).
	HeaderRow   *int
	Conventions *Conventions // nil = from the detected layout
}

// Row is one record of the file, blank records left out.
type Row struct {
	// Line is the file's line (1-based) where the record starts: what the list of failing
	// rows shows.
	Line int
	// Cells are the record's cells, trimmed of surrounding spaces; a record may have more or
	// fewer cells than the header.
	Cells []string
}

// maxCellBytes bounds one cell: beyond it a quote was left open (a whole file read as one
// cell), which is a fault rather than a silent import of garbage.
const maxCellBytes = 1 << 20

// Reader streams the records of a CSV file: the file is read once, through a 64 KiB
// buffer, never held whole.
type Reader struct {
	ctx    context.Context
	det    Detection
	counts *countingReader
	csv    *csv.Reader
	header []string
	rows   int
}

// NewReader sniffs the start of r (unless opts say everything) and returns a reader
// positioned after the header. Its errors are faults (ErrEmptyFile, ErrBinaryFile…).
func NewReader(ctx context.Context, r io.Reader, opts Options) (*Reader, error) {
	counts := &countingReader{r: r}
	br := bufio.NewReaderSize(counts, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("importer: read: %w", err)
	}
	det, err := sniff(head, opts, len(head) < sniffBytes)
	if err != nil {
		return nil, err
	}
	if det.BOM {
		if _, err := br.Discard(bomLen(det.Encoding, true)); err != nil {
			return nil, fmt.Errorf("importer: read: %w", err)
		}
	}
	dec, err := det.Encoding.decoder()
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(transform.NewReader(br, dec))
	cr.Comma = det.Separator
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = det.LazyQuotes
	rd := &Reader{ctx: ctx, det: det, counts: counts, csv: cr}
	// Skip to the header (a title line before it is dropped) and keep it.
	for i := 0; i <= det.HeaderRow; i++ {
		row, err := rd.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if i == det.HeaderRow {
			rd.header = row.Cells
		}
	}
	return rd, nil
}

// Detected returns what was detected (and the overrides applied).
func (r *Reader) Detected() Detection { return r.det }

// Header returns the header's cells; nil when the file has none (HeaderRow -1).
func (r *Reader) Header() []string { return r.header }

// Rows returns how many data rows Next has returned so far.
func (r *Reader) Rows() int { return r.rows }

// BytesRead returns how many bytes of the file have been consumed, for progress over its
// size (it runs ahead of the rows by at most the 64 KiB buffer).
func (r *Reader) BytesRead() int64 { return r.counts.n }

// Next returns the next data row, io.EOF at the end, the context's error once cancelled,
// ErrMalformedQuote with the line of a quote left open or misplaced.
func (r *Reader) Next() (Row, error) {
	if err := r.ctx.Err(); err != nil {
		return Row{}, err
	}
	row, err := r.read()
	if err != nil {
		return row, err
	}
	r.rows++
	return row, nil
}

// read returns the next non-blank record.
func (r *Reader) read() (Row, error) {
	for {
		rec, err := r.csv.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Row{}, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)) {
				return Row{}, ErrMalformedQuote.Wrap(err, fault.P{"line": pe.Line})
			}
			return Row{}, fmt.Errorf("importer: read: %w", err)
		}
		line, _ := r.csv.FieldPos(0)
		for i, c := range rec {
			if len(c) > maxCellBytes {
				return Row{}, ErrCellTooLong.New(fault.P{"line": line})
			}
			rec[i] = trimCell(c)
		}
		if blank(rec) {
			continue
		}
		return Row{Line: line, Cells: rec}, nil
	}
}

// trimCell trims spaces, no-break spaces included, around a cell.
func trimCell(s string) string {
	return strings.TrimFunc(s, isSpace)
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0' || r == '\u202f' || r == '\ufeff'
}

// CountRows reads a whole file as NewReader would and returns its number of data rows, for
// a progress bar's total; it stops at the first error.
func CountRows(ctx context.Context, r io.Reader, opts Options) (int, error) {
	rd, err := NewReader(ctx, r, opts)
	if err != nil {
		return 0, err
	}
	rd.csv.ReuseRecord = true
	for {
		if _, err := rd.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return rd.rows, nil
			}
			return rd.rows, err
		}
	}
}

// ReadAll reads a small file whole: its detection, header and rows.
func ReadAll(ctx context.Context, data []byte, opts Options) (Detection, []string, []Row, error) {
	rd, err := NewReader(ctx, bytes.NewReader(data), opts)
	if err != nil {
		return Detection{}, nil, nil, err
	}
	var rows []Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd.det, rd.header, rows, nil
		}
		if err != nil {
			return rd.det, rd.header, rows, err
		}
		rows = append(rows, row)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
