package store

import (
	"context"
	"fmt"
)

// EachResponse calls fn with every response matching f (Limit and Offset
// are ignored), oldest first, one row at a time: the raw export of a
// million responses never holds them all. The rows are read inside one
// query; fn must not use the database. An error from fn stops the scan and
// is returned as is.
func (db *DB) EachResponse(ctx context.Context, f ResponseFilter, fn func(ResponseRow) error) error {
	where, args := f.where()
	// SQLite's driver turns DATE and TIMESTAMP columns into time.Time by
	// trying its layouts one after another, a tenth of the CPU of a
	// million-row export; as text (an expression has no declared type)
	// they are read at fixed positions (Date.Scan, timeValue.Scan).
	day, hour := "r.day", "r.submitted_hour"
	if db.dialect == SQLite {
		day, hour = "CAST(r.day AS TEXT)", "CAST(r.submitted_hour AS TEXT)"
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT r.id, o.code, o.name, i.code, `+day+`, `+hour+`, r.answers, r.profile, r.comment, r.fill_seconds, r.flags, r.source
		FROM responses r JOIN org_units o ON o.id = r.org_unit_id JOIN instruments i ON i.id = r.instrument_id`+where+`
		ORDER BY r.day, r.id`, args...)
	if err != nil {
		return fmt.Errorf("store: unable to export responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ResponseRow
		var hour timeValue
		if err := rows.Scan(&r.ID, &r.UnitCode, &r.UnitName, &r.Instrument, &r.Day, &hour, &r.Answers, &r.Profile, &r.Comment, &r.FillSeconds, &r.Flags, &r.Source); err != nil {
			return fmt.Errorf("store: unable to read a response: %w", err)
		}
		r.Hour = (hour.t.UTC().Hour() + 7) % 24
		r.Submitted = hour.t.UTC()
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to export responses: %w", err)
	}
	return nil
}
