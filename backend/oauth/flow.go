package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"mailroom/backend/fault"
)

// Grant is what a completed sign-in gives: the verified address and the tokens.
// It holds secrets: never log it whole (LogValue shows only the provider and address).
type Grant struct {
	Provider ProviderID
	Email    string // the address that signed in, verified
	Token    *oauth2.Token
	// RefreshExpiresAt is when the refresh token stops working, when known; zero otherwise.
	RefreshExpiresAt time.Time
}

// Flow is one sign-in in progress: a loopback listener waiting for the browser's redirect.
type Flow struct {
	c           *Client
	p           Provider
	hint        string
	url         string
	redirectURI string
	state       string
	nonce       string
	verifier    string

	srv     *http.Server
	served  chan struct{}
	ctx     context.Context // ends at timeout or when the flow is done
	stop    func(cause error)
	claimed atomic.Bool
	result  chan flowResult
	once    sync.Once
}

type flowResult struct {
	g   *Grant
	err error
}

// Begin starts a sign-in: it listens on 127.0.0.1 (a free port unless Options.ListenAddr
// says otherwise), builds the authorisation URL with PKCE S256, a random state and nonce, and
// opens it with Options.OpenURL when set. loginHint is the address being connected: the
// provider pre-fills it, and Wait refuses any other address; empty accepts whoever signs in.
// ctx bounds only the start; the flow lives until Wait returns, Close, or the timeout.
func (c *Client) Begin(ctx context.Context, id ProviderID, loginHint string) (*Flow, error) {
	p, err := c.provider(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Configured() {
		return nil, notConfigured(p)
	}
	loginHint = strings.TrimSpace(loginHint)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.opts.ListenAddr)
	if err != nil {
		return nil, ErrLocalPort.Wrap(err, fault.P{"address": c.opts.ListenAddr})
	}
	f := &Flow{
		c: c, p: p, hint: loginHint,
		redirectURI: fmt.Sprintf("http://127.0.0.1:%d/", ln.Addr().(*net.TCPAddr).Port),
		state:       randomString(), nonce: randomString(), verifier: oauth2.GenerateVerifier(),
		served: make(chan struct{}), result: make(chan flowResult, 1),
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier), oauth2.SetAuthURLParam("nonce", f.nonce)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	for k, v := range p.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	f.url = p.oauth2Config(f.redirectURI).AuthCodeURL(f.state, opts...)

	base, stop := context.WithCancelCause(context.Background())
	ctx, stopTimer := context.WithTimeoutCause(base, c.opts.FlowTimeout, ErrTimeout)
	f.ctx = ctx
	f.stop = func(cause error) { stop(cause); stopTimer() }
	f.srv = &http.Server{
		Handler:           f,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(discard{}, "", 0), // a browser's half-closed connection is no news
	}
	go func() {
		defer close(f.served)
		_ = f.srv.Serve(ln)
	}()
	// Whatever ends the flow (the answer, Close, the timeout) closes the listener at once,
	// even if nobody calls Wait.
	go func() {
		<-f.ctx.Done()
		f.shutdown()
	}()
	c.log.Info("oauth: sign-in started", "provider", string(p.ID), "redirect", f.redirectURI)
	if c.opts.OpenURL != nil {
		if err := c.opts.OpenURL(f.url); err != nil {
			f.Close()
			return nil, ErrBrowser.Wrap(err, nil)
		}
	}
	return f, nil
}

// URL is the authorisation page to open in the system browser.
func (f *Flow) URL() string { return f.url }

// RedirectURI is the loopback address the browser comes back to.
func (f *Flow) RedirectURI() string { return f.redirectURI }

// Wait returns the grant once the browser came back and the code was exchanged and the
// address checked, or why not (ErrState, ErrCancelled, ErrTimeout, ErrWrongAccount, …, in a
// *fault.Error). The listener is closed when it returns.
func (f *Flow) Wait(ctx context.Context) (*Grant, error) {
	defer f.Close()
	select {
	case r := <-f.result:
		return r.g, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-f.ctx.Done():
		select {
		case r := <-f.result: // the answer and the end came together
			return r.g, r.err
		default:
		}
		if errors.Is(context.Cause(f.ctx), ErrTimeout) {
			f.c.log.Info("oauth: sign-in timed out", "provider", string(f.p.ID))
			return nil, ErrFlowTimeout.Wrap(ErrTimeout, fault.P{"provider": f.p.Name, "minutes": minutes(f.c.opts.FlowTimeout)})
		}
		return nil, ErrFlowStopped.Wrap(ErrStopped, nil)
	}
}

// Close stops the flow and closes the listener; it is safe to call more than once.
func (f *Flow) Close() {
	f.stop(ErrStopped)
	f.shutdown()
}

func (f *Flow) shutdown() {
	f.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := f.srv.Shutdown(ctx); err != nil {
			f.srv.Close()
		}
		<-f.served
	})
}

// ServeHTTP receives the redirect. Only the first answer counts; the flow ends with it.
func (f *Flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r) // e.g. the browser's /favicon.ico
		return
	}
	if !f.claimed.CompareAndSwap(false, true) {
		writePage(w, http.StatusConflict, pageOther)
		return
	}
	g, err := f.answer(r.Context(), r.URL.Query())
	switch {
	case err == nil:
		writePage(w, http.StatusOK, pageSuccess)
		f.c.log.Info("oauth: signed in", "provider", string(f.p.ID), "email", g.Email)
	case errors.Is(err, ErrCancelled):
		writePage(w, http.StatusOK, pageCancelled)
		f.c.log.Info("oauth: sign-in cancelled in the browser", "provider", string(f.p.ID))
	default:
		writePage(w, http.StatusBadRequest, pageFailed)
		f.c.log.Warn("oauth: sign-in refused", "provider", string(f.p.ID), "err", err.Error())
	}
	f.result <- flowResult{g, err}
	f.stop(nil)
}

