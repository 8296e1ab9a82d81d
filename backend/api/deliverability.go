package api

import (
	"context"
	"time"

	"mailroom/backend/deliverability"
)

// DNSRecordDTO is a DNS record to add, or to put in place of the current values (replaces).
type DNSRecordDTO struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Value       string   `json:"value"`
	Replaces    []string `json:"replaces"`
	Placeholder bool     `json:"placeholder"` // part of value (<…>) comes from the provider's console
}

// FindingDTO is one finding of a deliverability check: the UI words it by its code
// (reason.<code>) with its params.
type FindingDTO struct {
	Check    string         `json:"check"`    // domain | spf | dkim | dmarc
	Code     string         `json:"code"`     // a reason of backend/deliverability
	Severity string         `json:"severity"` // ok | warning | failure
	Params   map[string]any `json:"params"`
	Fix      *DNSRecordDTO  `json:"fix"`
}

// DeliverabilityDTO is an account's deliverability check.
type DeliverabilityDTO struct {
	AccountID int64        `json:"accountId"`
	Domain    string       `json:"domain"`
	Path      string       `json:"path"` // smtp | google | microsoft365 | postmark | mailgun_us | mailgun_eu | ovh | infomaniak
	Selectors []string     `json:"selectors"`
	CheckedAt string       `json:"checkedAt"` // RFC 3339
	Worst     string       `json:"worst"`     // ok | warning | failure
	Stale     bool         `json:"stale"`     // older than a week, or the account's domain or path changed
	Findings  []FindingDTO `json:"findings"`
}

func deliverabilityDTO(r deliverability.Report, stale bool) DeliverabilityDTO {
	d := DeliverabilityDTO{AccountID: r.AccountID, Domain: r.Domain, Path: string(r.Path), Selectors: r.Selectors,
		CheckedAt: r.CheckedAt.UTC().Format(time.RFC3339), Worst: string(r.Worst()), Stale: stale, Findings: []FindingDTO{}}
	if d.Selectors == nil {
		d.Selectors = []string{}
	}
	for _, f := range r.Findings {
		fd := FindingDTO{Check: string(f.Check), Code: f.Code, Severity: string(f.Severity), Params: map[string]any(f.Params)}
		if fd.Params == nil {
			fd.Params = map[string]any{}
		}
		if f.Fix != nil {
			fd.Fix = &DNSRecordDTO{Name: f.Fix.Name, Type: f.Fix.Type, Value: f.Fix.Value, Replaces: f.Fix.Replaces, Placeholder: f.Fix.Placeholder}
			if fd.Fix.Replaces == nil {
				fd.Fix.Replaces = []string{}
			}
		}
		d.Findings = append(d.Findings, fd)
	}
	return d
}

// CheckDeliverability checks the account's From domain against the path it sends through
// (SPF, DKIM, DMARC), keeps the result and returns it (F16). selectors are DKIM selectors
// the user read in the provider's console (Postmark's); empty: the ones given last.
func (s *Accounts) CheckDeliverability(id int64, selectors []string) (DeliverabilityDTO, error) {
	return run(s.b, "Accounts.CheckDeliverability", func(_ context.Context, c caller) (DeliverabilityDTO, error) {
		ctx, cancel := s.b.networkContext()
		defer cancel()
		r, err := s.b.Deliverability.Check(ctx, id, deliverability.Input{Selectors: selectors})
		if err != nil {
			return DeliverabilityDTO{}, err
		}
		return deliverabilityDTO(r, false), nil
	})
}

// Deliverability returns the account's last deliverability check, or nil when it was never
// checked; whoever may use the account may read it.
func (s *Accounts) Deliverability(id int64) (*DeliverabilityDTO, error) {
	return run(s.b, "Accounts.Deliverability", func(ctx context.Context, c caller) (*DeliverabilityDTO, error) {
		if !c.isAdmin() {
			if err := s.b.requireAccess(ctx, c, id); err != nil {
				return nil, err
			}
		}
		r, ok, stale, err := s.b.Deliverability.BeforeSend(ctx, id)
		if err != nil || !ok {
			return nil, err
		}
		d := deliverabilityDTO(r, stale)
		return &d, nil
	})
}
