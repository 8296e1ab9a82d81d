package outbox_test

// Crash safety, for real: a child process (this test binary, re-executed) sends a bulk of
// 1,000 messages through the outbox to an SMTP server in this process, and files their
// copies in the account's Sent folder on the project's Dovecot. It is SIGKILLed at random
// points at least 20 times (MAILROOM_CRASH_KILLS for more) and restarted each time on the
// same database, like a user reopening the app; after each restart it does what the user
// is told to do with possibly sent messages: send them again. At the end:
//   - every message was delivered (zero lost),
//   - duplicates ≤ kills (a kill leaves at most the one message in flight possibly sent),
//   - the Sent folder holds exactly one copy of each.
//
// Deliveries are counted by Message-ID on the server's side, which outlives the kills.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailroom/backend/accounts"
	"mailroom/backend/connect"
	"mailroom/backend/internal/testkit/testcert"
	"mailroom/backend/internal/testkit/testenv"
	"mailroom/backend/internal/testkit/testsmtp"
	"mailroom/backend/outbox"
	"mailroom/backend/store"
	"mailroom/backend/vault"
)

const (
	crashMessages    = 1000
	crashDefaultKill = 20
	envCrashKills    = "MAILROOM_CRASH_KILLS" // more kills, for a longer run (a make target)
	envCrashChild    = "MAILROOM_OUTBOX_CRASH_CHILD"
	envCrashDB       = "MAILROOM_OUTBOX_CRASH_DB"
	envCrashAccount  = "MAILROOM_OUTBOX_CRASH_ACCOUNT"
	envCrashPassword = "MAILROOM_OUTBOX_CRASH_PASSWORD"
	crashBatch       = 100 // messages per EnqueueAll
)

