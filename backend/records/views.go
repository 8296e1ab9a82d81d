package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"mailroom/backend/store"
)

// ViewSpec is what a saved view keeps of a list.
type ViewSpec struct {
	Columns []string `json:"columns"`
	Sort    Sort     `json:"sort"`
	Filters []Filter `json:"filters"`
	Search  string   `json:"search"`
}

// View is a list a user saved under a name, for one type.
type View struct {
	ID        int64
	UserID    int64
	TypeID    int64
	Name      string
	Spec      ViewSpec
	UpdatedAt time.Time
}

// Views lists a user's saved views of a type, by name.
func (r *Records) Views(ctx context.Context, userID, typeID int64) ([]View, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT id, user_id, type_id, name, spec, updated_at FROM record_views
		WHERE user_id = ? AND type_id = ? ORDER BY name COLLATE NOCASE, id`, userID, typeID)
	if err != nil {
		return nil, fmt.Errorf("records: views: %w", err)
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		var v View
		var spec string
		var at int64
		if err := rows.Scan(&v.ID, &v.UserID, &v.TypeID, &v.Name, &spec, &at); err != nil {
			return nil, fmt.Errorf("records: views: %w", err)
		}
		if err := json.Unmarshal([]byte(spec), &v.Spec); err != nil {
			return nil, fmt.Errorf("records: view %d: %w", v.ID, err)
		}
		v.UpdatedAt = time.UnixMilli(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// SaveView creates (ID 0) or replaces one of the user's views; its filters and sort are
// checked against the type first.
func (r *Records) SaveView(ctx context.Context, userID int64, v View) (View, error) {
	name, err := checkName(v.Name, ErrViewNameMissing, "name")
	if err != nil {
		return View{}, err
	}
	s, err := r.Schema(ctx)
	if err != nil {
		return View{}, err
	}
	t := s.Type(v.TypeID)
	if t == nil {
		return View{}, ErrTypeNotFound.New(nil)
	}
	if _, _, err := filterSQL(t, v.Spec.Filters); err != nil {
		return View{}, err
	}
	if k := v.Spec.Sort.Field; k != "" && k != SortTitle && k != SortCreated && k != SortUpdated {
		if f := t.FieldByKey(k); f == nil || f.Kind == Link {
			return View{}, ErrSortInvalid.Field("sort", map[string]any{"field": k})
		}
	}
	spec, err := json.Marshal(v.Spec)
	if err != nil {
		return View{}, fmt.Errorf("records: view: %w", err)
	}
	now := r.now().UnixMilli()
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if v.ID == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO record_views(user_id, type_id, name, spec, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, userID, v.TypeID, name, string(spec), now, now)
			if err != nil {
				return err
			}
			v.ID, _ = res.LastInsertId()
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE record_views SET name = ?, spec = ?, updated_at = ? WHERE id = ? AND user_id = ? AND type_id = ?`,
			name, string(spec), now, v.ID, userID, v.TypeID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrViewNotFound.New(nil)
		}
		return nil
	})
	if store.IsUnique(err) {
		return View{}, ErrViewNameTaken.Field("name", map[string]any{"name": name})
	}
	if err != nil {
		return View{}, err
	}
	v.UserID, v.Name, v.UpdatedAt = userID, name, time.UnixMilli(now)
	return v, nil
}

// DeleteView deletes one of the user's views.
func (r *Records) DeleteView(ctx context.Context, userID, id int64) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM record_views WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("records: delete view: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrViewNotFound.New(nil)
		}
		return nil
	})
}
