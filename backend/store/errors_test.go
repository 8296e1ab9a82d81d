package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"mailroom/backend/store"
)

func TestConstraintViolationsAreToldApartByCode(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, `INSERT INTO users(name, email, role, language, created_at) VALUES ('Ana', 'ana@shop.test', 'admin', 'fr', 0)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name               string
		query              string
		unique, foreignKey bool
	}{
		{"an address already taken is a unique violation",
			`INSERT INTO users(name, email, role, language, created_at) VALUES ('Ana B', 'ANA@shop.test', 'admin', 'fr', 0)`, true, false},
		{"access to an account that does not exist is a foreign key violation",
			`INSERT INTO account_access(account_id, user_id, granted_at) VALUES (999, 1, 0)`, false, true},
		{"a value outside a CHECK is neither",
			`INSERT INTO users(name, email, role, language, created_at) VALUES ('Bea', 'bea@shop.test', 'admin', 'de', 0)`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, tc.query)
				return err
			})
			if err == nil {
				t.Fatal("the insert was accepted")
			}
			wrapped := fmt.Errorf("caller: %w", err)
			if got := store.IsUnique(wrapped); got != tc.unique {
				t.Errorf("IsUnique(%v) = %v, want %v", err, got, tc.unique)
			}
			if got := store.IsForeignKey(wrapped); got != tc.foreignKey {
				t.Errorf("IsForeignKey(%v) = %v, want %v", err, got, tc.foreignKey)
			}
		})
	}
}
