package filing

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"mailroom/backend/fault"
	"mailroom/backend/records"
)

// FiledType is a type of your own whose records are filed through their contacts and
// companies: the open condition (OpenFieldID 0: every record is open) and the key field
// looked for in messages (0: the title only).
type FiledType struct {
	TypeID      int64
	OpenFieldID int64
	OpenOp      string
	OpenValue   string
	KeyFieldID  int64
}

// FiledTypes lists the types filed through their contacts and companies.
func (e *Engine) FiledTypes(ctx context.Context) ([]FiledType, error) {
	out := []FiledType{}
	err := each(ctx, e.deps.DB.R, `SELECT type_id, coalesce(open_field_id, 0), open_op, open_value, coalesce(key_field_id, 0)
		FROM filing_types ORDER BY type_id`, nil, func(r *sql.Rows) error {
		var t FiledType
		if err := r.Scan(&t.TypeID, &t.OpenFieldID, &t.OpenOp, &t.OpenValue, &t.KeyFieldID); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: filed types: %w", err)
	}
	return out, nil
}

// SetFiledType turns filing on for a type of your own (or changes its condition); with
// on false, off. Mail is filed again in the background.
func (e *Engine) SetFiledType(ctx context.Context, s *records.Schema, t FiledType, on bool) error {
	typ := s.Type(t.TypeID)
	if typ == nil || typ.Builtin != "" {
		return ErrTypeNotFilable.New(nil)
	}
	if t.OpenFieldID != 0 {
		f := s.Field(t.OpenFieldID)
		if f == nil || f.TypeID != t.TypeID || !slices.Contains(Ops, t.OpenOp) ||
			(t.OpenOp == OpChecked || t.OpenOp == OpUnchecked) != (f.Kind == records.Checkbox) {
			return ErrOpenFieldInvalid.Field("openOp", nil)
		}
	} else {
		t.OpenOp, t.OpenValue = "", ""
	}
	if t.KeyFieldID != 0 {
		if f := s.Field(t.KeyFieldID); f == nil || f.TypeID != t.TypeID {
			return ErrOpenFieldInvalid.Field("keyFieldId", nil)
		}
	}
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		if !on {
			_, err := tx.ExecContext(ctx, `DELETE FROM filing_types WHERE type_id = ?`, t.TypeID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO filing_types(type_id, open_field_id, open_op, open_value, key_field_id)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT(type_id) DO UPDATE SET open_field_id = excluded.open_field_id,
			open_op = excluded.open_op, open_value = excluded.open_value, key_field_id = excluded.key_field_id`,
			t.TypeID, nullID(t.OpenFieldID), t.OpenOp, t.OpenValue, nullID(t.KeyFieldID))
		return err
	})
	if err != nil {
		return fmt.Errorf("filing: set filed type %d: %w", t.TypeID, err)
	}
	e.Refile()
	return nil
}

// DomainException is an admin's exception to the shipped free-mail list.
type DomainException struct {
	Domain string
	Free   bool // true: treated as free-mail; false: files to the company holding it
}

// DomainExceptions lists the admins' exceptions, and Listed says whether the shipped list
// names a domain.
func (e *Engine) DomainExceptions(ctx context.Context) ([]DomainException, error) {
	out := []DomainException{}
	err := each(ctx, e.deps.DB.R, `SELECT domain, free FROM filing_domains ORDER BY domain`, nil, func(r *sql.Rows) error {
		var d DomainException
		if err := r.Scan(&d.Domain, &d.Free); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("filing: free-mail exceptions: %w", err)
	}
	return out, nil
}

// SetDomainException adds or changes an exception; RemoveDomainException drops it. Mail
// is filed again in the background.
func (e *Engine) SetDomainException(ctx context.Context, domain string, free bool) (string, error) {
	d, ok := records.NormalizeDomain(domain)
	if !ok {
		return "", ErrBadDomain.Field("domain", fault.P{"value": domain})
	}
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO filing_domains(domain, free) VALUES (?, ?)
			ON CONFLICT(domain) DO UPDATE SET free = excluded.free`, d, free)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("filing: set exception %s: %w", d, err)
	}
	e.Refile()
	return d, nil
}

// RemoveDomainException drops an exception: the shipped list decides again.
func (e *Engine) RemoveDomainException(ctx context.Context, domain string) error {
	d, ok := records.NormalizeDomain(domain)
	if !ok {
		return ErrBadDomain.Field("domain", fault.P{"value": domain})
	}
	err := e.deps.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM filing_domains WHERE domain = ?`, d)
		return err
	})
	if err != nil {
		return fmt.Errorf("filing: remove exception %s: %w", d, err)
	}
	e.Refile()
	return nil
}
