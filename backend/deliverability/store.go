package deliverability

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// save keeps r as the account's last result (migration 0030).
func (c *Checker) save(ctx context.Context, r Report) error {
	findings, err := json.Marshal(r.Findings)
	if err != nil {
		return fmt.Errorf("deliverability: encode findings: %w", err)
	}
	sel := r.Selectors
	if sel == nil {
		sel = []string{}
	}
	selectors, err := json.Marshal(sel)
	if err != nil {
		return fmt.Errorf("deliverability: encode selectors: %w", err)
	}
	return c.d.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO deliverability_checks(account_id, domain, path, selectors, findings, checked_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(account_id) DO UPDATE SET domain = excluded.domain, path = excluded.path,
				selectors = excluded.selectors, findings = excluded.findings, checked_at = excluded.checked_at`,
			r.AccountID, r.Domain, string(r.Path), string(selectors), string(findings), r.CheckedAt.UnixMilli())
		return err
	})
}

// Last returns the account's last result; ok is false when it was never checked.
func (c *Checker) Last(ctx context.Context, accountID int64) (r Report, ok bool, err error) {
	var path, selectors, findings string
	var at int64
	err = c.d.DB.R.QueryRowContext(ctx, `SELECT domain, path, selectors, findings, checked_at
		FROM deliverability_checks WHERE account_id = ?`, accountID).Scan(&r.Domain, &path, &selectors, &findings, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, false, nil
	}
	if err != nil {
		return Report{}, false, fmt.Errorf("deliverability: read the last check: %w", err)
	}
	r.AccountID, r.Path, r.CheckedAt = accountID, PathID(path), time.UnixMilli(at)
	if err := json.Unmarshal([]byte(selectors), &r.Selectors); err != nil {
		return Report{}, false, fmt.Errorf("deliverability: decode selectors: %w", err)
	}
	if err := json.Unmarshal([]byte(findings), &r.Findings); err != nil {
		return Report{}, false, fmt.Errorf("deliverability: decode findings: %w", err)
	}
	return r, true, nil
}
