package records

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeBenchFiles writes French-Excel-style files (Windows-1252, `;`, dd/mm/yyyy, decimal
// commas): nCompanies companies, and nContacts contacts each naming one of them.
func writeBenchFiles(b *testing.B, dir string, nCompanies, nContacts int) (string, string) {
	b.Helper()
	companies, contacts := filepath.Join(dir, "societes.csv"), filepath.Join(dir, "contacts.csv")
	write := func(path string, fill func(w *bufio.Writer)) {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		fill(w)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	write(companies, func(w *bufio.Writer) {
		_, _ = w.WriteString("Raison sociale;Site web;Adresse;Code postal;Ville;T\xe9l\xe9phone\r\n")
		for i := range nCompanies {
			fmt.Fprintf(w, "Soci\xe9t\xe9 %s %d;www.societe%d.fr;%d rue de l'\xc9glise;%05d;Ville %d;01 %02d %02d %02d %02d\r\n",
				benchWords[i%len(benchWords)], i, i, i%200+1, 10000+i%90000, i%500, i%100, (i/100)%100, i%37, i%53)
		}
	})
	write(contacts, func(w *bufio.Writer) {
		_, _ = w.WriteString("Nom;Pr\xe9nom;Soci\xe9t\xe9;E-mail;T\xe9l\xe9phone;Fonction;Notes\r\n")
		for i := range nContacts {
			c := i % nCompanies
			fmt.Fprintf(w, "Nom%d;Fran\xe7oise%d;Soci\xe9t\xe9 %s %d;contact%d@societe%d.fr;06 %02d %02d %02d %02d;G\xe9rante;\"Client depuis le %02d/%02d/20%02d, CA 1 234,%02d \x80\"\r\n",
				i, i%977, benchWords[c%len(benchWords)], c, i, c, i%100, (i/100)%100, i%89, i%97, i%28+1, i%12+1, i%25, i%100)
		}
	})
	return companies, contacts
}

// importBenchFiles imports the companies then the contacts writeBenchFiles wrote, as the
// wizard would with every column mapped, with a context that can be cancelled as the
// wizard's (the driver watches such a context, at a cost).
func importBenchFiles(b *testing.B, f *fixture, companies, contacts string) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, file := range []struct {
		path   string
		typeID int64
		cols   []string
	}{
		{companies, f.company.ID, []string{CompanyName, CompanyDomains, CompanyAddress, TargetPostalCode, TargetCity, CompanyPhone}},
		{contacts, f.contact.ID, []string{ContactLastName, ContactFirstName, ContactCompany, ContactEmails, ContactPhones, ContactJobTitle, ContactNotes}},
	} {
		st, _ := os.Stat(file.path)
		res, err := f.r.Import(ctx, f.user, fileSource(file.path), st.Size(),
			ImportSettings{TypeID: file.typeID, Columns: file.cols}, Run{}, nil)
		if err != nil || res.Failed != 0 || len(res.Unresolved) != 0 {
			b.Fatalf("import %s: %+v %v", file.path, res.Failures, err)
		}
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRecordsImportOnly is the import of `make bench-records` alone (no sqlite3 floor,
// no list), reporting the median wall and CPU time of its b.N runs: on a shared machine the
// CPU time is the figure to compare before and after a change.
func BenchmarkRecordsImportOnly(b *testing.B) {
	companies, contacts := writeBenchFiles(b, b.TempDir(), 10_000, 50_000)
	var walls, cpus []time.Duration
	for run := 0; run < b.N; run++ {
		f := newFixture(b)
		t0, c0 := time.Now(), cpuTime()
		importBenchFiles(b, f, companies, contacts)
		walls, cpus = append(walls, time.Since(t0)), append(cpus, cpuTime()-c0)
	}
	b.ReportMetric(median(walls).Seconds(), "import_s")
	b.ReportMetric(median(cpus).Seconds(), "import_cpu_s")
}

func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkRecordsImport is `make bench-records`: 10,000 companies then 50,000 contacts
// (linked to them) imported from French Excel files through the real import path, against
// the sqlite3 tool's .import of the same files into plain tables in the same run; then the
// first page of a 100,000-record list sorted by a custom date field and the search p95.
func BenchmarkRecordsImport(b *testing.B) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		b.Skip("the sqlite3 tool is missing: scripts/deps.sh bench installs it")
	}
	dir := b.TempDir()
	companies, contacts := writeBenchFiles(b, dir, 10_000, 50_000)
	var imports, floors []time.Duration
	var rss float64
	for run := 0; run < b.N; run++ {
		f := newFixture(b)
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak RSS (Linux)
		t0 := time.Now()
		importBenchFiles(b, f, companies, contacts)
		imports = append(imports, time.Since(t0))
		rss = max(rss, peakRSSMB())
		db := filepath.Join(dir, fmt.Sprintf("floor%d.db", run))
		t0 = time.Now()
		out, err := exec.Command("sqlite3", db, ".mode csv", ".separator ;", ".import "+companies+" societes", ".import "+contacts+" contacts").CombinedOutput()
		if err != nil {
			b.Fatalf("sqlite3: %v %s", err, out)
		}
		floors = append(floors, time.Since(t0))
	}
	// The list and the search over 100,000 records.
	f := newFixture(b)
	fillInvoices(b, f, benchRecords)
	list, p95 := measureList(b, f)
	sec := func(d time.Duration) float64 { return d.Seconds() }
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	imp, floor := median(imports), median(floors)
	fmt.Printf("records: import_s=%.2f sqlite_import_s=%.2f ratio=%.2f list_ms=%.1f search_p95_ms=%.1f rss_mb=%.0f\n",
		sec(imp), sec(floor), sec(imp)/sec(floor), ms(list), ms(p95), rss)
}
