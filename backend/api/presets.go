package api

import (
	"context"
)

// Presets are the admins' per-domain settings (F5).
type Presets struct{ b *Backend }

// List returns every domain preset.
func (s *Presets) List() ([]PresetDTO, error) {
	return run(s.b, "Presets.List", func(ctx context.Context, c caller) ([]PresetDTO, error) {
		ps, err := s.b.Accounts.Presets(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]PresetDTO, 0, len(ps))
		for _, p := range ps {
			out = append(out, presetDTO(p))
		}
		return out, nil
	})
}

// Save creates or replaces a domain's preset: IMAP and SMTP servers, or an Exchange URL.
func (s *Presets) Save(p PresetDTO) (PresetDTO, error) {
	return run(s.b, "Presets.Save", func(ctx context.Context, c caller) (PresetDTO, error) {
		saved, err := s.b.Accounts.SavePreset(ctx, p.preset())
		if err != nil {
			return PresetDTO{}, err
		}
		return presetDTO(saved), nil
	})
}

// Delete removes a domain's preset.
func (s *Presets) Delete(domain string) error {
	return do(s.b, "Presets.Delete", func(ctx context.Context, c caller) error {
		return s.b.Accounts.DeletePreset(ctx, domain)
	})
}
