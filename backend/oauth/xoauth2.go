package oauth

import (
	"encoding/json"
	"fmt"

	"github.com/emersion/go-sasl"
	"github.com/wneessen/go-mail/smtp"
)

// XOAuth2Mechanism is the SASL mechanism name Gmail and Outlook use for bearer tokens.
const XOAuth2Mechanism = "XOAUTH2"

// XOAuth2Client is the client side of XOAUTH2 for go-imap's Authenticate
// (https://developers.google.com/gmail/imap/xoauth2-protocol). go-sasl offers OAUTHBEARER
// but not XOAUTH2, the only one Outlook accepts for IMAP, hence this small one.
type XOAuth2Client struct {
	username, token string
	failure         *XOAuth2Failure
}

// XOAuth2Failure is the JSON a server sends when it refuses the token.
type XOAuth2Failure struct {
	Status  string `json:"status"` // "401": the token is invalid or expired; "400": malformed
	Schemes string `json:"schemes"`
	Scope   string `json:"scope"`
}

// NewXOAuth2Client returns a SASL client that logs username in with an access token.
func NewXOAuth2Client(username, accessToken string) *XOAuth2Client {
	return &XOAuth2Client{username: username, token: accessToken}
}

var _ sasl.Client = (*XOAuth2Client)(nil)

// Start sends "user=<address>^Aauth=Bearer <token>^A^A" as the initial response.
func (c *XOAuth2Client) Start() (string, []byte, error) {
	return XOAuth2Mechanism, []byte("user=" + c.username + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next answers the only challenge XOAUTH2 has — the server's JSON error after a refused
// token — with the empty response the protocol asks for, so the server ends the command
// with its refusal. Returning an error instead would leave go-imap's AUTHENTICATE unfinished.
func (c *XOAuth2Client) Next(challenge []byte) ([]byte, error) {
	var f XOAuth2Failure
	if json.Unmarshal(challenge, &f) == nil {
		c.failure = &f
	} else {
		c.failure = &XOAuth2Failure{Status: fmt.Sprintf("unreadable challenge (%d bytes)", len(challenge))}
	}
	return []byte{}, nil
}

// Failure is the server's reason after a refused token, or nil.
func (c *XOAuth2Client) Failure() *XOAuth2Failure { return c.failure }

// TokenExpired reports whether the server refused the token as invalid (status 401): the
// caller invalidates its access token, refreshes, and tries once more.
func (c *XOAuth2Client) TokenExpired() bool { return c.failure != nil && c.failure.Status == "401" }

// SMTPAuth is XOAUTH2 for go-mail's SMTP client. go-mail has its own (smtp.XOAuth2Auth),
// which answers a refusal with an empty response as the protocol asks.
func SMTPAuth(username, accessToken string) smtp.Auth {
	return smtp.XOAuth2Auth(username, accessToken)
}