func TestMain(m *testing.M) {
	if os.Getenv(envCrashChild) == "1" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

func TestSIGKILLLosesNothingAndDuplicatesAtMostOncePerKill(t *testing.T) {
	env := testenv.Mail(t)
	kills := crashDefaultKill
	if s := os.Getenv(envCrashKills); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a number of kills", envCrashKills, s)
		}
		kills = n
	}
	start := time.Now()
	sender := env.NewUser(t)
	ca := testcert.NewCA(t)
	leaf := ca.Leaf(t, testcert.Opts{})
	// The server answers each message after a short wait, so that the bulk outlasts the
	// kills on any machine (each run lives a quarter second at most before its kill).
	delay := max(4*time.Millisecond, time.Duration(kills)*200*time.Microsecond)
	sink := testsmtp.Start(t, testsmtp.Options{TLS: leaf.ServerConfig(), Users: map[string]string{sender.Address: sender.Password}, DataDelay: delay})

	// The database and the account, as the app would have them; the sink's certificate is
	// one the user trusted (a pin), Dovecot's is signed by the test CA.
	dbPath := filepath.Join(t.TempDir(), "mailroom.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	ih, ip := testenv.HostPort(env.IMAPSAddr)
	acc, err := accounts.New(db, vault.NewMemory()).CreateWith(ctx, 0, accounts.NewAccount{Email: sender.Address,
		IMAP: accounts.Server{Host: ih, Port: ip, Security: accounts.TLS, Username: sender.Address},
		SMTP: accounts.Server{Host: "127.0.0.1", Port: sink.Port, Security: accounts.StartTLS, Username: sender.Address},
	}, accounts.Secrets{Password: sender.Password})
	if err != nil {
		t.Fatal(err)
	}
	if err := connect.NewPins(db).Trust(ctx, "127.0.0.1", sink.Port, connect.CertInfo{SHA256: leaf.SHA256,
		Subject: leaf.Leaf.Subject.String(), Issuer: leaf.Leaf.Issuer.String(), NotAfter: leaf.Leaf.NotAfter}, 0); err != nil {
		t.Fatal(err)
	}
	db.Close()

	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d, %d kills", seed, kills)
	var marked, unmarked, possibly, killed int
	for killed < kills {
		c := startChild(t, dbPath, acc.ID, sender.Password)
		// Somewhere in the first quarter second of the run: its enqueue, sending, copies.
		delay := time.Duration(rng.Int64N(int64(250 * time.Millisecond)))
		select {
		case <-c.done:
			t.Fatalf("run %d finished all the work before its kill: too few kills land (exit %v)", killed+1, c.err)
		case <-time.After(delay):
		}
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-c.done
		killed++
		marked, unmarked, possibly = marked+c.marked, unmarked+c.unmarked, possibly+c.possibly
	}
	// The last run, not killed: it must finish the work.
	c := startChild(t, dbPath, acc.ID, sender.Password)
	select {
	case <-c.done:
	case <-time.After(90 * time.Second):
		_ = c.cmd.Process.Kill() // the test fails next either way
		<-c.done
		t.Fatal("the last run did not finish in 90 s")
	}
	if c.err != nil {
		t.Fatalf("the last run failed: %v\n%s", c.err, c.output)
	}
	marked, unmarked, possibly = marked+c.marked, unmarked+c.unmarked, possibly+c.possibly

	// Deliveries on the server, by Message-ID.
	got := map[string]int{}
	for _, m := range sink.Messages() {
		got[messageIDOf(m.Data)]++
	}
	lost, dups := 0, 0
	for i := range crashMessages {
		switch n := got[crashMessageID(i, env.Domain)]; {
		case n == 0:
			lost++
		case n > 1:
			dups += n - 1
		}
	}
	// Copies in Sent, by Message-ID.
	copies := sentCopies(t, env, sender)
	badCopies := 0
	for i := range crashMessages {
		if copies[crashMessageID(i, env.Domain)] != 1 {
			badCopies++
		}
	}
	t.Logf("%d kills in %.1f s: %d delivered, %d lost, %d duplicates; kills left %d messages in flight past the marker, %d before it; "+
		"%d possibly sent, sent again by the user; %d Sent copies for %d messages (%d not exactly one)",
		killed, time.Since(start).Seconds(), len(got), lost, dups, marked, unmarked, possibly, len(copies), crashMessages, badCopies)
	if lost != 0 {
		t.Errorf("%d messages lost", lost)
	}
	if dups > killed {
		t.Errorf("%d duplicates for %d kills: more than one per kill", dups, killed)
	}
	if dups > possibly {
		t.Errorf("%d duplicates but only %d messages were possibly sent: a message was resent without the user's word", dups, possibly)
	}
	if possibly != marked {
		t.Errorf("kills left %d messages past the marker, but %d were reported possibly sent", marked, possibly)
	}
	if badCopies != 0 || len(copies) != crashMessages {
		t.Errorf("Sent holds %d distinct messages, %d of ours not exactly once", len(copies), badCopies)
	}
}

func crashMessageID(i int, domain string) string { return fmt.Sprintf("crash-%04d@%s", i, domain) }

// child is one run of the crash child.
type child struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	output string
	// At its start: messages the last kill left in flight with the marker and without,
	// and messages the engine said were possibly sent (which this run sent again).
	marked, unmarked, possibly int
}

// startChild starts a run and returns once it has settled the last run's messages and
// started its engine.
func startChild(t *testing.T, dbPath string, accountID int64, pw string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashChild+"=1", envCrashDB+"="+dbPath,
		envCrashAccount+"="+strconv.FormatInt(accountID, 10), envCrashPassword+"="+pw)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	started := make(chan struct{})
	go func() {
		defer close(c.done)
		var log strings.Builder
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if _, err := fmt.Sscanf(line, "started marked=%d unmarked=%d possibly=%d", &c.marked, &c.unmarked, &c.possibly); err == nil {
				close(started)
			}
		}
		_, _ = io.Copy(io.Discard, out)
		c.err = cmd.Wait()
		c.output = log.String() + stderr.String()
	}()
	select {
	case <-started:
	case <-c.done:
		t.Fatalf("the crash child ended before starting: %v\n%s", c.err, c.output)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill() // the test fails next either way
		<-c.done
		t.Fatalf("the crash child did not start in 30 s\n%s", c.output)
	}
	return c
}

// fixedPassword is the registry with the account's password from the parent: the
// in-memory vault of a previous run died with it.
type fixedPassword struct {
	*accounts.Registry
	pw string
}

