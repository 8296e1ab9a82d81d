// Package postmark sends already-rendered messages through Postmark's email API and checks,
// for the account wizard, that a From address may send through a Postmark server.
//
//	pm, err := postmark.New(serverToken, postmark.Options{}) // no I/O; token from the keychain
//	if err := pm.CheckSender(ctx, "ada@example.com"); err != nil {
//		return err // fault error: what is wrong and how to fix it in Postmark
//	}
//	res, err := pm.Send(ctx, raw) // raw: the RFC 5322 message, Bcc header included
//	switch fault.ClassOf(err) { … } // see backend/sendresult
//
// Postmark's /email endpoint takes JSON, not MIME, so Send converts the message with
// go-message: From, To, Cc, Bcc, Reply-To and Subject become fields, the first text/plain
// and text/html parts the bodies, every other part an attachment (base64; inline parts keep
// their Content-ID as "cid:…"), and the remaining headers — Message-ID, In-Reply-To,
// References, List-Unsubscribe, X-… — go in Headers. Postmark never shows Bcc recipients.
//
// The Message-ID we assigned is sent as a custom header so that replies thread and the Sent
// copy can be matched. Postmark's documentation does not say whether it keeps a Message-ID
// given that way (users report that it does), and its API answers with its own MessageID,
// which its Activity page, bounces and webhooks use; Result carries both.
//
// The server token is sent only in the X-Postmark-Server-Token header, never written to an
// error, and redirects are not followed, so no other host ever receives it. Errors are
// *fault.Error values (reasons.go) with Postmark's own answer as their detail, of the class
// permanent (bad token, unknown or unconfirmed sender, invalid message, inactive recipient,
// account not allowed to send), temporary (429, 5xx, network) or possibly sent (the request
// went out and the answer never came).
//
// API reference: https://postmarkapp.com/developer/api/overview (tokens, HTTP codes, error
// codes) and https://postmarkapp.com/developer/user-guide/send-email-with-api (/email).
package postmark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/mail"
	"strings"
	"sync/atomic"
	"time"

	"mailroom/backend/fault"
	"mailroom/backend/sendresult"
)

// DefaultBaseURL is Postmark's API endpoint.
const DefaultBaseURL = "https://api.postmarkapp.com"

// DefaultMessageStream is the transactional stream every Postmark server has.
const DefaultMessageStream = "outbound"

// CheckRecipient receives the message CheckSender sends. Postmark documents
// bounce-testing.postmarkapp.com as a black-hole domain: nothing sent there reaches anyone,
// and the message shows in the server's activity as a test bounce of the type the address
// names. An auto-responder is the one type that is neither a delivery failure nor a
// suppression, so the check leaves nothing to clean up.
// https://postmarkapp.com/support/article/1239-how-to-test-bounces
const CheckRecipient = "AutoResponder@bounce-testing.postmarkapp.com"

// checkTag marks the check message in the server's activity, so people can tell it apart.
const checkTag = "mailroom-sender-check"

// Network bounds. Postmark answers a send in well under a second; the total leaves time
// to upload a message at Postmark's 10 MB limit over a slow uplink.
const (
	requestTimeout   = 2 * time.Minute // one whole request, upload included
	maxAnswerBytes   = 1 << 20         // Postmark's answers are a few hundred bytes
	maxProviderWords = 500             // characters of Postmark's Message kept in an error
)

// Result is Postmark's receipt for an accepted message: ProviderID is Postmark's MessageID.
type Result = sendresult.Result

// Options configure a Client. The zero value talks to Postmark's API on the "outbound"
// stream.
type Options struct {
	BaseURL       string       // "" = DefaultBaseURL; tests point it at an httptest server
	MessageStream string       // "" = DefaultMessageStream
	HTTPClient    *http.Client // nil = one with the timeouts above; redirects are never followed
}

// Client talks to one Postmark server with its server token. It is safe for concurrent use.
type Client struct {
	token   string
	baseURL string
	stream  string
	http    *http.Client
}

