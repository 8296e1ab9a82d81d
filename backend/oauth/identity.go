package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
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
	return "", fault.New(fault.ProviderRejected, fmt.Sprintf("%s did not say which address signed in (no ID token), so Mailroom cannot check it is the one being connected.", p.Name))
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
		return "", fault.Wrap(fault.ProviderRejected, fmt.Sprintf("The identity %s sent back could not be verified, so the sign-in was refused. Try again.", p.Name), err)
	}
	var cl identityClaims
	if err := idt.Claims(&cl); err != nil {
		return "", fault.Wrap(fault.ProviderRejected, fmt.Sprintf("The identity %s sent back could not be read.", p.Name), err)
	}
	if !issuerAccepted(p, idt.Issuer, cl.TenantID) {
		return "", fault.New(fault.ProviderRejected, fmt.Sprintf("The identity came from %q, which is not %s: the sign-in was refused.", idt.Issuer, p.Name))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return "", fault.New(fault.AuthFailed, fmt.Sprintf("The identity %s sent back belongs to another sign-in (nonce), so it was refused. Try again.", p.Name))
	}
	if cl.EmailVerified != nil && !*cl.EmailVerified {
		return "", fault.New(fault.AuthFailed, fmt.Sprintf("%s says the address %s is not verified, so it cannot be connected.", p.Name, cl.Email))
	}
	email := cl.Email
	if email == "" {
		// Microsoft sends email only when the account has one set; the sign-in name of a
		// work or school account is its address.
		email = cl.PreferredUsername
	}
	if !strings.Contains(email, "@") {
		return "", fault.New(fault.ProviderRejected, fmt.Sprintf("%s did not say which address signed in, so Mailroom cannot check it is the one being connected.", p.Name))
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
		return "", fault.Wrap(fault.InvalidInput, fmt.Sprintf("The %s userinfo address in the settings is not valid.", p.Name), err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fault.Wrap(fault.Network, fmt.Sprintf("Mailroom could not reach %s to learn which address signed in.", p.Name), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fault.New(fault.ProviderRejected, fmt.Sprintf("%s did not say which address signed in (userinfo answered %d).", p.Name, resp.StatusCode))
	}
	var cl identityClaims
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxUserinfo)).Decode(&cl); err != nil {
		return "", fault.Wrap(fault.ProviderRejected, fmt.Sprintf("%s's answer about the signed-in address could not be read.", p.Name), err)
	}
	if cl.EmailVerified != nil && !*cl.EmailVerified {
		return "", fault.New(fault.AuthFailed, fmt.Sprintf("%s says the address %s is not verified, so it cannot be connected.", p.Name, cl.Email))
	}
	if !strings.Contains(cl.Email, "@") {
		return "", fault.New(fault.ProviderRejected, fmt.Sprintf("%s did not say which address signed in.", p.Name))
	}
	return cl.Email, nil
}
