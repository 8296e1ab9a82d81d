package syncer_test

// Fault injection: every connection the engine opens goes through a faultNet (via
// connect.Dialer.WrapConn, under TLS), which cuts, stalls or half-opens it on cue. After
// each fault the engine must reconnect and converge: local state equal to the server's
// (UIDs and flags), no duplicate rows, no goroutine left behind.
//
// These tests do not run in parallel: they count goroutines.

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/syncer"
)

// faultPlan is what happens to one connection.
type faultPlan struct {
	cutAfterRead   int64       // close the connection once this many bytes came in; 0: never
	stallAfterRead int64       // then nothing more comes in, and what goes out is lost; 0: never
	halfOpen       atomic.Bool // set by the test: what goes out arrives, nothing comes back
	dropAfterWrite atomic.Bool // set by the test: the next write goes out, then the connection drops
}

type faultNet struct {
	plan    func(i int) *faultPlan // for the i-th connection (from 0)
	onFault func(kind string)      // called on the connection's goroutine when a fault hits

	mu    sync.Mutex
	conns []*faultConn
}

func (fn *faultNet) wrap(c net.Conn) net.Conn {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	p := &faultPlan{}
	if fn.plan != nil {
		p = fn.plan(len(fn.conns))
	}
	fc := &faultConn{Conn: c, plan: p, net: fn, dialed: time.Now()}
	fn.conns = append(fn.conns, fc)
	return fc
}

func (fn *faultNet) conn(i int) *faultConn {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if i >= len(fn.conns) {
		return nil
	}
	return fn.conns[i]
}

func (fn *faultNet) count() int {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	return len(fn.conns)
}

type faultConn struct {
	net.Conn
	plan   *faultPlan
	net    *faultNet
	dialed time.Time

	read     atomic.Int64
	closed   atomic.Bool
	faulted  atomic.Bool
	faultAt  atomic.Int64 // unix nanoseconds
	stalling atomic.Bool
}

var errCut = errors.New("fault injection: connection cut")

func (c *faultConn) fault(kind string) {
	if c.faulted.CompareAndSwap(false, true) {
		c.faultAt.Store(time.Now().UnixNano())
		if c.net.onFault != nil {
			c.net.onFault(kind)
		}
	}
}

// blackhole reads and drops everything: the reader sees nothing, until the deadline set
// on the connection (by the engine's watch) or a close.
func (c *faultConn) blackhole() (int, error) {
	buf := make([]byte, 32<<10)
	for {
		if _, err := c.Conn.Read(buf); err != nil {
			return 0, err
		}
	}
}

func (c *faultConn) Read(p []byte) (int, error) {
	if c.plan.halfOpen.Load() {
		c.fault("half-open")
		return c.blackhole()
	}
	if c.stalling.Load() {
		return c.blackhole()
	}
	read := c.read.Load()
	if cut := c.plan.cutAfterRead; cut > 0 {
		if read >= cut {
			c.fault("cut")
			c.Conn.Close()
			return 0, errCut
		}
		if int64(len(p)) > cut-read {
			p = p[:cut-read]
		}
	}
	if stall := c.plan.stallAfterRead; stall > 0 && read >= stall {
		c.stalling.Store(true)
		c.fault("stall")
		return c.blackhole()
	}
	if stall := c.plan.stallAfterRead; stall > 0 && int64(len(p)) > stall-read {
		p = p[:stall-read]
	}
	n, err := c.Conn.Read(p)
	if c.plan.halfOpen.Load() { // it broke while this read waited: the data never came
		c.fault("half-open")
		return c.blackhole()
	}
	c.read.Add(int64(n))
	return n, err
}

func (c *faultConn) Write(p []byte) (int, error) {
	if c.stalling.Load() {
		return len(p), nil // lost on the way
	}
	n, err := c.Conn.Write(p)
	if c.plan.dropAfterWrite.CompareAndSwap(true, false) {
		c.fault("drop after write")
		c.Conn.Close()
	}
	return n, err
}