// New returns a client for the Postmark server whose server token is given. It does no I/O.
func New(serverToken string, opts Options) (*Client, error) {
	serverToken = strings.TrimSpace(serverToken)
	if serverToken == "" {
		return nil, ErrTokenMissing.Field("token", nil)
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	stream := opts.MessageStream
	if stream == "" {
		stream = DefaultMessageStream
	}
	return &Client{token: serverToken, baseURL: base, stream: stream, http: httpClient(opts.HTTPClient)}, nil
}

// BaseURL is the API endpoint the client sends to.
func (c *Client) BaseURL() string { return c.baseURL }

// httpClient is the shared sender client (no redirects) with this provider's request timeout.
func httpClient(given *http.Client) *http.Client { return sendresult.HTTPClient(given, requestTimeout) }

// sendResponse is /email's answer; ErrorCode is 0 on success.
type sendResponse struct {
	To          string
	SubmittedAt string
	MessageID   string
	ErrorCode   int
	Message     string
}

// Send sends an RFC 5322 message through Postmark. The message must still carry its Bcc
// header: Postmark has no envelope, so the recipients are the To, Cc and Bcc fields.
func (c *Client) Send(ctx context.Context, raw []byte) (Result, error) {
	e, from, messageID, err := convert(raw)
	if err != nil {
		return Result{}, err
	}
	e.MessageStream = c.stream
	res := Result{MessageID: messageID}

	var answer sendResponse
	if err := c.call(ctx, http.MethodPost, "/email", e, &answer, true); err != nil {
		return res, c.describe(err, from)
	}
	res.ProviderID = answer.MessageID
	res.SubmittedAt = time.Now()
	if t, err := time.Parse(time.RFC3339Nano, answer.SubmittedAt); err == nil {
		res.SubmittedAt = t
	}
	return res, nil
}

// CheckSender checks that from may send through this Postmark server: that the token is a
// valid server token and that from is a confirmed sender signature or on a verified domain.
//
// A server token cannot list sender signatures or domains (that takes the account token,
// which only the account's owner and admins hold, and which Mailroom does not ask for). What
// a server token can do is documented: GET /server reads the server, which proves the token,
// and a send is refused with ErrorCode 400 (no sender signature) or 401 (not confirmed) when
// the From may not send. So after reading the server, CheckSender sends one short message
// from from to CheckRecipient, Postmark's documented black hole. It counts towards the
// month's sending volume like any message, and it does not prove that Postmark has approved
// the account for every recipient: a pending account (ErrorCode 412) may only be refused
// at the first real send.
func (c *Client) CheckSender(ctx context.Context, from string) error {
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return ErrFromInvalid.Field("from", fault.P{"from": from})
	}
	// The answer lists the server's API tokens among its settings: only the name is read,
	// and nothing of it is kept.
	if err := c.call(ctx, http.MethodGet, "/server", nil, &struct{ Name string }{}, false); err != nil {
		return c.describe(err, addr.Address)
	}
	off := false
	check := &email{
		From:     addr.Address,
		To:       CheckRecipient,
		Subject:  "Mailroom sender check",
		TextBody: "Mailroom sent this message to check that " + addr.Address + " may send through this Postmark server. It went to Postmark's test domain and reached no one.",
		Tag:      checkTag,
		// The check has no links or images to track, and opens of a black hole mean nothing.
		TrackOpens:    &off,
		TrackLinks:    "None",
		MessageStream: c.stream,
	}
	if err := c.call(ctx, http.MethodPost, "/email", check, &sendResponse{}, false); err != nil {
		return c.describe(err, addr.Address)
	}
	return nil
}

// apiError is an answer from Postmark that is not a success: the HTTP status and, when the
// body held them, Postmark's ErrorCode and Message.
type apiError struct {
	Status  int
	Code    int
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("postmark: HTTP %d, ErrorCode %d", e.Status, e.Code)
}

