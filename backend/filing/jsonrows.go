package filing

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// rowsInserter writes many rows of one table with a single bound value: the rows travel as
// one JSON array of arrays, which SQLite unpacks in C. jsonb_each, not json_each: it gives
// each row as binary JSON, which value->>N reads directly, where json_each gave it as text
// that every ->> parsed again (a third of a re-file's insertion time). A re-file of everything
// writes some 450,000 rows; bound one value at a time, the driver's conversions and a cgo
// call per value cost more than SQLite's own insertion. database/sql has no batch API,
// and the driver has no array binding, hence this small encoder.
type rowsInserter struct {
	ctx  context.Context
	tx   *sql.Tx
	sql  string
	buf  []byte
	rows int
}

// jsonRowsMax is how many rows one statement writes (bounds the JSON text held at once).
const jsonRowsMax = 4096

// newRowsInserter: into is "INSERT INTO t(a, b, c)", cols the selected expressions over
// the row's values (v0, v1… is value->>0, value->>1…; constants allowed), tail an
// optional ON CONFLICT clause.
func newRowsInserter(ctx context.Context, tx *sql.Tx, into string, cols []string, tail string) *rowsInserter {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = c
		if strings.HasPrefix(c, "v") {
			if n, err := strconv.Atoi(c[1:]); err == nil {
				exprs[i] = fmt.Sprintf("value->>%d", n)
			}
		}
	}
	q := into + ` SELECT ` + strings.Join(exprs, ", ") + ` FROM jsonb_each(?) WHERE true` + tail
	return &rowsInserter{ctx: ctx, tx: tx, sql: q, buf: []byte{'['}}
}

// newRowsExec runs q, whose one parameter is the rows' JSON array (jsonb_each(?)), for
// the rows added: a DELETE of many rows, for instance.
func newRowsExec(ctx context.Context, tx *sql.Tx, q string) *rowsInserter {
	return &rowsInserter{ctx: ctx, tx: tx, sql: q, buf: []byte{'['}}
}

// add appends a row of int64, int, bool and string values.
func (x *rowsInserter) add(vals ...any) error {
	if x.rows > 0 {
		x.buf = append(x.buf, ',')
	}
	x.buf = append(x.buf, '[')
	for i, v := range vals {
		if i > 0 {
			x.buf = append(x.buf, ',')
		}
		switch v := v.(type) {
		case int64:
			x.buf = strconv.AppendInt(x.buf, v, 10)
		case int:
			x.buf = strconv.AppendInt(x.buf, int64(v), 10)
		case bool:
			if v {
				x.buf = append(x.buf, '1')
			} else {
				x.buf = append(x.buf, '0')
			}
		case string:
			x.buf = appendJSONString(x.buf, v)
		default:
			return fmt.Errorf("filing: a row value of type %T", v)
		}
	}
	x.buf = append(x.buf, ']')
	x.rows++
	if x.rows >= jsonRowsMax {
		return x.flush()
	}
	return nil
}

func (x *rowsInserter) flush() error {
	if x.rows == 0 {
		return nil
	}
	x.buf = append(x.buf, ']')
	_, err := x.tx.ExecContext(x.ctx, x.sql, string(x.buf))
	x.buf, x.rows = append(x.buf[:0], '['), 0
	return err
}

// jsonInts is ids as a JSON array, for "IN (SELECT value FROM json_each(?))": one bound
// value however many ids (no limit of SQLite's variables, no cgo call per id).
func jsonInts(ids []int64) string {
	b := make([]byte, 0, 2+8*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// appendJSONString appends s as a JSON string (RFC 8259: quote, backslash and control
// characters escaped; invalid UTF-8 becomes U+FFFD, as encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
