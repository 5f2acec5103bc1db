package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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

// where renders f as a WHERE clause on responses r (empty when f filters
// nothing) and its arguments.
func (f ResponseFilter) where() (string, []any) {
	where, args := f.keyWhere("r.")
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
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

// keyWhere lists f's conditions on the columns responses and the count
// table share (unit, instrument, day), named with prefix, and their
// arguments numbered from $1.
func (f ResponseFilter) keyWhere(prefix string) ([]string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.UnitID != 0 {
		where = append(where, prefix+"org_unit_id = "+arg(f.UnitID))
	}
	if f.InstrumentID != 0 {
		where = append(where, prefix+"instrument_id = "+arg(f.InstrumentID))
	}
	if !f.From.IsZero() {
		where = append(where, prefix+"day >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, prefix+"day <= "+arg(f.To))
	}
	return where, args
}

// CountResponses counts the responses matching f. When f filters by unit,
// instrument, days and flagged or not only, the count table answers (every
// response adds exactly one to its first question's twelve counts), which
// keeps the responses browser's pager fast over millions of responses;
// other filters count the responses themselves.
func (db *DB) CountResponses(ctx context.Context, f ResponseFilter) (int, error) {
	if f.Source == "" && (f.Flag == "" || f.Flag == "any" || f.Flag == "none") {
		where, args := f.keyWhere("")
		sums, err := db.sumCounts(ctx, where, args, countSlots)
		if err != nil {
			return 0, err
		}
		n := int64(0)
		for _, c := range sums {
			for i, v := range c[:countSlots] {
				flagged := i >= countSlots/2
				if f.Flag == "" || (f.Flag == "any") == flagged {
					n += v
				}
			}
		}
		return int(n), nil
	}
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
	Hour        int       // in Vietnam time
	Submitted   time.Time // the hour it was submitted (UTC; EachResponse only)
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
// a single raw response. questions are the instrument's question codes in
// form order, the order of the counts.
func (db *DB) ResponseCounts(ctx context.Context, instrumentID int64, from, to parindex.Date, includeFlagged bool, questions []string) (map[int64]*UnitCounts, error) {
	where, args := ResponseFilter{InstrumentID: instrumentID, From: from, To: to}.keyWhere("")
	sums, err := db.sumCounts(ctx, where, args, countSlots*len(questions))
	if err != nil {
		return nil, err
	}
	out := map[int64]*UnitCounts{}
	for unit, c := range sums {
		if len(c) != countSlots*len(questions) {
			return nil, fmt.Errorf("store: unit %d has %d counts for %d questions", unit, len(c), len(questions))
		}
		u := &UnitCounts{UnitID: unit, Questions: make(map[string][6]int64, len(questions))}
		var clean, flagged int64
		for i, code := range questions {
			var q [6]int64
			for v := 0; v < 6; v++ {
				n, f := c[i*countSlots+v], c[i*countSlots+6+v]
				q[v] = n
				clean += n
				flagged += f
				if includeFlagged {
					q[v] += f
				}
			}
			u.Questions[code] = q
		}
		if includeFlagged {
			clean += flagged
		}
		if len(questions) > 0 {
			u.Respondents = int(clean) / len(questions)
			u.Flagged = int(flagged) / len(questions)
		}
		out[unit] = u
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

// EachResponseAnswers calls each with the answers (valid only during the
// call), comment and flagged state of every response matching f, in id
// order (Limit and Offset are ignored). It holds no row after its call:
// a unit's year of answers goes straight into the caller's packed matrix,
// without a string and a struct per response.
func (db *DB) EachResponseAnswers(ctx context.Context, f ResponseFilter, each func(answers []byte, comment string, flagged bool) error) error {
	where, args := f.where()
	rows, err := db.db.QueryContext(ctx, `SELECT r.answers, r.comment, r.flags <> '' FROM responses r`+where+` ORDER BY r.id`, args...)
	if err != nil {
		return fmt.Errorf("store: unable to read answers: %w", err)
	}
	defer rows.Close()
	var answers, comment sql.RawBytes
	var flagged bool
	for rows.Next() {
		if err := rows.Scan(&answers, &comment, &flagged); err != nil {
			return fmt.Errorf("store: unable to read answers: %w", err)
		}
		c := ""
		if len(comment) > 0 {
			c = string(comment)
		}
		if err := each(answers, c, flagged); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read answers: %w", err)
	}
	return nil
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
