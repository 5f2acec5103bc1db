package store

import (
	"context"
	"fmt"
	"strings"

	"parindex"
)

// ResponseFilter selects responses; zero fields do not filter.
type ResponseFilter struct {
	UnitID       int64
	InstrumentID int64
	From, To     parindex.Date // inclusive days
	Flag         string        // a flag name, "any" (flagged) or "none" (clean)
	Source       string
	Limit        int
	Offset       int
}

func (f ResponseFilter) where() (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.UnitID != 0 {
		where = append(where, "r.org_unit_id = "+arg(f.UnitID))
	}
	if f.InstrumentID != 0 {
		where = append(where, "r.instrument_id = "+arg(f.InstrumentID))
	}
	if !f.From.IsZero() {
		where = append(where, "r.day >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "r.day <= "+arg(f.To))
	}
	switch f.Flag {
	case "":
	case "any":
		where = append(where, "r.flags <> ''")
	case "none":
		where = append(where, "r.flags = ''")
	default:
		// flags is a comma list: match the whole name.
		where = append(where, "(',' || r.flags || ',') LIKE "+arg("%,"+f.Flag+",%"))
	}
	if f.Source != "" {
		where = append(where, "r.source = "+arg(f.Source))
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// CountResponses counts the responses matching f.
func (db *DB) CountResponses(ctx context.Context, f ResponseFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM responses r`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count responses: %w", err)
	}
	return n, nil
}

// ResponseRow is a response as the responses browser shows it: nothing
// that could identify anyone (no hashes).
type ResponseRow struct {
	ID          int64
	UnitCode    string
	UnitName    string
	Instrument  string
	Day         parindex.Date
	Hour        int // in Vietnam time
	Answers     string
	Profile     string
	Comment     string
	FillSeconds int
	Flags       string
	Source      string
}

// FindResponses returns responses newest first.
func (db *DB) FindResponses(ctx context.Context, f ResponseFilter) ([]ResponseRow, error) {
	where, args := f.where()
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	args = append(args, limit, f.Offset)
	rows, err := db.db.QueryContext(ctx, `
		SELECT r.id, o.code, o.name, i.code, r.day, r.submitted_hour, r.answers, r.profile, r.comment, r.fill_seconds, r.flags, r.source
		FROM responses r JOIN org_units o ON o.id = r.org_unit_id JOIN instruments i ON i.id = r.instrument_id`+where+
		fmt.Sprintf(` ORDER BY r.day DESC, r.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find responses: %w", err)
	}
	defer rows.Close()
	var out []ResponseRow
	for rows.Next() {
		var r ResponseRow
		var hour timeValue
		if err := rows.Scan(&r.ID, &r.UnitCode, &r.UnitName, &r.Instrument, &r.Day, &hour, &r.Answers, &r.Profile, &r.Comment, &r.FillSeconds, &r.Flags, &r.Source); err != nil {
			return nil, fmt.Errorf("store: unable to read a response: %w", err)
		}
		r.Hour = (hour.t.UTC().Hour() + 7) % 24
		out = append(out, r)
	}
	return out, rows.Err()
}

// UnitCounts are one unit's answer counts over a period: per question code,
// not applicable then levels 1..5.
type UnitCounts struct {
	UnitID      int64
	Questions   map[string][6]int64
	Respondents int // responses counted (flagged included only when asked)
	Flagged     int // flagged responses, whether counted or not
}

// ResponseCounts sums the count table per unit for an instrument and a
// period (inclusive days; zero dates leave that end open), without reading
// a single raw response. questions is the instrument's question count, used
// to turn answer totals into respondents.
func (db *DB) ResponseCounts(ctx context.Context, instrumentID int64, from, to parindex.Date, includeFlagged bool, questions int) (map[int64]*UnitCounts, error) {
	where := []string{"instrument_id = $1"}
	args := []any{instrumentID}
	if !from.IsZero() {
		args = append(args, from)
		where = append(where, fmt.Sprintf("day >= $%d", len(args)))
	}
	if !to.IsZero() {
		args = append(args, to)
		where = append(where, fmt.Sprintf("day <= $%d", len(args)))
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT org_unit_id, question_code, SUM(na), SUM(n1), SUM(n2), SUM(n3), SUM(n4), SUM(n5),
		       SUM(flagged_na), SUM(flagged_n1), SUM(flagged_n2), SUM(flagged_n3), SUM(flagged_n4), SUM(flagged_n5)
		FROM response_counts WHERE `+strings.Join(where, " AND ")+`
		GROUP BY org_unit_id, question_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]*UnitCounts{}
	answers := map[int64][2]int64{} // unit → answers counted, answers flagged
	for rows.Next() {
		var unit int64
		var code string
		var c [12]int64
		if err := rows.Scan(&unit, &code, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &c[10], &c[11]); err != nil {
			return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
		}
		u, ok := out[unit]
		if !ok {
			u = &UnitCounts{UnitID: unit, Questions: map[string][6]int64{}}
			out[unit] = u
		}
		var q [6]int64
		var clean, flagged int64
		for i := 0; i < 6; i++ {
			q[i] = c[i]
			clean += c[i]
			flagged += c[6+i]
			if includeFlagged {
				q[i] += c[6+i]
			}
		}
		u.Questions[code] = q
		a := answers[unit]
		a[0] += clean
		if includeFlagged {
			a[0] += flagged
		}
		a[1] += flagged
		answers[unit] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
	}
	if questions > 0 {
		for unit, a := range answers {
			out[unit].Respondents = int(a[0]) / questions
			out[unit].Flagged = int(a[1]) / questions
		}
	}
	return out, nil
}

// AnswerRow is one response's answers and comment, for respondent-level
// statistics.
type AnswerRow struct {
	Answers string
	Comment string
	Flagged bool
}

// ResponseAnswers returns the answers of the responses matching f (Limit
// and Offset are ignored: all of them).
func (db *DB) ResponseAnswers(ctx context.Context, f ResponseFilter) ([]AnswerRow, error) {
	where, args := f.where()
	rows, err := db.db.QueryContext(ctx, `SELECT r.answers, r.comment, r.flags <> '' FROM responses r`+where+` ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read answers: %w", err)
	}
	defer rows.Close()
	var out []AnswerRow
	for rows.Next() {
		var a AnswerRow
		if err := rows.Scan(&a.Answers, &a.Comment, &a.Flagged); err != nil {
			return nil, fmt.Errorf("store: unable to read answers: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
