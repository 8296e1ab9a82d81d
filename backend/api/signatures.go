package api

import (
	"context"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/message"
	"mailroom/backend/users"
)

// Signatures (F14) and each user's defaults on an account (F18): admins edit an account's
// signatures and, for each user with access, whether it is their default account and which
// signature is their default; the composer reads the caller's (Mail.ComposeSetup).

// SignatureDTO is one of an account's signatures: HTML as stored (sanitised, with its merge
// tags), for the editor. It is shown only through PreviewSignature's document.
type SignatureDTO struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"accountId"`
	Name      string `json:"name"`
	HTML      string `json:"html"`
	UpdatedAt string `json:"updatedAt"`
}

// SignatureInput creates (ID 0) or changes a signature.
type SignatureInput struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"accountId"`
	Name      string `json:"name"`
	HTML      string `json:"html"`
}

// GrantDTO is one user's access to an account with their defaults there.
type GrantDTO struct {
	UserID      int64 `json:"userId"`
	Default     bool  `json:"default"`
	SignatureID int64 `json:"signatureId"` // 0: none
}

// ComposeSignatureDTO is a signature the composer offers, rendered for the caller: Document
// is for the sandboxed mail frame (the same wall as mail).
type ComposeSignatureDTO struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Document string `json:"document"`
}

// ComposeAccountDTO is an account the caller may send from, with their defaults there.
type ComposeAccountDTO struct {
	AccountID   int64                 `json:"accountId"`
	Default     bool                  `json:"default"`
	SignatureID int64                 `json:"signatureId"` // the caller's default signature; 0: none
	Signatures  []ComposeSignatureDTO `json:"signatures"`
}

func signatureDTO(s accounts.Signature) SignatureDTO {
	return SignatureDTO{ID: s.ID, AccountID: s.AccountID, Name: s.Name, HTML: s.HTML,
		UpdatedAt: s.UpdatedAt.UTC().Format(time.RFC3339)}
}

func signer(u users.User) accounts.Signer {
	return accounts.Signer{Name: u.Name, Title: u.Title, Phone: u.Phone}
}

// signatureDocument renders a signature for u in the document the mail frame shows; its
// images are linked by URL, so remote images are allowed.
func signatureDocument(html string, u users.User) string {
	return message.Document(accounts.RenderSignature(html, signer(u)), message.DocumentOptions{AllowRemoteImages: true})
}

// Signatures lists an account's signatures (a collaborator: of an account granted to them).
func (s *Accounts) Signatures(accountID int64) ([]SignatureDTO, error) {
	return run(s.b, "Accounts.Signatures", func(ctx context.Context, c caller) ([]SignatureDTO, error) {
		if !c.isAdmin() {
			if err := s.b.requireAccess(ctx, c, accountID); err != nil {
				return nil, err
			}
		}
		list, err := s.b.Accounts.Signatures(ctx, accountID)
		if err != nil {
			return nil, err
		}
		out := make([]SignatureDTO, 0, len(list))
		for _, x := range list {
			out = append(out, signatureDTO(x))
		}
		return out, nil
	})
}

// SaveSignature creates or changes a signature; its HTML is sanitised before it is stored.
// A fourth signature on an account is refused with the reason.
func (s *Accounts) SaveSignature(in SignatureInput) (SignatureDTO, error) {
	return run(s.b, "Accounts.SaveSignature", func(ctx context.Context, c caller) (SignatureDTO, error) {
		saved, err := s.b.Accounts.SaveSignature(ctx, accounts.Signature{ID: in.ID, AccountID: in.AccountID, Name: in.Name, HTML: in.HTML})
		if err != nil {
			return SignatureDTO{}, err
		}
		return signatureDTO(saved), nil
	})
}

// DeleteSignature removes a signature; whoever had it as their default has none there.
func (s *Accounts) DeleteSignature(accountID, id int64) error {
	return do(s.b, "Accounts.DeleteSignature", func(ctx context.Context, c caller) error {
		return s.b.Accounts.DeleteSignature(ctx, accountID, id)
	})
}

// PreviewSignature returns the document of a signature as the caller would send it: merge
// tags replaced by their profile's values, sanitised as when it is saved and sent.
func (s *Accounts) PreviewSignature(html string) (string, error) {
	return run(s.b, "Accounts.PreviewSignature", func(ctx context.Context, c caller) (string, error) {
		return signatureDocument(html, c.user), nil
	})
}

// Grants lists who has access to an account, with their defaults there.
func (s *Accounts) Grants(accountID int64) ([]GrantDTO, error) {
	return run(s.b, "Accounts.Grants", func(ctx context.Context, c caller) ([]GrantDTO, error) {
		list, err := s.b.Accounts.Grants(ctx, accountID)
		if err != nil {
			return nil, err
		}
		out := make([]GrantDTO, 0, len(list))
		for _, g := range list {
			out = append(out, GrantDTO{UserID: g.UserID, Default: g.Default, SignatureID: g.SignatureID})
		}
		return out, nil
	})
}

// SetDefaults sets a user's defaults on an account they have access to: whether it is their
// default account, and their default signature there (0: none).
func (s *Accounts) SetDefaults(accountID, userID int64, isDefault bool, signatureID int64) error {
	return do(s.b, "Accounts.SetDefaults", func(ctx context.Context, c caller) error {
		return s.b.Accounts.SetDefaults(ctx, accountID, userID, isDefault, signatureID)
	})
}

// ComposeSetup returns what the composer needs about the accounts the caller may send from
// (granted to them and enabled): their default account, and on each account their default
// signature and the account's signatures rendered for them.
func (s *Mail) ComposeSetup() ([]ComposeAccountDTO, error) {
	return run(s.b, "Mail.ComposeSetup", func(ctx context.Context, c caller) ([]ComposeAccountDTO, error) {
		ids, err := s.visible(ctx, c)
		if err != nil {
			return nil, err
		}
		grants, err := s.b.Accounts.UserGrants(ctx, c.user.ID)
		if err != nil {
			return nil, err
		}
		mine := map[int64]accounts.Grant{}
		for _, g := range grants {
			mine[g.AccountID] = g
		}
		out := make([]ComposeAccountDTO, 0, len(ids))
		for _, id := range ids {
			g := mine[id]
			sigs, err := s.b.Accounts.Signatures(ctx, id)
			if err != nil {
				return nil, err
			}
			d := ComposeAccountDTO{AccountID: id, Default: g.Default, SignatureID: g.SignatureID, Signatures: make([]ComposeSignatureDTO, 0, len(sigs))}
			for _, x := range sigs {
				d.Signatures = append(d.Signatures, ComposeSignatureDTO{ID: x.ID, Name: x.Name, Document: signatureDocument(x.HTML, c.user)})
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// signatureFor renders the signature a message is sent with, for the sending user: "" for
// none; one of another account is refused.
func (b *Backend) signatureFor(ctx context.Context, u users.User, accountID, signatureID int64) (string, error) {
	if signatureID == 0 {
		return "", nil
	}
	sig, err := b.Accounts.Signature(ctx, signatureID)
	if err != nil {
		return "", err
	}
	if sig.AccountID != accountID {
		return "", accounts.ErrSignatureGone.Field("signatureId", nil)
	}
	return accounts.RenderSignature(sig.HTML, signer(u)), nil
}
