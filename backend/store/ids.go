package store

import "database/sql"

// Int64s reads the rows of a query of one integer column (ids, most often) and closes
// them; it takes the query's results as they are returned:
//
//	ids, err := store.Int64s(db.R.QueryContext(ctx, `SELECT id FROM …`, args...))
func Int64s(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