// answer checks the redirect and, when it is ours, exchanges the code. The state is checked
// before anything else: a forged or stale answer never causes a token request.
func (f *Flow) answer(reqCtx context.Context, q url.Values) (*Grant, error) {
	state := q.Get("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.state)) != 1 {
		what := "another sign-in's state"
		if state == "" {
			what = "no state"
		}
		return nil, ErrStateMismatch.Wrap(fmt.Errorf("%w: the answer carried %s", ErrState, what), nil)
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return nil, ErrFlowCancelled.Wrap(ErrCancelled, fault.P{"provider": f.p.Name})
		}
		pe := &providerError{Code: e, Description: q.Get("error_description")}
		return nil, ErrProviderRefused.Wrap(pe, fault.P{"provider": f.p.Name}).WithDetail(describe(pe))
	}
	code := q.Get("code")
	if code == "" {
		return nil, ErrNoCode.New(fault.P{"provider": f.p.Name})
	}
	// The exchange ends with the flow (Close, timeout) or the browser's request.
	ctx, cancel := context.WithCancel(reqCtx)
	defer cancel()
	stopWatch := context.AfterFunc(f.ctx, cancel)
	defer stopWatch()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, f.c.http)
	tok, err := f.p.oauth2Config(f.redirectURI).Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		err = classify(f.p, err, "the sign-in", code)
		// classify returns a bare *providerError only for what a new sign-in cures
		// (invalid_grant: a replayed or forged code, a wrong verifier); the rest has a reason.
		if pe := (*providerError)(nil); !isFault(err) && errors.As(err, &pe) {
			return nil, ErrCodeRefused.Wrap(pe, fault.P{"provider": f.p.Name}).WithDetail(describe(pe))
		}
		return nil, err
	}
	f.c.stamp(tok)
	email, err := f.c.identify(ctx, f.p, tok, f.nonce)
	if err != nil {
		return nil, err
	}
	if f.hint != "" && !sameAddress(email, f.hint) {
		return nil, ErrOtherAddress.Wrap(ErrWrongAccount, fault.P{"provider": f.p.Name, "signedIn": email, "address": f.hint})
	}
	if tok.RefreshToken == "" {
		return nil, ErrNoRefreshToken.New(fault.P{"provider": f.p.Name})
	}
	return &Grant{Provider: f.p.ID, Email: email, Token: tok, RefreshExpiresAt: refreshExpiry(f.p, tok, f.c.now())}, nil
}

// refreshExpiry is when a refresh token stops working, when known: the provider's
// refresh_token_expires_in (Google sends it for time-limited grants), else the configured limit.
func refreshExpiry(p Provider, tok *oauth2.Token, now time.Time) time.Time {
	switch v := tok.Extra("refresh_token_expires_in").(type) {
	case float64:
		if v > 0 {
			return now.Add(time.Duration(v) * time.Second)
		}
	case string:
		if d, err := time.ParseDuration(v + "s"); err == nil && d > 0 {
			return now.Add(d)
		}
	}
	if p.RefreshTokenLifetime > 0 {
		return now.Add(p.RefreshTokenLifetime)
	}
	return time.Time{}
}

// sameAddress compares addresses as mail systems do in practice: case-insensitively.
func sameAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// The page the browser shows after the redirect: both languages, no script, nothing remote.
type page struct {
	TitleEN, TitleFR, TextEN, TextFR string
}

var (
	pageSuccess = page{"Signed in", "Connexion réussie",
		"You can return to Mailroom. This tab can be closed.", "Vous pouvez revenir à Mailroom. Cet onglet peut être fermé."}
	pageCancelled = page{"Sign-in cancelled", "Connexion annulée",
		"You can return to Mailroom.", "Vous pouvez revenir à Mailroom."}
	pageFailed = page{"Sign-in not completed", "Connexion non aboutie",
		"You can return to Mailroom: it explains what happened.", "Vous pouvez revenir à Mailroom : il explique ce qui s’est passé."}
	pageOther = page{"This sign-in is already finished", "Cette connexion est déjà terminée",
		"You can return to Mailroom.", "Vous pouvez revenir à Mailroom."}
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Mailroom — {{.TitleEN}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em;color:#222}h1{font-size:1.3em}section+section{margin-top:2em;border-top:1px solid #ddd;padding-top:1em}</style>
</head><body>
<section lang="en"><h1>{{.TitleEN}}</h1><p>{{.TextEN}}</p></section>
<section lang="fr"><h1>{{.TitleFR}}</h1><p>{{.TextFR}}</p></section>
</body></html>
`))

func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer") // the address bar holds the code
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Connection", "close")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, p)
}

// minutes is a flow timeout in whole minutes (at least 1), for the words of oauth_timeout.
func minutes(d time.Duration) int {
	return max(1, int((d+30*time.Second)/time.Minute))
}

// isFault reports whether err already carries a reason for the user.
func isFault(err error) bool {
	_, ok := fault.As(err)
	return ok
}
