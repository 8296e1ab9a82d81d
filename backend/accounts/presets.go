package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"mailroom/backend/fault"
)

// UsernameForms lists how a preset builds the username: the whole address or its local part.
var UsernameForms = []string{"email", "local"}

// Preset is an admin's settings for every address of one email domain (F5): either IMAP
// and SMTP servers, or an Exchange URL — never both.
type Preset struct {
	Domain       string
	IMAP         *Server // Username is unused: UsernameForm says how to build it
	SMTP         *Server
	UsernameForm string // "email" (the whole address) or "local" (the part before @)
	ExchangeURL  string
	UpdatedAt    time.Time
}

// Username builds the login for an address according to the preset.
func (p Preset) Username(email string) string {
	if p.UsernameForm == "local" {
		local, _, _ := strings.Cut(email, "@")
		return local
	}
	return email
}

func normaliseDomain(d string) (string, error) {
	d = strings.TrimSpace(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")))
	if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " /:@") || len(d) > maxHostLen {
		return "", ErrPresetDomainInvalid.Field("domain", nil)
	}
	return d, nil
}

func (p Preset) normalise() (Preset, error) {
	var err error
	if p.Domain, err = normaliseDomain(p.Domain); err != nil {
		return p, err
	}
	p.ExchangeURL = strings.TrimSpace(p.ExchangeURL)
	hasServers := p.IMAP != nil || p.SMTP != nil
	switch {
	case hasServers && p.ExchangeURL != "":
		return p, ErrPresetBoth.Field("exchangeUrl", nil)
	case !hasServers && p.ExchangeURL == "":
		return p, ErrPresetNeither.Field("exchangeUrl", nil)
	case p.ExchangeURL != "":
		u, err := url.Parse(p.ExchangeURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return p, ErrPresetExchangeURLInvalid.Field("exchangeUrl", nil)
		}
	default:
		if p.IMAP == nil || p.SMTP == nil {
			field := "imap.host"
			if p.IMAP != nil {
				field = "smtp.host"
			}
			return p, ErrPresetServersIncomplete.Field(field, nil)
		}
		for _, s := range []struct {
			field string
			srv   *Server
		}{{"imap", p.IMAP}, {"smtp", p.SMTP}} {
			s.srv.Username = "-" // validated separately through UsernameForm
			v, err := validServer(s.field, *s.srv)
			if err != nil {
				return p, err
			}
			v.Username = ""
			*s.srv = v
		}
	}
	if p.UsernameForm == "" {
		p.UsernameForm = "email"
	}
	if p.UsernameForm != "email" && p.UsernameForm != "local" {
		return p, ErrPresetUsernameFormInvalid.Field("usernameForm", nil)
	}
	return p, nil
}

// SavePreset creates or replaces the preset of a domain.
func (r *Registry) SavePreset(ctx context.Context, p Preset) (Preset, error) {
	p, err := p.normalise()
	if err != nil {
		return Preset{}, err
	}
	var ih, is, sh, ss, ex any
	var ip, sp any
	if p.IMAP != nil {
		ih, ip, is = p.IMAP.Host, p.IMAP.Port, string(p.IMAP.Security)
		sh, sp, ss = p.SMTP.Host, p.SMTP.Port, string(p.SMTP.Security)
	} else {
		ex = p.ExchangeURL
	}
	p.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO domain_presets(domain, imap_host, imap_port, imap_security,
			smtp_host, smtp_port, smtp_security, username_form, exchange_url, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(domain) DO UPDATE SET imap_host=excluded.imap_host, imap_port=excluded.imap_port,
			imap_security=excluded.imap_security, smtp_host=excluded.smtp_host, smtp_port=excluded.smtp_port,
			smtp_security=excluded.smtp_security, username_form=excluded.username_form,
			exchange_url=excluded.exchange_url, updated_at=excluded.updated_at`,
			p.Domain, ih, ip, is, sh, sp, ss, p.UsernameForm, ex, p.UpdatedAt.Unix())
		if err != nil {
			return fmt.Errorf("accounts: save preset %s: %w", p.Domain, err)
		}
		return nil
	})
	return p, err
}

// DeletePreset removes a domain's preset.
func (r *Registry) DeletePreset(ctx context.Context, domain string) error {
	d, err := normaliseDomain(domain)
	if err != nil {
		return err
	}
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM domain_presets WHERE domain=?`, d)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrPresetGone.New(fault.P{"domain": d})
		}
		return nil
	})
}

const selectPreset = `SELECT domain, imap_host, imap_port, imap_security, smtp_host, smtp_port, smtp_security,
	username_form, exchange_url, updated_at FROM domain_presets`

func scanPreset(row interface{ Scan(...any) error }) (Preset, error) {
	var p Preset
	var ih, is, sh, ss, ex sql.NullString
	var ip, sp sql.NullInt64
	var updated int64
	if err := row.Scan(&p.Domain, &ih, &ip, &is, &sh, &sp, &ss, &p.UsernameForm, &ex, &updated); err != nil {
		return Preset{}, err
	}
	if ih.Valid {
		p.IMAP = &Server{Host: ih.String, Port: int(ip.Int64), Security: Security(is.String)}
		p.SMTP = &Server{Host: sh.String, Port: int(sp.Int64), Security: Security(ss.String)}
	}
	p.ExchangeURL = ex.String
	p.UpdatedAt = time.Unix(updated, 0).UTC()
	return p, nil
}

// Presets lists every domain preset.
func (r *Registry) Presets(ctx context.Context) ([]Preset, error) {
	rows, err := r.db.R.QueryContext(ctx, selectPreset+` ORDER BY domain`)
	if err != nil {
		return nil, fmt.Errorf("accounts: list presets: %w", err)
	}
	defer rows.Close()
	var out []Preset
	for rows.Next() {
		p, err := scanPreset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PresetFor returns the preset of an email address's domain, or nil.
func (r *Registry) PresetFor(ctx context.Context, domain string) (*Preset, error) {
	d, err := normaliseDomain(domain)
	if err != nil {
		return nil, err
	}
	p, err := scanPreset(r.db.R.QueryRowContext(ctx, selectPreset+` WHERE domain=?`, d))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: preset %s: %w", d, err)
	}
	return &p, nil
}