// call sends one request and decodes a 200 answer into out. It returns an *apiError for any
// other answer, or an error already classed for a network failure. sends says whether the
// request can deliver mail to someone: only then may a lost answer mean "possibly sent".
func (c *Client) call(ctx context.Context, method, path string, in, out any, sends bool) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return ErrRequestUnprepared.Wrap(err, nil)
		}
		body = bytes.NewReader(b)
	}
	// wrote turns true once the whole request has gone out: from then on, Postmark may have
	// acted on it even if its answer never arrives.
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return ErrURLInvalid.Wrap(err, nil)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Postmark-Server-Token", c.token)

	resp, err := c.http.Do(req)
	if err != nil {
		return networkError(err, sends && wrote.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return networkError(err, sends)
	}

	if resp.StatusCode == http.StatusOK {
		var status struct{ ErrorCode int }
		if json.Unmarshal(data, out) != nil || json.Unmarshal(data, &status) != nil {
			// A proxy or captive portal can answer 200 with a page of its own: the message
			// may or may not have reached Postmark.
			fe := ErrAnswerUnreadable.New(nil)
			if sends {
				fe = fe.WithClass(fault.PossiblySent)
			}
			return fe
		}
		if status.ErrorCode == 0 {
			return nil
		}
	}
	e := &apiError{Status: resp.StatusCode}
	var pm struct {
		ErrorCode int
		Message   string
	}
	if json.Unmarshal(data, &pm) == nil {
		e.Code, e.Message = pm.ErrorCode, pm.Message
	}
	return e
}

// networkError classes a request that got no answer from Postmark.
func networkError(err error, possiblySent bool) error {
	if possiblySent {
		return ErrPossiblySent.Wrap(err, nil)
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return ErrTimeout.Wrap(err, nil)
	}
	return ErrUnreachable.Wrap(err, nil)
}

// describe turns an answer from Postmark into the error people see: what happened, what to
// do, and Postmark's own words. Network errors come through as they are.
func (c *Client) describe(err error, from string) error {
	var e *apiError
	if !errors.As(err, &e) {
		return err
	}
	domain := from
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		domain = from[at+1:]
	}
	words := c.words(e.Message)
	reply := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != 0 {
		reply += fmt.Sprintf(", ErrorCode %d", e.Code)
	}
	if words != "" {
		reply += ": " + words
	}
	r := sendresult.Refusal{Reply: reply, Cause: e}
	p := fault.P{"from": from, "domain": domain}

	switch {
	case e.Status == http.StatusUnauthorized || e.Code == 10:
		return r.Err(ErrToken, "token", nil)
	case e.Status == http.StatusTooManyRequests || e.Code == 429:
		return r.Err(ErrRateLimited, "", nil)
	case e.Code == 100 || e.Status >= 500:
		return r.Err(ErrUnavailable, "", fault.P{"status": e.Status})
	case e.Status == http.StatusRequestEntityTooLarge:
		return r.Err(ErrTooLarge, "", nil)
	}

	switch e.Code {
	case 300:
		return r.Err(ErrInvalidMessage, "", nil)
	case 400:
		return r.Err(ErrSender, "from", p)
	case 401:
		return r.Err(ErrSenderUnconfirmed, "from", p)
	case 402, 403, 409:
		return r.Err(ErrRequestRefused, "", nil)
	case 405:
		return r.Err(ErrCannotSend, "", nil)
	case 406:
		return r.Err(ErrInactive, "", nil)
	case 411:
		return r.Err(ErrAttachmentType, "", nil)
	case 412:
		return r.Err(ErrPendingApproval, "", nil)
	case 413:
		return r.Err(ErrServerInactive, "", nil)
	}
	return r.Err(ErrRefused, "", fault.P{"status": e.Status, "code": e.Code})
}

// words is Postmark's own message, which the UI shows: bounded, and with the token masked
// should Postmark ever quote it.
func (c *Client) words(message string) string {
	words := strings.ReplaceAll(strings.TrimSpace(message), c.token, "[server token]")
	if r := []rune(words); len(r) > maxProviderWords {
		words = string(r[:maxProviderWords]) + "…"
	}
	return words
}