func (f fixedPassword) Login(context.Context, int64) (accounts.Login, error) {
	return accounts.PasswordLogin(f.pw), nil
}

// crashChild is one run of the app: start, retry what may have been sent, queue the bulk
// (again: Enqueue is idempotent for the same message), wait until everything is sent and
// copied. It prints "started …" once its engine runs.
func crashChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		return 1
	}
	env, err := testenv.FromEnv()
	if err != nil {
		return fail(err)
	}
	accountID, _ := strconv.ParseInt(os.Getenv(envCrashAccount), 10, 64)
	db, err := store.Open(ctx, os.Getenv(envCrashDB))
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	// What the kill left: messages in flight with and without the marker.
	var marked, unmarked int
	if err := db.R.QueryRow(`SELECT count(*) FILTER (WHERE data_at IS NOT NULL), count(*) FILTER (WHERE data_at IS NULL)
		FROM outbox WHERE state = 'sending'`).Scan(&marked, &unmarked); err != nil {
		return fail(err)
	}
	reg := accounts.New(db, vault.NewMemory())
	acc, err := reg.Get(ctx, accountID)
	if err != nil {
		return fail(err)
	}
	eng := outbox.New(outbox.Deps{DB: db, Accounts: fixedPassword{reg, os.Getenv(envCrashPassword)},
		Dialer: &connect.Dialer{RootCAs: env.RootCAs, Pins: connect.NewPins(db), Timeout: 10 * time.Second}},
		outbox.Options{SentCopies: outbox.CopyAlways, MaxAttempts: 1000, RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
			ConnectBackoffMin: 10 * time.Millisecond, ConnectBackoffMax: 50 * time.Millisecond})
	if err := eng.Start(ctx); err != nil {
		return fail(err)
	}
	defer eng.Stop()
	// The user's choice for every possibly sent message: send it again.
	page, err := eng.List(ctx, outbox.Query{States: []outbox.State{outbox.PossiblySent}, Limit: 500})
	if err != nil {
		return fail(err)
	}
	for _, it := range page.Items {
		if err := eng.Retry(ctx, it.ID); err != nil {
			return fail(err)
		}
	}
	fmt.Printf("started marked=%d unmarked=%d possibly=%d\n", marked, unmarked, len(page.Items))
	for b := 0; b < crashMessages; b += crashBatch {
		var envs []outbox.Envelope
		for i := b; i < b+crashBatch; i++ {
			e, err := outbox.Render(outbox.Compose{
				From:      outbox.Address{Name: "Relances", Email: acc.Email},
				To:        []outbox.Address{{Name: fmt.Sprintf("Client %d", i), Email: fmt.Sprintf("client-%04d@example.org", i)}},
				Subject:   fmt.Sprintf("Relance n°%d", i),
				Text:      fmt.Sprintf("Bonjour Client %d,\nvotre facture n°%d est échue.\n", i, i),
				MessageID: crashMessageID(i, env.Domain),
				Date:      time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC),
			})
			if err != nil {
				return fail(err)
			}
			envs = append(envs, e)
		}
		if _, err := eng.EnqueueAll(ctx, accountID, envs); err != nil {
			return fail(err)
		}
	}
	deadline := time.Now().Add(85 * time.Second)
	for {
		var sent, copied int
		if err := db.R.QueryRow(`SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE copy_state = 'done') FROM outbox`).
			Scan(&sent, &copied); err != nil {
			return fail(err)
		}
		if sent == crashMessages && copied == crashMessages {
			return 0
		}
		if time.Now().After(deadline) {
			c, _ := eng.Counts(ctx, nil)
			return fail(fmt.Errorf("not done: %d sent, %d copied, counts %+v", sent, copied, c))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sentCopies counts the messages of u's Sent folder by Message-ID.
func sentCopies(t testing.TB, env *testenv.Env, u testenv.User) map[string]int {
	t.Helper()
	c := imapLogin(t, env, u)
	sel, err := c.Select("Sent", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		out[m.Envelope.MessageID]++
	}
	return out
}