func (c *faultConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

// close stops the rig's engine and closes its store (before a goroutine count).
func (r *rig) close() {
	r.eng.Stop()
	r.db.Close()
}

// bodiesState returns how many messages and how many missing bodies the store holds.
func (r *rig) bodiesState() (messages, pending int) {
	if err := r.db.R.QueryRow(`SELECT count(*), coalesce(sum(body_state = 'none'), 0) FROM messages`).Scan(&messages, &pending); err != nil {
		r.t.Errorf("bodies state: %v", err) // Errorf: also called from the engine's goroutine
	}
	return
}

func TestAConnectionCutInTheMiddleOfABodyIsRecovered(t *testing.T) {
	const n = 200
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, n)
	var r *rig
	var atFault struct{ messages, pending int }
	fn := &faultNet{
		// About 150 KB of headers come first, then about 1 MB of bodies.
		plan: func(i int) *faultPlan {
			if i == 0 {
				return &faultPlan{cutAfterRead: 400_000}
			}
			return &faultPlan{}
		},
		onFault: func(string) { atFault.messages, atFault.pending = r.bodiesState() },
	}
	r = newRig(t, srv, withWrap(fn.wrap))
	r.start()
	c := srv.client(t)
	took := r.waitInStep(c, "INBOX", waitLong)
	if !fn.conn(0).faulted.Load() || fn.count() < 2 {
		t.Fatalf("the cut did not happen (%d connections)", fn.count())
	}
	// All headers stored and bodies not: the cut came while bodies (literals, nearly every
	// byte of a body FETCH) were streaming.
	if atFault.messages != n || atFault.pending == 0 {
		t.Fatalf("at the cut: %d messages, %d bodies missing; want all headers stored and bodies under way", atFault.messages, atFault.pending)
	}
	t.Logf("cut with %d of %d bodies missing; in step %v later, over %d connections", atFault.pending, n, took.Round(time.Millisecond), fn.count())
	if ev := r.count(func(ev syncer.Event) bool {
		return ev.Phase == syncer.PhaseError && ev.Err != nil && ev.Err.Code == "network" && ev.RetryIn > 0
	}); ev == 0 {
		t.Error("no network error was reported")
	}
	r.checkNoDuplicates()
	c.Close()
	r.close()
	settleGoroutines(t, base)
}

func TestAStalledConnectionIsAbandonedAndTheSyncResumes(t *testing.T) {
	const n = 200
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, n)
	fn := &faultNet{plan: func(i int) *faultPlan {
		if i == 0 {
			return &faultPlan{stallAfterRead: 400_000}
		}
		return &faultPlan{}
	}}
	r := newRig(t, srv, withWrap(fn.wrap))
	r.start()
	c := srv.client(t)
	r.waitInStep(c, "INBOX", waitLong)
	first, second := fn.conn(0), fn.conn(1)
	if !first.faulted.Load() || second == nil {
		t.Fatalf("the stall did not happen (%d connections)", fn.count())
	}
	found := second.dialed.Sub(time.Unix(0, first.faultAt.Load()))
	t.Logf("stall found and a new connection opened %v after the stall (stall timeout %v)", found.Round(time.Millisecond), testStall)
	if found < testStall/2 || found > testStall+3*time.Second {
		t.Errorf("reconnected %v after the stall, want about the stall timeout (%v)", found, testStall)
	}
	if !first.closed.Load() {
		t.Error("the stalled connection was not closed")
	}
	r.checkNoDuplicates()
	c.Close()
	r.close()
	settleGoroutines(t, base)
}

func TestAHalfOpenConnectionIsFoundAndReplaced(t *testing.T) {
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 10)
	fn := &faultNet{}
	r := newRig(t, srv, withWrap(fn.wrap))
	r.start()
	c := srv.client(t)
	r.waitInStep(c, "INBOX", waitLong)
	eventually(t, 5*time.Second, "the worker is idle", func() bool { return r.lastProgress().Phase == syncer.PhaseIdle })

	// The network silently stops answering (a NAT forgot us, a laptop woke elsewhere):
	// what the engine sends goes out, nothing comes back, nothing says so.
	fn.conn(0).plan.halfOpen.Store(true)
	broken := time.Now()
	t.Logf("half-open from %s", broken.Format("15:04:05.000"))
	msg, _ := testenv.NewMessage("someone@example.org", srv.user, "After the half-open", "Hello.")
	env.Deliver(t, msg, "someone@example.org", srv.user)
	limit := testIdleRefresh + testStall + 5*time.Second
	eventually(t, limit, "the message delivered meanwhile is stored", func() bool {
		var k int
		r.scalar(&k, `SELECT count(*) FROM messages WHERE subject = 'After the half-open'`)
		return k == 1
	})
	second := fn.conn(1)
	if second == nil || !fn.conn(0).closed.Load() {
		t.Fatalf("the half-open connection was not replaced (%d connections)", fn.count())
	}
	found := second.dialed.Sub(broken)
	t.Logf("half-open connection replaced after %v (IDLE refresh %v + stall timeout %v)", found.Round(time.Millisecond), testIdleRefresh, testStall)
	if found > testIdleRefresh+testStall+time.Second {
		t.Errorf("found after %v, want at most the IDLE refresh plus the stall timeout", found)
	}
	r.waitInStep(c, "INBOX", waitLong)
	r.checkNoDuplicates()
	c.Close()
	r.close()
	settleGoroutines(t, base)
}

