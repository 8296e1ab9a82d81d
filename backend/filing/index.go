package filing

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"mailroom/backend/records"
)

// index is what the rules look up for every message, read once per round of filing (and
// again only when records, settings or accounts changed): a re-file of 100,000 messages
// makes no query per message.
type index struct {
	internal        map[string]bool    // the accounts' and the users' addresses
	internalDomains map[string]bool    // the accounts' own domains (never free-mail ones)
	free            map[string]bool    // free-mail domains, with the admins' exceptions
	contacts        map[string][]int64 // address → contacts holding it
	companies       map[string][]int64 // domain → companies holding it
	companyOf       map[int64][]int64  // contact → its companies
	open            map[int64][]*candidate
	bodyNeeded      bool // some open candidate has a key to look for in the body
}

// candidate is an open record of a filed type, reached through a contact or a company.
type candidate struct {
	id, typeID int64
	keys       []string // folded title and key field value, looked for in subject and body
}

func newIndex() *index {
	return &index{internal: map[string]bool{}, internalDomains: map[string]bool{}, free: map[string]bool{},
		contacts: map[string][]int64{}, companies: map[string][]int64{}, companyOf: map[int64][]int64{},
		open: map[int64][]*candidate{}}
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// each runs q and calls fn for every row; fn scans it.
func each(ctx context.Context, db querier, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func loadIndex(ctx context.Context, db querier) (*index, error) {
	ix := newIndex()
	for d := range freemail {
		ix.free[d] = true
	}
	err := each(ctx, db, `SELECT domain, free FROM filing_domains`, nil, func(r *sql.Rows) error {
		var d string
		var free bool
		if err := r.Scan(&d, &free); err != nil {
			return err
		}
		if free {
			ix.free[d] = true
		} else {
			delete(ix.free, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read free-mail exceptions: %w", err)
	}
	err = each(ctx, db, `SELECT email, 1 FROM accounts UNION ALL SELECT email, 0 FROM users`, nil, func(r *sql.Rows) error {
		var e string
		var account bool
		if err := r.Scan(&e, &account); err != nil {
			return err
		}
		n, ok := records.NormalizeEmail(e)
		if !ok {
			return nil
		}
		ix.internal[n] = true
		if _, d, _ := strings.Cut(n, "@"); account && !ix.free[d] {
			ix.internalDomains[d] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read own addresses: %w", err)
	}
	err = each(ctx, db, `SELECT e.email, e.record_id FROM record_emails e JOIN records r ON r.id = e.record_id
		WHERE r.deleted_at IS NULL ORDER BY e.is_primary DESC, e.record_id`, nil, func(r *sql.Rows) error {
		var e string
		var id int64
		if err := r.Scan(&e, &id); err != nil {
			return err
		}
		ix.contacts[e] = append(ix.contacts[e], id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read contacts' addresses: %w", err)
	}
	err = each(ctx, db, `SELECT d.domain, d.record_id FROM record_domains d JOIN records r ON r.id = d.record_id
		WHERE r.deleted_at IS NULL ORDER BY d.record_id`, nil, func(r *sql.Rows) error {
		var d string
		var id int64
		if err := r.Scan(&d, &id); err != nil {
			return err
		}
		ix.companies[d] = append(ix.companies[d], id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read companies' domains: %w", err)
	}
	// A contact's companies: the built-in company field (and any link from a contact to a
	// company of an admin's own field).
	err = each(ctx, db, `SELECT l.from_id, l.to_id FROM record_links l
		JOIN records a ON a.id = l.from_id AND a.deleted_at IS NULL
		JOIN records b ON b.id = l.to_id AND b.deleted_at IS NULL
		JOIN record_types ta ON ta.id = a.type_id AND ta.builtin = 'contact'
		JOIN record_types tb ON tb.id = b.type_id AND tb.builtin = 'company'`, nil, func(r *sql.Rows) error {
		var c, co int64
		if err := r.Scan(&c, &co); err != nil {
			return err
		}
		ix.companyOf[c] = append(ix.companyOf[c], co)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: read contacts' companies: %w", err)
	}
	if err := loadOpen(ctx, db, ix); err != nil {
		return nil, err
	}
	return ix, nil
}

// openCondition is the SQL that keeps the open records of a filed type (r is the record).
func openCondition(op string) string {
	has := `EXISTS (SELECT 1 FROM record_values v WHERE v.record_id = r.id AND v.field_id = t.open_field_id`
	switch op {
	case OpChecked:
		return has + ` AND v.value = 1)`
	case OpUnchecked:
		return `NOT ` + has + ` AND v.value = 1)`
	case OpEquals:
		return has + ` AND (CAST(v.value AS TEXT) = t.open_value OR v.sort = lower(t.open_value)))`
	case OpNotEquals:
		return `NOT ` + has + ` AND (CAST(v.value AS TEXT) = t.open_value OR v.sort = lower(t.open_value)))`
	case OpEmpty:
		return `NOT ` + has + `)`
	case OpNotEmpty:
		return has + `)`
	}
	return `1`
}

// loadOpen reads the open records of every filed type with the contacts and companies
// they link to (either way) and their keys.
func loadOpen(ctx context.Context, db querier, ix *index) error {
	type typeRow struct {
		id int64
		op string
	}
	var types []typeRow
	err := each(ctx, db, `SELECT type_id, CASE WHEN open_field_id IS NULL THEN '' ELSE open_op END FROM filing_types`, nil,
		func(r *sql.Rows) error {
			var t typeRow
			if err := r.Scan(&t.id, &t.op); err != nil {
				return err
			}
			types = append(types, t)
			return nil
		})
	if err != nil {
		return fmt.Errorf("filing: read filed types: %w", err)
	}
	for _, t := range types {
		cands := map[int64]*candidate{}
		q := `SELECT r.id, r.title, coalesce((SELECT CAST(v.value AS TEXT) FROM record_values v
				WHERE v.record_id = r.id AND v.field_id = t.key_field_id AND v.seq = 0), ''),
				p.id
			FROM filing_types t JOIN records r ON r.type_id = t.type_id AND r.deleted_at IS NULL
			JOIN (SELECT from_id AS rec, to_id AS party FROM record_links
			      UNION SELECT to_id, from_id FROM record_links) l ON l.rec = r.id
			JOIN records p ON p.id = l.party AND p.deleted_at IS NULL
			JOIN record_types pt ON pt.id = p.type_id AND pt.builtin IN ('contact', 'company')
			WHERE t.type_id = ? AND ` + openCondition(t.op)
		err := each(ctx, db, q, []any{t.id}, func(r *sql.Rows) error {
			var id, party int64
			var title, key string
			if err := r.Scan(&id, &title, &key, &party); err != nil {
				return err
			}
			c := cands[id]
			if c == nil {
				c = &candidate{id: id, typeID: t.id}
				for _, k := range []string{title, key} {
					if k = records.Fold(strings.TrimSpace(k)); len([]rune(k)) >= minKeyRunes {
						c.keys = append(c.keys, k)
						ix.bodyNeeded = true
					}
				}
				cands[id] = c
			}
			ix.open[party] = append(ix.open[party], c)
			return nil
		})
		if err != nil {
			return fmt.Errorf("filing: read open records of type %d: %w", t.id, err)
		}
	}
	return nil
}

// minKeyRunes is the shortest title or key looked for in a message: "12" would be found
// everywhere.
const minKeyRunes = 3
