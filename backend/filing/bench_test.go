package filing_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailroom/backend/filing"
	"mailroom/backend/records"
	"mailroom/backend/store"
	"mailroom/backend/users"
)

// The re-file benchmark's sizes (the issue's: a firm's mailbox of several years).
const (
	benchMessages  = 100_000
	benchContacts  = 10_000
	benchCompanies = 2_000
)

// BenchmarkFilingRefile files 100,000 stored messages against 10,000 contacts and 2,000
// companies from scratch: the path of a first run, of a rules or settings change and of
// "Re-file everything". The records come in through the real import path (CSV), the
// messages are written straight into the store as the sync writes them (headers,
// addresses; the filing engine reads nothing else). Each iteration opens a fresh copy of
// the prepared store and times Start → the re-file's last batch. `make bench-filing`
// runs it (scripts/bench.sh filing). By hand:
//
//	go test -run '^$' -bench 'BenchmarkFilingRefile$' -benchtime 3x -tags webkit2_41,sqlite_fts5 ./backend/filing/
func BenchmarkFilingRefile(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	prepared := filepath.Join(dir, "prepared.db")
	start := time.Now()
	prepareRefileStore(b, prepared)
	fmt.Printf("corpus: %d messages, %d contacts, %d companies, prepared in %.1f s\n",
		benchMessages, benchContacts, benchCompanies, time.Since(start).Seconds())

	var secs, cpus []float64
	var filed, toFile int
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		path := filepath.Join(dir, fmt.Sprintf("run%d.db", i))
		copyFile(b, prepared, path)
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		e := filing.New(filing.Deps{DB: db}, filing.Options{Settle: time.Millisecond})
		b.StartTimer()
		t0, cpu0 := time.Now(), processCPU()
		if err := e.Start(ctx); err != nil {
			b.Fatal(err)
		}
		for {
			p := e.Progress()
			if p.Total > 0 && !p.Running {
				if p.Done != benchMessages || p.Cancelled {
					b.Fatalf("re-file ended at %d of %d (cancelled %v)", p.Done, p.Total, p.Cancelled)
				}
				break
			}
			time.Sleep(time.Millisecond)
		}
		d, cpu := time.Since(t0), processCPU()-cpu0
		b.StopTimer()
		e.Stop()
		secs, cpus = append(secs, d.Seconds()), append(cpus, cpu.Seconds())
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM message_filing WHERE state = 'filed'`).Scan(&filed); err != nil {
			b.Fatal(err)
		}
		if toFile, err = e.ToFileCount(ctx, nil); err != nil {
			b.Fatal(err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM message_filing`).Scan(&n); err != nil || n != benchMessages {
			b.Fatalf("%d messages have a filing (%v)", n, err)
		}
		db.Close()
		_ = os.Remove(path)
		fmt.Printf("run %d: re-file %.2f s, CPU %.2f s (%d filed, %d to file)\n", i+1, d.Seconds(), cpu.Seconds(), filed, toFile)
		b.StartTimer()
	}
	if filed < benchMessages/2 || toFile == 0 {
		b.Fatalf("implausible filing: %d filed, %d to file", filed, toFile)
	}
	med := median(secs)
	b.ReportMetric(med, "refile_s")
	b.ReportMetric(median(cpus), "refile_cpu_s")
	fmt.Printf("refile: refile_s=%.2f refile_cpu_s=%.2f msgs=%d contacts=%d companies=%d\n", med, median(cpus),
		benchMessages, benchContacts, benchCompanies)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := range s { // a few values: insertion sort
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// processCPU is the CPU time this process has used (user and system): on a shared machine
// the wall-clock time also counts the other processes' turns.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}

var benchFirst = []string{"Sophie", "Marc", "Élodie", "Thomas", "Anaïs", "Nadia", "François", "Julie", "Karim", "Léa"}
var benchFree = []string{"gmail.com", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "hotmail.fr", "sfr.fr", "yahoo.fr"}

// prepareRefileStore writes the benchmark's store at path: the owner, one account with an
// Inbox and a Sent folder, the companies and contacts (imported), and the messages:
//
//	55%  from (or, in Sent, to) a known contact, with a colleague or a second contact in Cc
//	15%  from an unknown person at a known company's domain
//	20%  from strangers (company-like or free-mail domains): "To file"
//	10%  newsletters (bulk)
func prepareRefileStore(b *testing.B, path string) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	u, err := users.New(db).CreateOwner(ctx, users.NewUser{Name: "Élise", Email: "elise@notre-cabinet.fr", Language: "fr"})
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		if _, err := db.W.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO accounts(id, name, email, secret_id, imap_host, imap_port, imap_security, imap_username,
		smtp_host, smtp_port, smtp_security, smtp_username, created_at)
		VALUES (1, 'Cabinet', 'contact@notre-cabinet.fr', 's1', 'h', 993, 'tls', 'u', 'h', 465, 'tls', 'u', 0)`)
	exec(`INSERT INTO folders(id, account_id, name, role) VALUES (1, 1, 'INBOX', 'inbox'), (2, 1, 'Sent', 'sent')`)

	rec := records.New(db, records.Options{})
	s, err := rec.Schema(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var co, ct strings.Builder
	co.WriteString("Nom;Domaine\r\n")
	for i := range benchCompanies {
		fmt.Fprintf(&co, "Société %d;societe-%d.fr\r\n", i, i)
	}
	contactEmail := make([]string, benchContacts)
	ct.WriteString("Prénom;Nom;E-mail\r\n")
	for i := range benchContacts {
		if i%5 == 4 { // a fifth of the contacts write from a free-mail address
			contactEmail[i] = fmt.Sprintf("contact.%d@%s", i, benchFree[i%len(benchFree)])
		} else {
			contactEmail[i] = fmt.Sprintf("p%d.nom@societe-%d.fr", i, i%benchCompanies)
		}
		fmt.Fprintf(&ct, "%s;Nom%d;%s\r\n", benchFirst[i%len(benchFirst)], i, contactEmail[i])
	}
	imp := func(typeID int64, csv string, cols []string) {
		src := records.ImportSource{Name: "import.csv", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }}
		res, err := rec.Import(ctx, u.ID, src, int64(len(csv)), records.ImportSettings{TypeID: typeID, Columns: cols}, records.Run{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Failed > 0 {
			b.Fatalf("import: %d rows failed: %+v", res.Failed, res.Failures)
		}
	}
	imp(s.TypeByKey(records.CompanyType).ID, co.String(), []string{records.CompanyName, records.CompanyDomains})
	imp(s.TypeByKey(records.ContactType).ID, ct.String(), []string{records.ContactFirstName, records.ContactLastName, records.ContactEmails})

	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	msgStmt, err := tx.PrepareContext(ctx, `INSERT INTO messages(account_id, folder_id, uid, message_id, subject, date, bulk, body_state)
		VALUES (1, ?, ?, ?, ?, ?, ?, 'done')`)
	if err != nil {
		b.Fatal(err)
	}
	addrStmt, err := tx.PrepareContext(ctx, `INSERT INTO message_addresses(message_id, kind, position, name, email) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(42, 7))
	own := "contact@notre-cabinet.fr"
	for i := range benchMessages {
		folder, bulk := int64(1), false
		var from, to, cc string
		switch k := rnd.IntN(100); {
		case k < 55:
			c := contactEmail[rnd.IntN(benchContacts)]
			from, to = c, own
			switch k % 3 {
			case 0:
				cc = contactEmail[rnd.IntN(benchContacts)]
			case 1:
				cc = "marc@notre-cabinet.fr"
			}
			if k < 12 { // sent mail
				folder, from, to = 2, own, c
			}
		case k < 70:
			from, to = fmt.Sprintf("inconnu%d@societe-%d.fr", rnd.IntN(50_000), rnd.IntN(benchCompanies)), own
		case k < 90:
			if k%2 == 0 {
				from = fmt.Sprintf("prospect%d@%s", rnd.IntN(20_000), benchFree[rnd.IntN(len(benchFree))])
			} else {
				from = fmt.Sprintf("contact@entreprise-%d.fr", rnd.IntN(5_000))
			}
			to = own
		default:
			from, to, bulk = fmt.Sprintf("newsletter@lettre-%d.fr", rnd.IntN(300)), own, true
		}
		res, err := msgStmt.ExecContext(ctx, folder, i+1, fmt.Sprintf("bench.%d@mailroom.test", i), fmt.Sprintf("Objet %d", i),
			1_600_000_000+int64(i)*600, bulk)
		if err != nil {
			b.Fatal(err)
		}
		id, _ := res.LastInsertId()
		pos := 0
		for _, a := range [][2]string{{"from", from}, {"to", to}, {"cc", cc}} {
			if a[1] == "" {
				continue
			}
			if _, err := addrStmt.ExecContext(ctx, id, a[0], pos, "", a[1]); err != nil {
				b.Fatal(err)
			}
			pos++
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
}
