package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// statements are the queries of every message's attempt, prepared once on the store's
// writer and reused in each transaction (Tx.StmtContext finds them prepared on its
// connection): parsing, planning and finalising them at each call was a quarter of the
// outbox's CPU per message.
type statements struct {
	due, claim, raw, marker, sent *sql.Stmt
}

const (
	// The claim is two statements in the worker's transaction: the next due messages (a
	// few, kept by the worker), then the update of one by id. As one (UPDATE … WHERE id =
	// (SELECT …)) it took twice as long.
	dueSQL = `SELECT id FROM outbox WHERE account_id = ? AND state = 'queued' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`
	claimSQL = `UPDATE outbox SET state = 'sending', attempts = attempts + 1, data_at = NULL, updated_at = ?
		WHERE id = ? AND state = 'queued' AND next_attempt_at <= ?
		RETURNING id, message_id, env_from, env_to, attempts, first_failure_at`
	rawSQL    = `SELECT raw FROM outbox_raw WHERE id = ?`
	markerSQL = `UPDATE outbox SET data_at = ? WHERE id = ? AND state = 'sending'`
	sentSQL   = `UPDATE outbox SET state = 'sent', reply = ?, sent_at = ?, updated_at = ?, copy_state = ?,
		error_code = '', error_reason = '', error_params = '', error_reply = '' WHERE id = ?`
)

func prepareStatements(ctx context.Context, db *sql.DB) (*statements, error) {
	s := &statements{}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{{&s.due, dueSQL}, {&s.claim, claimSQL}, {&s.raw, rawSQL}, {&s.marker, markerSQL}, {&s.sent, sentSQL}} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("outbox: prepare: %w", err)
		}
		*p.dst = st
	}
	return s, nil
}

func (s *statements) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.due, s.claim, s.raw, s.marker, s.sent} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
