package filing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// A re-file of everything rewrites every message's links, suggestions, parties and state.
// Their secondary indexes (links and suggestions by record, parties by address and by
// domain, "To file" by correspondent) are ordered by something other than the message, so
// every batch would touch nearly every page of each of them, and every commit would write
// them out again: most of a re-file's time went there. So they are dropped for the
// re-file and built again at its end (or when it is cancelled or stopped): building an
// index from sorted keys once is a small fraction of maintaining it row by row.
//
// Their definitions are read from the schema, and kept in a setting in the same
// transaction that drops them, until the transaction that builds them again: a crash in
// the middle leaves them there, and the next Start builds them (healIndexes). Meanwhile
// the queries that use them still answer (SQLite scans instead), a little slower.

// bulkIndexes are the indexes dropped during a re-file of everything.
var bulkIndexes = []string{
	"message_records_by_record",
	"message_suggestions_by_record",
	"message_parties_email",
	"message_parties_domain",
	"message_filing_to_file",
}

const droppedIndexesKey = "filing.dropped_indexes" // JSON list of the dropped indexes' CREATE statements

// dropIndexes drops the bulk indexes and remembers how to build them again.
func (e *Engine) dropIndexes(ctx context.Context) error {
	return e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		var saved []string
		if v, err := settingTx(ctx, tx, droppedIndexesKey); err != nil {
			return err
		} else if v != "" {
			if err := json.Unmarshal([]byte(v), &saved); err != nil {
				return fmt.Errorf("filing: dropped indexes: %w", err)
			}
		}
		in, args := placeholdersStrings(bulkIndexes)
		var defs []string
		err := each(ctx, tx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name IN (`+in+`)`, args,
			func(r *sql.Rows) error {
				var s string
				if err := r.Scan(&s); err != nil {
					return err
				}
				defs = append(defs, s)
				return nil
			})
		if err != nil {
			return fmt.Errorf("filing: read indexes: %w", err)
		}
		saved = append(saved, defs...)
		data, err := json.Marshal(saved)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, droppedIndexesKey, string(data)); err != nil {
			return fmt.Errorf("filing: remember indexes: %w", err)
		}
		for _, name := range bulkIndexes {
			if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+name); err != nil {
				return fmt.Errorf("filing: drop index %s: %w", name, err)
			}
		}
		return nil
	})
}

// buildIndexes builds the dropped indexes again (nothing when none was dropped), in one
// transaction that also forgets them.
func (e *Engine) buildIndexes(ctx context.Context) error {
	return e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		v, err := settingTx(ctx, tx, droppedIndexesKey)
		if err != nil || v == "" {
			return err
		}
		var defs []string
		if err := json.Unmarshal([]byte(v), &defs); err != nil {
			return fmt.Errorf("filing: dropped indexes: %w", err)
		}
		for _, def := range defs {
			def = strings.Replace(def, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("filing: build index again: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, droppedIndexesKey); err != nil {
			return err
		}
		return nil
	})
}

func settingTx(ctx context.Context, tx *sql.Tx, key string) (string, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("filing: read setting %s: %w", key, err)
	}
	return v, nil
}

func placeholdersStrings(xs []string) (string, []any) {
	args := make([]any, len(xs))
	for i, x := range xs {
		args[i] = x
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(xs)), ","), args
}
