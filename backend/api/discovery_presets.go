package api

import (
	"context"

	"mailroom/backend/accounts"
	"mailroom/backend/discovery"
)

// DiscoveryPresets adapts the admins' domain presets to discovery's first source. Exchange
// presets have no IMAP settings and yield no candidate (Accounts.Discover reports them).
type DiscoveryPresets struct{ Registry *accounts.Registry }

// PresetFor returns the preset of a domain as a discovery candidate, or nil.
func (p DiscoveryPresets) PresetFor(ctx context.Context, domain string) (*discovery.Candidate, error) {
	pr, err := p.Registry.PresetFor(ctx, domain)
	if err != nil || pr == nil || pr.IMAP == nil {
		return nil, err
	}
	user := "%EMAILADDRESS%"
	if pr.UsernameForm == "local" {
		user = "%EMAILLOCALPART%"
	}
	return &discovery.Candidate{
		IMAP:   discovery.Server{Host: pr.IMAP.Host, Port: pr.IMAP.Port, Security: discovery.Security(pr.IMAP.Security), Username: user},
		SMTP:   discovery.Server{Host: pr.SMTP.Host, Port: pr.SMTP.Port, Security: discovery.Security(pr.SMTP.Security), Username: user},
		Source: discovery.SourcePreset,
		Origin: discovery.Origin{"domain": pr.Domain},
	}, nil
}
