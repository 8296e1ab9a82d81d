package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// Before 0013 a record's text that looked like a number was stored as one; after it, such
// texts read back as text, numbers and choices stay numbers, and new values keep the type
// they are written with.
func TestMigration0013KeepsRecordValuesAsWritten(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mailroom.db")
	old, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms {
		if m.version >= 13 {
			break
		}
		mustExec(m.sql)
		mustExec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	mustExec(`INSERT INTO record_fields(id, type_id, key, label, kind, position, created_at) VALUES (100, 2, 'siren', 'SIREN', 'text', 9, 0),
		(101, 2, 'effectif', 'Effectif', 'number', 10, 0)`)
	mustExec(`INSERT INTO records(id, type_id, title, created_at, updated_at) VALUES (1, 2, 'Boulangerie', 0, 0)`)
	// As 0011 stored them: the phone's and the SIREN's digits became integers.
	mustExec(`INSERT INTO record_values(record_id, field_id, seq, value, sort) VALUES
		(1, (SELECT id FROM record_fields WHERE type_id = 2 AND key = 'phone'), 0, '0143260000', '0143260000'),
		(1, 100, 0, '552100554', '552100554'), (1, 101, 0, 12.0, 12.0)`)
	var kind string
	if err := old.QueryRow(`SELECT typeof(value) FROM record_values WHERE field_id = 100`).Scan(&kind); err != nil || kind != "integer" {
		t.Fatalf("before 0013 the SIREN is stored as %q (%v)", kind, err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.R.Query(`SELECT field_id, typeof(value), value, typeof(sort) FROM record_values ORDER BY field_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64][3]string{}
	for rows.Next() {
		var fid int64
		var r [3]string
		if err := rows.Scan(&fid, &r[0], &r[1], &r[2]); err != nil {
			t.Fatal(err)
		}
		got[fid] = r
	}
	rows.Close()
	if got[100] != [3]string{"text", "552100554", "text"} || got[101][0] != "real" && got[101][0] != "integer" {
		t.Fatalf("after 0013: %v", got)
	}
	for _, r := range got {
		if r[1] == "143260000" && r[0] != "text" {
			t.Fatalf("the phone: %v", r)
		}
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO record_values(record_id, field_id, seq, value, sort) VALUES (1, 100, 1, '0612345678', '0612345678')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var v, typ string
	if err := db.R.QueryRow(`SELECT value, typeof(value) FROM record_values WHERE field_id = 100 AND seq = 1`).Scan(&v, &typ); err != nil ||
		v != "0612345678" || typ != "text" {
		t.Fatalf("a new value: %q %q %v", v, typ, err)
	}
	var hash string
	if err := db.R.QueryRow(`SELECT v FROM records_fts_config WHERE k = 'hashsize'`).Scan(&hash); err != nil || hash != "16777216" {
		t.Fatalf("the search index's hash size: %q %v", hash, err)
	}
}
