package connect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailroom/backend/store"
)

// Pins are the certificates the user chose to trust, each for exactly one host and port.
type Pins struct{ db *store.DB }

// NewPins returns the pin store over db. It does no I/O.
func NewPins(db *store.DB) *Pins { return &Pins{db: db} }

// Pinned returns the trusted fingerprint for host:port.
func (p *Pins) Pinned(ctx context.Context, host string, port int) (string, bool, error) {
	var sum string
	err := p.db.R.QueryRowContext(ctx, `SELECT sha256 FROM trusted_certs WHERE host=? AND port=?`,
		strings.ToLower(host), port).Scan(&sum)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("connect: read pin %s:%d: %w", host, port, err)
	}
	return sum, true, nil
}

// Trust records that the user trusts cert for host:port, replacing an earlier choice.
func (p *Pins) Trust(ctx context.Context, host string, port int, cert CertInfo, userID int64) error {
	if len(cert.SHA256) != 64 {
		return ErrFingerprintInvalid.Field("sha256", nil)
	}
	var by any
	if userID > 0 {
		by = userID
	}
	return p.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO trusted_certs(host, port, sha256, subject, issuer, not_after, trusted_by, trusted_at)
			VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(host, port) DO UPDATE SET sha256=excluded.sha256, subject=excluded.subject,
			issuer=excluded.issuer, not_after=excluded.not_after, trusted_by=excluded.trusted_by, trusted_at=excluded.trusted_at`,
			strings.ToLower(host), port, strings.ToLower(cert.SHA256), cert.Subject, cert.Issuer, cert.NotAfter.Unix(), by, time.Now().Unix())
		return err
	})
}

// Forget removes the trust in host:port's certificate.
func (p *Pins) Forget(ctx context.Context, host string, port int) error {
	return p.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM trusted_certs WHERE host=? AND port=?`, strings.ToLower(host), port)
		return err
	})
}
