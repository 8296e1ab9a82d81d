// Package bulk sends a template to every record of a filtered list (F12, "send to these N
// records"): it plans the send (who gets it, who cannot and why, when the last mail goes),
// keeps the job and each recipient in the store, and hands the mails to the outbox at the
// account's pace, spreading them over days when the daily limit asks it. A job survives a
// crash: each recipient's Message-ID is fixed before it is queued, so a restart finds what
// the outbox already holds instead of queueing it twice.
//
//	b := bulk.New(bulk.Deps{DB: db, Records: recs, Templates: tpls, Outbox: ob, Accounts: reg}, bulk.Options{})
//	plan, err := b.Plan(ctx, bulk.Input{AccountID: a, TemplateID: t, List: records.Query{TypeID: f, Filters: fs}})
//	id, err := b.Start(ctx, userID, in)     // committed; the engine queues it at the pace
//	err = b.Pause(ctx, id); err = b.Resume(ctx, id); err = b.Cancel(ctx, id)
//	p, err := b.Progress(ctx, id)
//
// Pausing takes back from the outbox the mails still waiting there (they are cancelled
// there, and queued again under a new Message-ID on resume); a mail already being sent
// goes. Bulk mails carry List-Unsubscribe (a mailto to the account's own address): see
// Unsubscribe for the replies it brings.
package bulk

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"mailroom/backend/accounts"
	"mailroom/backend/deliverability"
	"mailroom/backend/fault"
	"mailroom/backend/outbox"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/templates"
)

// Outbox is what a bulk send needs of the outbox (*outbox.Engine).
type Outbox interface {
	EnqueueAll(ctx context.Context, accountID int64, envs []outbox.Envelope) ([]int64, error)
	Cancel(ctx context.Context, id int64) error
}

// Accounts is what a bulk send needs of the account registry.
type Accounts interface {
	Get(ctx context.Context, id int64) (accounts.Account, error)
}

// Deps are what the engine uses. Deliverability, File, Emit and Log are optional.
type Deps struct {
	DB        *store.DB
	Records   *records.Records
	Templates *templates.Templates
	Outbox    Outbox
	Accounts  Accounts
	// Deliverability gives the findings shown before an account's first bulk send.
	Deliverability *deliverability.Checker
	// File links a synced message (messages.id) to the record it was sent from (filing's
	// FileSent).
	File func(ctx context.Context, by int64, messageIDs []int64, recordID int64) error
	Emit func(jobID int64) // a job's progress changed; must not block
	Log  *slog.Logger
}

// Options tune the engine.
type Options struct {
	Now   func() time.Time // the clock; time.Now if nil
	Batch int              // mails handed to the outbox per commit; 100 if 0
	// Ahead is how far ahead of its slot a mail is handed to the outbox (it waits there
	// with its not-before time): what a pause must take back. 2 minutes if 0.
	Ahead time.Duration
	Tick  time.Duration // how often a running job looks again; 5 s if 0
}

// Bulk is the bulk-send engine.
type Bulk struct {
	d   Deps
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	running map[int64]*runner
	wg      sync.WaitGroup
}

type runner struct {
	wake chan struct{}
	// renderer renders the job's template for each recipient, reading and compiling it
	// once rather than for each mail.
	renderer *templates.Renderer
}