func TestAFlagChangeSurvivesADropRightAfterACommand(t *testing.T) {
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 10)
	fn := &faultNet{}
	r := newRig(t, srv, withWrap(fn.wrap))
	r.start()
	c := srv.client(t)
	r.waitInStep(c, "INBOX", waitLong)
	eventually(t, 5*time.Second, "the worker is idle", func() bool { return r.lastProgress().Phase == syncer.PhaseIdle })

	// The next thing the worker sends (DONE, to leave IDLE for the flag change) goes
	// out, then the connection drops.
	fn.conn(0).plan.dropAfterWrite.Store(true)
	ids := []int64{r.messageID("INBOX", 2), r.messageID("INBOX", 3)}
	if err := r.eng.SetFlags(ctx, ids, "seen", true); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.SetFlags(ctx, ids[:1], "flagged", true); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the server has the flags", func() bool {
		s := serverState(t, c, "INBOX")
		return s[2].seen && s[3].seen && s[2].flagged
	})
	if !fn.conn(0).faulted.Load() || fn.count() < 2 {
		t.Fatalf("the drop did not happen (%d connections)", fn.count())
	}
	eventually(t, 5*time.Second, "no intent is left", func() bool {
		var k int
		r.scalar(&k, `SELECT count(*) FROM pending_flags`)
		return k == 0
	})
	r.waitInStep(c, "INBOX", waitLong)
	r.checkNoDuplicates()
	c.Close()
	r.close()
	settleGoroutines(t, base)
}

func TestAFlagChangeMadeOfflineIsAppliedAfterARestart(t *testing.T) {
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 5)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	r.eng.Stop() // the app quits…
	if err := r.eng.SetFlags(ctx, []int64{r.messageID("INBOX", 1)}, "flagged", true); err != nil {
		t.Fatal(err)
	}
	// …and starts again later, with a new engine over the same store.
	again := syncer.New(syncer.Deps{DB: r.db, Accounts: r.reg, Dialer: r.dialer}, r.opts)
	if err := again.Start(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the server has the flag changed while the app was closed", func() bool {
		return serverState(t, c, "INBOX")[1].flagged
	})
	again.Stop()
	c.Close()
	r.close()
	settleGoroutines(t, base)
}

func TestCancelStopsASyncUntilAskedAgain(t *testing.T) {
	const n = 400
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, n)
	var r *rig
	var once sync.Once
	r = newRig(t, srv, withOptions(syncer.Options{StallTimeout: testStall, IdleRefresh: testIdleRefresh,
		HeaderBatch: 20, BodyBatch: 10, ProgressInterval: 100 * time.Millisecond}),
		withOnEmit(func(ev syncer.Event) {
			if ev.Kind == syncer.KindChanged {
				once.Do(func() { r.eng.Cancel(r.accID) })
			}
		}))
	r.start()
	eventually(t, 10*time.Second, "the cancelled worker reports it", func() bool {
		ev := r.lastProgress()
		return ev.Phase == syncer.PhaseIdle && ev.Cancelled
	})
	stored, _ := r.bodiesState()
	time.Sleep(time.Second)
	if again, _ := r.bodiesState(); again != stored || stored >= n {
		t.Fatalf("after Cancel: %d then %d messages stored of %d; want the sync stopped part way", stored, again, n)
	}
	c := srv.client(t)
	r.eng.SyncNow(r.accID)
	r.waitInStep(c, "INBOX", waitLong)
	r.checkNoDuplicates()

	// Progress was throttled: at most about one event per interval per phase change.
	var times []time.Time
	r.mu.Lock()
	for _, ev := range r.events {
		if ev.Kind == syncer.KindProgress && (ev.Phase == syncer.PhaseHeaders || ev.Phase == syncer.PhaseBodies) && ev.Done < ev.Total {
			times = append(times, time.Now())
		}
	}
	total := len(r.events)
	// Each progress event has a Seq of its own, and the state Status keeps has the
	// highest: a listener that receives them out of order can tell the latest.
	seqs := map[uint64]bool{}
	var top uint64
	for _, ev := range r.events {
		if ev.Kind != syncer.KindProgress {
			continue
		}
		if ev.Seq == 0 || seqs[ev.Seq] {
			t.Errorf("progress event %+v: Seq zero or seen before", ev)
		}
		seqs[ev.Seq] = true
		top = max(top, ev.Seq)
	}
	r.mu.Unlock()
	for _, ev := range r.eng.Status() {
		if ev.AccountID == r.accID && ev.Seq < top {
			t.Errorf("Status holds Seq %d; an event with Seq %d was sent", ev.Seq, top)
		}
	}
	t.Logf("%d events in all, %d intermediate progress events for %d messages in batches of 20 and 10", total, len(times), n)
	if len(times) > n/10 {
		t.Errorf("%d intermediate progress events: not throttled", len(times))
	}
	c.Close()
	r.close()
	settleGoroutines(t, base)
}

func TestStopClosesEverythingEvenAnAttachmentBeingRead(t *testing.T) {
	base := runtime.NumGoroutine()
	srv, env := dovecot(t)
	fillInbox(t, env, srv.user, 6)
	c := srv.client(t)
	r := newRig(t, srv)
	r.start()
	r.waitInStep(c, "INBOX", waitLong)
	rc, _, _, err := r.eng.FetchPart(ctx, r.messageID("INBOX", 1), "2")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		r.eng.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	rc.Close()
	if _, _, _, err := r.eng.FetchPart(ctx, r.messageID("INBOX", 1), "2"); err == nil {
		t.Error("FetchPart works after Stop")
	}
	c.Close()
	r.close()
	settleGoroutines(t, base)
}
