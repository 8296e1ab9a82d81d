package store

import (
	"context"
	"path/filepath"
	"testing"
)

// Areas number their migrations apart (0011 records, 0020 users, 0030 deliverability…), so a
// database may lack one numbered below its highest applied (a branch merged later): it is
// applied at the next start, and nothing already applied runs twice.
func TestAMigrationNumberedBelowTheHighestAppliedIsStillApplied(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "mailroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first := []migration{
		{version: 1000, name: "1000_a.sql", sql: `CREATE TABLE t_a (x)`},
		{version: 1030, name: "1030_c.sql", sql: `CREATE TABLE t_c (x)`},
	}
	if err := db.apply(ctx, append(loadOrFail(t), first...)); err != nil {
		t.Fatal(err)
	}
	later := append(loadOrFail(t), first[0], migration{version: 1020, name: "1020_b.sql", sql: `CREATE TABLE t_b (x)`}, first[1])
	if err := db.apply(ctx, later); err != nil {
		t.Fatalf("a migration numbered below the highest applied: %v (run twice, or refused)", err)
	}
	var n int
	if err := db.R.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN ('t_a', 't_b', 't_c')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("tables after both runs: %d, %v; want t_a, t_b and t_c", n, err)
	}
	if err := db.apply(ctx, later[:len(later)-1]); err == nil || !ErrNewerSchema.Is(err) {
		t.Fatalf("a database with a version this Mailroom does not know: %v; want %s", err, ErrNewerSchema.Name)
	}
}

func loadOrFail(t *testing.T) []migration {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
