package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mailroom/backend/fault"
)

// maxUserinfo bounds a userinfo answer.
const maxUserinfo = 64 << 10

// identify returns the address that signed in: from the ID token, its signature checked
// against the provider's published keys (and its audience, issuer, expiry and nonce), or,
// when there is no ID token or no key set configured, from the userinfo endpoint with the
// access token just obtained over TLS from the token endpoint.
func (c *Client) identify(ctx context.Context, p Provider, tok *oauth2.Token, nonce string) (string, error) {
	raw, _ := tok.Extra("id_token").(string)
	switch {
	case raw != "" && p.JWKSURL != "":
		return c.fromIDToken(ctx, p, raw, nonce)
	case p.UserinfoURL != "":
		return c.fromUserinfo(ctx, p, tok.AccessToken)
	}
	return "", ErrAddressUnknown.Wrap(errors.New("oauth: no ID token and no userinfo endpoint"), fault.P{"provider": p.Name})
}

type identityClaims struct {
	Email             string `json:"email"`
	EmailVerified     *bool  `json:"email_verified"`
	PreferredUsername string `json:"preferred_username"`
	TenantID          string `json:"tid"`
}

func (c *Client) keySet(jwksURL string) *oidc.RemoteKeySet {
	c.mu.Lock()
	defer c.mu.Unlock()
	ks, ok := c.keySets[jwksURL]
	if !ok {
		ks = oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), c.http), jwksURL)
		c.keySets[jwksURL] = ks
	}
	return ks
}

func (c *Client) fromIDToken(ctx context.Context, p Provider, raw, nonce string) (string, error) {
	// The issuer is checked below: Microsoft's "common" endpoint signs as each tenant.
	v := oidc.NewVerifier("", c.keySet(p.JWKSURL), &oidc.Config{ClientID: p.ClientID, SkipIssuerCheck: true, Now: c.opts.Now})
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return "", ErrIdentityInvalid.Wrap(err, fault.P{"provider": p.Name})
	}
	var cl identityClaims
	if err := idt.Claims(&cl); err != nil {
		return "", ErrIdentityInvalid.Wrap(err, fault.P{"provider": p.Name})
	}
	if !issuerAccepted(p, idt.Issuer, cl.TenantID) {
		return "", ErrIdentityIssuer.New(fault.P{"provider": p.Name, "issuer": idt.Issuer})
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return "", ErrIdentityNonce.New(fault.P{"provider": p.Name})
	}
	if cl.EmailVerified != nil && !*cl.EmailVerified {
		return "", ErrAddressUnverified.New(fault.P{"provider": p.Name, "address": cl.Email})
	}
	email := cl.Email
	if email == "" {
		// Microsoft sends email only when the account has one set; the sign-in name of a
		// work or school account is its address.
		email = cl.PreferredUsername
	}
	if !strings.Contains(email, "@") {
		return "", ErrAddressUnknown.Wrap(errors.New("oauth: the ID token names no address"), fault.P{"provider": p.Name})
	}
	return email, nil
}

func issuerAccepted(p Provider, iss, tenant string) bool {
	for _, want := range p.Issuers {
		if strings.Contains(want, TenantPlaceholder) {
			if tenant == "" {
				continue
			}
			want = strings.ReplaceAll(want, TenantPlaceholder, tenant)
		}
		if iss == want {
			return true
		}
	}
	return false
}

func (c *Client) fromUserinfo(ctx context.Context, p Provider, accessToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.UserinfoURL, nil)
	if err != nil {
		return "", ErrSettingsURL.Wrap(fmt.Errorf("userinfo URL: %w", err), fault.P{"provider": p.Name})
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", ErrUnreachable.Wrap(fmt.Errorf("userinfo: %w", err), fault.P{"provider": p.Name})
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", ErrAddressUnknown.Wrap(fmt.Errorf("oauth: userinfo answered %d", resp.StatusCode), fault.P{"provider": p.Name})
	}
	var cl identityClaims
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxUserinfo)).Decode(&cl); err != nil {
		return "", ErrIdentityInvalid.Wrap(fmt.Errorf("userinfo: %w", err), fault.P{"provider": p.Name})
	}
	if cl.EmailVerified != nil && !*cl.EmailVerified {
		return "", ErrAddressUnverified.New(fault.P{"provider": p.Name, "address": cl.Email})
	}
	if !strings.Contains(cl.Email, "@") {
		return "", ErrAddressUnknown.Wrap(errors.New("oauth: userinfo names no address"), fault.P{"provider": p.Name})
	}
	return cl.Email, nil
}