// New builds the engine; it does no I/O until Start.
func New(d Deps, o Options) *Bulk {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Ahead <= 0 {
		o.Ahead = 2 * time.Minute
	}
	if o.Tick <= 0 {
		o.Tick = 5 * time.Second
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Bulk{d: d, o: o, log: log, running: map[int64]*runner{}}
}

// Reasons a record cannot get the mail.
const (
	NoAddress    = "no_address"
	DoNotEmail   = "do_not_email"
	MissingValue = "missing_value"
)

// Failures a user can meet.
var (
	ErrJobNotFound   = fault.Define("bulk_job_not_found", fault.NotFound, "this bulk send no longer exists")
	ErrJobFinished   = fault.Define("bulk_job_finished", fault.Conflict, "this bulk send is finished")
	ErrNobody        = fault.Define("bulk_nobody", fault.InvalidInput, "none of these records can get this mail")
	ErrNoType        = fault.Define("bulk_no_type", fault.InvalidInput, "choose the list of records to send to")
	ErrLimitInvalid  = fault.Define("bulk_limit_invalid", fault.InvalidInput, "the daily limit must be between 1 and {max}")
	ErrTooManyRecord = fault.Define("bulk_too_many", fault.InvalidInput, "a bulk send reaches {max} records at most; narrow the list")
)

// MaxRecords bounds one bulk send.
const MaxRecords = 20000

// Input is what a bulk send is asked for: the account it goes through, the template, who
// it is from, and the list (the Records screen's filter or view: its type, search and
// filters; Cursor and Limit are ignored).
type Input struct {
	AccountID  int64
	TemplateID int64
	Sender     templates.Sender
	List       records.Query
}

// Recipient is one record of the list as planned.
type Recipient struct {
	RecordID  int64
	Title     string
	Email     string // "" when skipped for no_address
	Name      string
	Reason    string   // "" when it gets the mail
	Missing   []string // with missing_value
	NotBefore time.Time
}

// Plan is what a bulk send would do.
type Plan struct {
	Total     int         // records in the list
	Sendable  []Recipient // in the list's order, each with its slot
	Excluded  []Recipient // with their reason
	PerDay    int         // the pace
	LastSend  time.Time   // the last mail's slot (zero when none)
	Days      int         // calendar spread: 1 when it all goes today
	UsedToday int         // mails the account sent or queued in the last 24 hours
}

// Plan reads the whole list, finds each record's address and renders the template for
// each (a placeholder with no value and no default sets the record aside), and computes
// each mail's slot from the account's daily limit.
func (b *Bulk) Plan(ctx context.Context, in Input) (Plan, error) {
	return b.plan(ctx, in, true)
}

// plan is Plan; without render, records are set aside for their address only (Start:
// a placeholder without a value is found when the mail is rendered to be queued).
func (b *Bulk) plan(ctx context.Context, in Input, render bool) (Plan, error) {
	if in.List.TypeID == 0 {
		return Plan{}, ErrNoType.New(nil)
	}
	if _, err := b.d.Templates.Get(ctx, in.TemplateID); err != nil {
		return Plan{}, err
	}
	lim, err := b.Limit(ctx, in.AccountID)
	if err != nil {
		return Plan{}, err
	}
	s, err := b.d.Records.Schema(ctx)
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	rd := b.d.Templates.Renderer(in.TemplateID) // the template read and compiled once
	q := in.List
	q.Cursor, q.Limit, q.Columns = "", 500, nil
	for {
		page, err := b.d.Records.List(ctx, q)
		if err != nil {
			return Plan{}, err
		}
		for _, r := range page.Records {
			p.Total++
			if p.Total > MaxRecords {
				return Plan{}, ErrTooManyRecord.New(fault.P{"max": MaxRecords})
			}
			rc, err := b.recipient(ctx, s, rd, in, r, render)
			if err != nil {
				return Plan{}, err
			}
			if rc.Reason != "" {
				p.Excluded = append(p.Excluded, rc)
			} else {
				p.Sendable = append(p.Sendable, rc)
			}
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	used, err := b.usedLast24h(ctx, in.AccountID)
	if err != nil {
		return Plan{}, err
	}
	p.PerDay, p.UsedToday = lim.PerDay, used
	slots := Schedule(b.o.Now(), len(p.Sendable), lim.PerDay, used)
	for i := range p.Sendable {
		p.Sendable[i].NotBefore = slots[i]
	}
	if n := len(slots); n > 0 {
		p.LastSend = slots[n-1]
		p.Days = int(slots[n-1].Sub(slots[0])/(24*time.Hour)) + 1
	}
	return p, nil
}

// Schedule gives n mails their slots: as many as the rolling 24 hours leave (perDay less
// used) at once, then perDay more each following day. Gmail and Microsoft count their
// limits over a rolling 24-hour window, so a day's share starts 24 hours after the last.
func Schedule(now time.Time, n, perDay, used int) []time.Time {
	out := make([]time.Time, n)
	if perDay <= 0 {
		perDay = 1
	}
	room := max(perDay-used, 0)
	day := 0
	for i := range out {
		if room == 0 {
			day++
			room = perDay
		}
		out[i] = now.Add(time.Duration(day) * 24 * time.Hour)
		room--
	}
	return out
}

// usedLast24h counts the account's mails sent or queued to go in the last 24 hours.
func (b *Bulk) usedLast24h(ctx context.Context, accountID int64) (int, error) {
	since := b.o.Now().Add(-24 * time.Hour).UnixMilli()
	var n int
	err := b.d.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE account_id = ?
		AND (state = 'sent' AND sent_at >= ? OR state IN ('queued', 'sending') AND next_attempt_at <= ?)`,
		accountID, since, b.o.Now().Add(24*time.Hour).UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("bulk: count the account's mails: %w", err)
	}
	return n, nil
}

// recipient finds r's address and renders the template for it.
func (b *Bulk) recipient(ctx context.Context, s *records.Schema, rd *templates.Renderer, in Input, r records.Record, render bool) (Recipient, error) {
	rc := Recipient{RecordID: r.ID, Title: r.Title}
	email, name, doNot, err := b.address(ctx, s, r)
	if err != nil {
		return rc, err
	}
	rc.Email, rc.Name = email, name
	switch {
	case email == "":
		rc.Reason = NoAddress
		return rc, nil
	case doNot:
		rc.Reason = DoNotEmail
		return rc, nil
	case !render:
		return rc, nil
	}
	out, err := rd.Render(ctx, templates.Target{RecordID: r.ID, Sender: in.Sender})
	if err != nil {
		return rc, err
	}
	if len(out.Missing) > 0 {
		rc.Reason, rc.Missing = MissingValue, out.Missing
	}
	return rc, nil
}

// address is where a record's mail goes: a contact's primary address; else the record's
// first email field with a value; else its first linked contact with an address; else the
// first contact of its linked company. doNot is set when a contact holding that address
// asked not to be written to.
func (b *Bulk) address(ctx context.Context, s *records.Schema, r records.Record) (email, name string, doNot bool, err error) {
	t := s.Type(r.TypeID)
	if t == nil {
		return "", "", false, nil
	}
	if t.Builtin == records.ContactType {
		email = firstString(r.Values[records.ContactEmails])
		name = strings.TrimSpace(firstString(r.Values[records.ContactFirstName]) + " " + firstString(r.Values[records.ContactLastName]))
	} else {
		for _, f := range t.Fields {
			if f.Kind == records.Email {
				if email = firstString(r.Values[f.Key]); email != "" {
					break
				}
			}
		}
		if email == "" {
			email, name, err = b.linkedContact(ctx, s, t, r, 0)
			if err != nil {
				return "", "", false, err
			}
		}
	}
	if email == "" {
		return "", "", false, nil
	}
	ids, err := b.d.Records.ContactsByEmail(ctx, email)
	if err != nil {
		return "", "", false, err
	}
	for _, id := range ids {
		d, err := b.d.Records.Get(ctx, id)
		if err != nil {
			continue
		}
		if v, _ := d.Values[records.ContactDoNotEmail].(bool); v {
			doNot = true
		}
		if name == "" {
			name = d.Title
		}
	}
	if name == email {
		name = ""
	}
	return email, name, doNot, nil
}

// linkedContact follows r's link fields to a contact with an address (a company's
// contacts at the second step).
func (b *Bulk) linkedContact(ctx context.Context, s *records.Schema, t *records.Type, r records.Record, depth int) (string, string, error) {
	for _, f := range t.Fields {
		if f.Kind != records.Link {
			continue
		}
		refs, _ := r.Values[f.Key].([]records.LinkRef)
		for _, ref := range refs {
			lt := s.Type(ref.TypeID)
			if lt == nil {
				continue
			}
			d, err := b.d.Records.Get(ctx, ref.ID)
			if err != nil {
				if fault.ReasonOf(err) == records.ErrRecordNotFound.Name {
					continue
				}
				return "", "", err
			}
			switch lt.Builtin {
			case records.ContactType:
				if e := firstString(d.Values[records.ContactEmails]); e != "" {
					return e, d.Title, nil
				}
			case records.CompanyType:
				if depth > 0 {
					continue
				}
				for _, bl := range d.Backlinks {
					if bt := s.Type(bl.TypeID); bt == nil || bt.Builtin != records.ContactType {
						continue
					}
					for _, c := range bl.Records {
						cd, err := b.d.Records.Get(ctx, c.ID)
						if err != nil {
							continue
						}
						if e := firstString(cd.Values[records.ContactEmails]); e != "" {
							return e, cd.Title, nil
						}
					}
				}
			}
		}
	}
	return "", "", nil
}

func firstString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []string:
		if len(x) > 0 {
			return strings.TrimSpace(x[0])
		}
	case []any:
		if len(x) > 0 {
			s, _ := x[0].(string)
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// Start plans the send again (the list may have changed since the preview), commits the
// job with every recipient, and starts queueing it. It returns the job's id. Each mail is
// rendered once, when it is queued: a record whose placeholder has no value by then is
// set aside (missing_value) instead.
func (b *Bulk) Start(ctx context.Context, by int64, in Input) (int64, error) {
	p, err := b.plan(ctx, in, false)
	if err != nil {
		return 0, err
	}
	if len(p.Sendable) == 0 {
		return 0, ErrNobody.New(nil)
	}
	tp, err := b.d.Templates.Get(ctx, in.TemplateID)
	if err != nil {
		return 0, err
	}
	var tok [8]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return 0, err
	}
	sender, _ := json.Marshal(in.Sender)
	now := b.o.Now().UnixMilli()
	var id int64
	err = b.d.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO bulk_jobs(account_id, template_id, type_id, name, state, token, sender,
			per_day, created_by, created_at, updated_at) VALUES (?,?,?,?,'running',?,?,?,?,?,?) RETURNING id`,
			in.AccountID, in.TemplateID, in.List.TypeID, tp.Name, hex.EncodeToString(tok[:]), string(sender),
			p.PerDay, nullID(by), now, now).Scan(&id)
		if err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO bulk_recipients(job_id, record_id, position, title, email, name,
			state, reason, missing, not_before) VALUES (?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		pos := 0
		for _, set := range [][]Recipient{p.Sendable, p.Excluded} {
			for _, r := range set {
				state, nb := "pending", r.NotBefore.UnixMilli()
				if r.Reason != "" {
					state, nb = "skipped", now
				}
				if _, err := ins.ExecContext(ctx, id, r.RecordID, pos, r.Title, r.Email, r.Name, state, r.Reason,
					strings.Join(r.Missing, "\n"), nb); err != nil {
					return err
				}
				pos++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bulk: start: %w", err)
	}
	b.launch(id)
	return id, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Run starts the engine: every job left running (by a stop or a crash) goes on. The
// engine stops when ctx ends or Stop is called.
func (b *Bulk) Run(ctx context.Context) error {
	b.mu.Lock()
	if b.ctx != nil {
		b.mu.Unlock()
		return errors.New("bulk: already started")
	}
	b.ctx, b.cancel = context.WithCancel(ctx)
	b.mu.Unlock()
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT id FROM bulk_jobs WHERE state = 'running' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("bulk: start: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		b.launch(id)
	}
	if b.d.File != nil {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			b.filer(b.ctx)
		}()
	}
	return nil
}

// filer links sent mails to their records as their copies are synced, for the jobs of
// the last week.
func (b *Bulk) filer(ctx context.Context) {
	for {
		since := b.o.Now().Add(-7 * 24 * time.Hour).UnixMilli()
		rows, err := b.d.DB.R.QueryContext(ctx, `SELECT DISTINCT r.job_id FROM bulk_recipients r JOIN bulk_jobs j ON j.id = r.job_id
			WHERE j.created_at >= ? AND r.state = 'queued' AND r.filed = 0`, since)
		if err == nil {
			var ids []int64
			for rows.Next() {
				var id int64
				if rows.Scan(&id) == nil {
					ids = append(ids, id)
				}
			}
			rows.Close()
			for _, id := range ids {
				if err := b.fileSent(ctx, id); err != nil && ctx.Err() == nil {
					b.log.Warn("bulk: filing sent mails", "job", id, "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.o.Tick):
		}
	}
}

// Stop stops every job's goroutine (the jobs stay running in the store) and waits.
func (b *Bulk) Stop() {
	b.mu.Lock()
	if b.cancel != nil {
		b.cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// launch starts a job's goroutine unless it runs (nothing before Run).
func (b *Bulk) launch(id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil || b.ctx.Err() != nil {
		return
	}
	if r, ok := b.running[id]; ok {
		select {
		case r.wake <- struct{}{}:
		default:
		}
		return
	}
	r := &runner{wake: make(chan struct{}, 1)}
	b.running[id] = r
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.loop(b.ctx, id, r)
		b.mu.Lock()
		delete(b.running, id)
		b.mu.Unlock()
	}()
}

func (b *Bulk) emit(id int64) {
	if b.d.Emit != nil {
		b.d.Emit(id)
	}
}

// loop queues a running job's due recipients until none is left to queue, then files
// what was sent, and ends when the job is finished, paused or cancelled.
func (b *Bulk) loop(ctx context.Context, id int64, r *runner) {
	// A small first batch: the outbox starts sending while the next ones are rendered.
	batch := min(10, b.o.Batch)
	for ctx.Err() == nil {
		state, more, err := b.step(ctx, id, batch, r)
		batch = b.o.Batch
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.log.Warn("bulk: a step failed; trying again", "job", id, "err", err)
		}
		b.emit(id)
		if state != "running" {
			return
		}
		if more && err == nil {
			continue
		}
		if done, err := b.finishIfDone(ctx, id); err == nil && done {
			b.emit(id)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-time.After(b.o.Tick):
		}
	}
}

// job is a job's row.
type job struct {
	id, accountID, templateID int64
	state, token              string
	sender                    templates.Sender
	by                        int64
}

func (b *Bulk) job(ctx context.Context, id int64) (job, error) {
	j := job{id: id}
	var tpl, by sql.NullInt64
	var sender string
	err := b.d.DB.R.QueryRowContext(ctx, `SELECT account_id, template_id, state, token, sender, created_by FROM bulk_jobs WHERE id = ?`, id).
		Scan(&j.accountID, &tpl, &j.state, &j.token, &sender, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return j, ErrJobNotFound.New(nil)
	}
	if err != nil {
		return j, fmt.Errorf("bulk: read job %d: %w", id, err)
	}
	j.templateID, j.by = tpl.Int64, by.Int64
	_ = json.Unmarshal([]byte(sender), &j.sender)
	return j, nil
}

// messageID is a recipient's Message-ID: fixed by the job, the record and the generation,
// so a queueing interrupted by a crash finds its mail in the outbox.
func messageID(token string, recordID int64, gen int, from string) string {
	domain := "mailroom.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	return fmt.Sprintf("bulk.%s.%d.%d@%s", token, recordID, gen, domain)
}

type pending struct {
	recordID  int64
	email     string
	name      string
	gen       int
	notBefore int64
	msgID     string
}

// step hands the next batch of due recipients to the outbox. more: another batch is due.
func (b *Bulk) step(ctx context.Context, id int64, batch int, r *runner) (state string, more bool, err error) {
	j, err := b.job(ctx, id)
	if err != nil {
		return "", false, err
	}
	if j.state != "running" {
		return j.state, false, nil
	}
	if r.renderer == nil { // a job's template never changes
		r.renderer = b.d.Templates.Renderer(j.templateID)
	}
	acc, err := b.d.Accounts.Get(ctx, j.accountID)
	if err != nil {
		return j.state, false, err
	}
	horizon := b.o.Now().Add(b.o.Ahead).UnixMilli()
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT record_id, email, name, generation, not_before FROM bulk_recipients
		WHERE job_id = ? AND state = 'pending' AND not_before <= ? ORDER BY position LIMIT ?`, id, horizon, batch+1)
	if err != nil {
		return j.state, false, err
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.recordID, &p.email, &p.name, &p.gen, &p.notBefore); err != nil {
			rows.Close()
			return j.state, false, err
		}
		p.msgID = messageID(j.token, p.recordID, p.gen, acc.Email)
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return j.state, false, err
	}
	if len(todo) > batch {
		todo, more = todo[:batch], true
	}
	if len(todo) == 0 {
		return j.state, false, nil
	}
	// What a crash left: mails already in the outbox under their Message-ID.
	found := map[string]int64{}
	args := []any{j.accountID}
	for _, p := range todo {
		args = append(args, p.msgID)
	}
	rows, err = b.d.DB.R.QueryContext(ctx, `SELECT message_id, id FROM outbox WHERE account_id = ? AND message_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(todo)), ",")+`)`, args...)
	if err != nil {
		return j.state, false, err
	}
	for rows.Next() {
		var m string
		var oid int64
		if err := rows.Scan(&m, &oid); err != nil {
			rows.Close()
			return j.state, false, err
		}
		found[m] = oid
	}
	rows.Close()
	var envs []outbox.Envelope
	var envRec []int
	missing := map[int64][]string{}
	for i, p := range todo {
		if _, ok := found[p.msgID]; ok {
			continue
		}
		env, miss, err := b.render(ctx, r.renderer, j, acc, p)
		if err != nil {
			return j.state, false, err
		}
		if len(miss) > 0 {
			missing[p.recordID] = miss
			continue
		}
		envs = append(envs, env)
		envRec = append(envRec, i)
	}
	if len(envs) > 0 {
		ids, err := b.d.Outbox.EnqueueAll(ctx, j.accountID, envs)
		if err != nil {
			return j.state, false, err
		}
		for k, i := range envRec {
			found[todo[i].msgID] = ids[k]
		}
	}
	err = b.d.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range todo {
			if miss, ok := missing[p.recordID]; ok {
				if _, err := tx.ExecContext(ctx, `UPDATE bulk_recipients SET state = 'skipped', reason = ?, missing = ?
					WHERE job_id = ? AND record_id = ? AND state = 'pending'`, MissingValue, strings.Join(miss, "\n"), id, p.recordID); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE bulk_recipients SET state = 'queued', outbox_id = ?
				WHERE job_id = ? AND record_id = ? AND state = 'pending'`, found[p.msgID], id, p.recordID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE bulk_jobs SET updated_at = ? WHERE id = ?`, b.o.Now().UnixMilli(), id)
		return err
	})
	return j.state, more, err
}

// render builds one recipient's mail.
func (b *Bulk) render(ctx context.Context, rd *templates.Renderer, j job, acc accounts.Account, p pending) (outbox.Envelope, []string, error) {
	out, err := rd.Render(ctx, templates.Target{RecordID: p.recordID, Sender: j.sender})
	if err != nil {
		return outbox.Envelope{}, nil, err
	}
	if len(out.Missing) > 0 {
		return outbox.Envelope{}, out.Missing, nil
	}
	env, err := Compose(acc, j.sender, p.email, p.name, out, p.msgID, time.UnixMilli(p.notBefore), j.by)
	return env, nil, err
}

// Compose renders a template's output as an outbox envelope from the account, with
// List-Unsubscribe to the account's own address (outbox.Render writes the header; the
// automations' mails set the same address).
func Compose(acc accounts.Account, sender templates.Sender, to, toName string, out templates.Rendered, msgID string, notBefore time.Time, by int64) (outbox.Envelope, error) {
	fromName := acc.FromName
	if sender.UserName != "" {
		fromName = sender.UserName
	}
	c := outbox.Compose{
		From:            outbox.Address{Name: fromName, Email: acc.Email},
		To:              []outbox.Address{{Name: toName, Email: to}},
		Subject:         out.Subject,
		Text:            out.Text,
		HTML:            out.HTML,
		MessageID:       msgID,
		ListUnsubscribe: acc.Email,
	}
	for _, a := range out.Attachments {
		c.Attachments = append(c.Attachments, outbox.Attachment{Filename: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	env, err := outbox.Render(c)
	if err != nil {
		return env, err
	}
	env.NotBefore, env.QueuedBy = notBefore, by
	return env, nil
}

// finishIfDone marks a running job done once every recipient is queued and its mail has
// left the outbox's queue (sent, failed or cancelled there).
func (b *Bulk) finishIfDone(ctx context.Context, id int64) (bool, error) {
	var left int
	err := b.d.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM bulk_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id
		WHERE r.job_id = ? AND (r.state = 'pending' OR r.state = 'queued' AND o.state IN ('queued', 'sending'))`, id).Scan(&left)
	if err != nil || left > 0 {
		return false, err
	}
	res, err := b.d.DB.W.ExecContext(ctx, `UPDATE bulk_jobs SET state = 'done', updated_at = ? WHERE id = ? AND state = 'running'`,
		b.o.Now().UnixMilli(), id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// fileSent links each sent mail whose copy has been synced (a message with its
// Message-ID) to its record, by hand: once per recipient.
func (b *Bulk) fileSent(ctx context.Context, id int64) error {
	j, err := b.job(ctx, id)
	if err != nil {
		return err
	}
	rows, err := b.d.DB.R.QueryContext(ctx, `SELECT r.record_id, min(m.id) FROM bulk_recipients r
		JOIN outbox o ON o.id = r.outbox_id AND o.state = 'sent'
		JOIN messages m ON m.message_id = o.message_id AND m.account_id = o.account_id
		WHERE r.job_id = ? AND r.state = 'queued' AND r.filed = 0 GROUP BY r.record_id LIMIT 500`, id)
	if err != nil {
		return err
	}
	type link struct{ rec, msg int64 }
	var ls []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.rec, &l.msg); err != nil {
			rows.Close()
			return err
		}
		ls = append(ls, l)
	}
	rows.Close()
	for _, l := range ls {
		if err := b.d.File(ctx, j.by, []int64{l.msg}, l.rec); err != nil {
			b.log.Warn("bulk: file a sent mail", "job", id, "record", l.rec, "err", err)
		}
		if _, err := b.d.DB.W.ExecContext(ctx, `UPDATE bulk_recipients SET filed = 1 WHERE job_id = ? AND record_id = ?`, id, l.rec); err != nil {
			return err
		}
	}
	return nil
}
