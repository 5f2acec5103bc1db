package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"parindex"

	"github.com/jmoiron/sqlx"
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
		sums, err := db.sumCounts(ctx, db.db, where, args, countSlots)
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
	return listAll(ctx, db.db, "find responses", "read a response", func(row interface{ Scan(...any) error }) (r ResponseRow, err error) {
		var hour timeValue
		err = row.Scan(&r.ID, &r.UnitCode, &r.UnitName, &r.Instrument, &r.Day, &hour, &r.Answers, &r.Profile, &r.Comment, &r.FillSeconds, &r.Flags, &r.Source)
		r.Hour = (hour.t.UTC().Hour() + 7) % 24
		return r, err
	}, `
		SELECT r.id, o.code, o.name, i.code, r.day, r.submitted_hour, r.answers, r.profile, r.comment, r.fill_seconds, r.flags, r.source
		FROM responses r JOIN org_units o ON o.id = r.org_unit_id JOIN instruments i ON i.id = r.instrument_id`+where+
		fmt.Sprintf(` ORDER BY r.day DESC, r.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
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
//
// The sums are cached while no response is stored and no count changed
// otherwise (countsFingerprint): an assessment's sheet, its leaves and the
// progress page score the framework with the year's figures at every view,
// and summing the year took most of their time (0.2-0.4 s on the demo,
// SQLite). The maps returned are shared and must not be changed.
func (db *DB) ResponseCounts(ctx context.Context, instrumentID int64, from, to parindex.Date, includeFlagged bool, questions []string) (map[int64]*UnitCounts, error) {
	version, err := db.countsFingerprint(ctx)
	if err != nil {
		return nil, err
	}
	key := countsKey{instrumentID, from, to, includeFlagged, strings.Join(questions, "\x00")}
	if c, ok := db.responseCountCache.get(version, key); ok {
		return c, nil
	}
	c, err := db.responseCounts(ctx, db.db, instrumentID, from, to, includeFlagged, questions)
	if err != nil {
		return nil, err
	}
	db.responseCountCache.put(version, key, c)
	return c, nil
}

// countsKey is what ResponseCounts was asked for.
type countsKey struct {
	instrumentID   int64
	from, to       parindex.Date
	includeFlagged bool
	questions      string
}

// countsFingerprint tells whether the count table may have changed: the
// latest response id (responses are added, never changed but for their
// flags) and the counter of other changes. Read before the counts, it may
// make cached counts look older than they are, never newer. On PostgreSQL
// a response whose transaction took its id before another's but commits
// after it shows only with the next response, as in the dashboards' cache.
func (db *DB) countsFingerprint(ctx context.Context) (countsVersionPair, error) {
	latest, err := db.LatestResponseID(ctx)
	if err != nil {
		return countsVersionPair{}, err
	}
	other, err := db.dataVersion(ctx, countsVersion)
	return countsVersionPair{latest, other}, err
}

type countsVersionPair struct{ latestResponse, other int64 }

func (db *DB) responseCounts(ctx context.Context, q queryer, instrumentID int64, from, to parindex.Date, includeFlagged bool, questions []string) (map[int64]*UnitCounts, error) {
	where, args := ResponseFilter{InstrumentID: instrumentID, From: from, To: to}.keyWhere("")
	sums, err := db.sumCounts(ctx, q, where, args, countSlots*len(questions))
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

// LinkCounts are one QR link's answer counts over a period, of its clean
// responses only: per question code, not applicable then levels 1..5.
type LinkCounts struct {
	LinkID    int64
	UnitID    int64
	Questions map[string][6]int64
	Responses int
}

// CleanCountsWithout is ResponseCounts of the clean responses less those
// that came through the links given (a framework's survey_responses:
// not_doubtful leaves out the links labelled doubtful): each unit's counts
// lose the answers of its links' clean responses in the period. It returns
// too the counts each link lost (links without a clean response in the
// period are absent). The count table keeps no link, so the links' answers
// are counted from the responses themselves, one row per link, question
// and level; both reads share one transaction, so that a response stored
// meanwhile is in both or in neither.
func (db *DB) CleanCountsWithout(ctx context.Context, instrumentID int64, from, to parindex.Date, questions []string, linkIDs []int64) (map[int64]*UnitCounts, map[int64]*LinkCounts, error) {
	var units map[int64]*UnitCounts
	var links map[int64]*LinkCounts
	err := db.inReadTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if units, err = db.responseCounts(ctx, tx, instrumentID, from, to, false, questions); err != nil {
			return err
		}
		links, err = cleanLinkCounts(ctx, tx, instrumentID, from, to, questions, linkIDs)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for id, l := range links {
		u := units[l.UnitID]
		if u == nil {
			return nil, nil, fmt.Errorf("store: link %d has %d clean responses its unit's counts do not hold", id, l.Responses)
		}
		for code, lost := range l.Questions {
			have := u.Questions[code]
			for v := range have {
				have[v] -= lost[v]
			}
			u.Questions[code] = have
		}
		u.Respondents -= l.Responses
	}
	return units, links, nil
}

// cleanLinkCounts counts the answers of the links' clean responses to an
// instrument in a period, per question and level.
func cleanLinkCounts(ctx context.Context, q queryer, instrumentID int64, from, to parindex.Date, questions []string, linkIDs []int64) (map[int64]*LinkCounts, error) {
	out := map[int64]*LinkCounts{}
	if len(linkIDs) == 0 || len(questions) == 0 {
		return out, nil
	}
	where, args := ResponseFilter{InstrumentID: instrumentID, From: from, To: to}.keyWhere("r.")
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	marks := make([]string, len(linkIDs))
	for i, id := range linkIDs {
		marks[i] = arg(id)
	}
	where = append(where, "r.flags = ''", "r.link_id IN ("+strings.Join(marks, ", ")+")")
	// q numbers the questions 1..n, so that one pass groups every digit
	// of every answer string by link, question and level.
	rows, err := q.QueryContext(ctx, `WITH RECURSIVE q (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM q WHERE i < `+arg(len(questions))+`)
		SELECT r.link_id, r.org_unit_id, q.i, substr(r.answers, q.i, 1), COUNT(*)
		FROM responses r CROSS JOIN q
		WHERE `+strings.Join(where, " AND ")+`
		GROUP BY r.link_id, r.org_unit_id, q.i, substr(r.answers, q.i, 1)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count the answers of links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var link, unit, n int64
		var question int
		var level string
		if err := rows.Scan(&link, &unit, &question, &level, &n); err != nil {
			return nil, fmt.Errorf("store: unable to count the answers of links: %w", err)
		}
		if question < 1 || question > len(questions) || len(level) != 1 || level[0] < '0' || level[0] > '5' {
			return nil, fmt.Errorf("store: link %d has answer %q to question %d of %d", link, level, question, len(questions))
		}
		c := out[link]
		if c == nil {
			c = &LinkCounts{LinkID: link, UnitID: unit, Questions: make(map[string][6]int64, len(questions))}
			out[link] = c
		}
		code := questions[question-1]
		counts := c.Questions[code]
		counts[level[0]-'0'] += n
		c.Questions[code] = counts
		if question == 1 {
			c.Responses += int(n) // every response has one digit per question
		}
	}
	return out, rows.Err()
}

// PackedAnswers are the answers of a set of responses, for
// respondent-level statistics.
type PackedAnswers struct {
	// Answers holds the answers of the responses counted, one digit per
	// question, response after response in id order (the order of a file's
	// forms imported: the bootstrap resamples rows by their place).
	Answers   []byte
	Responses int // counted
	Flagged   int // flagged responses matching, counted or not
	// Comments are the counted responses' comments that are not blank, in
	// id order.
	Comments []string
}

// ResponseAnswers returns the answers of the responses matching f (Flag,
// Source, Limit and Offset are ignored), leaving the flagged ones out
// unless includeFlagged; in id order when inOrder, else in any order (the
// comments always in id order). Only the bootstrap needs the order: on
// PostgreSQL sorting a unit's 100,000 answers doubled the query's time. The database joins the answers, and the comments
// as a JSON array, in one pass: handing 100,000 rows over one by one cost
// SQLite about 3 µs a row, more than all the statistics.
//
// The index responses_unit_answers_idx holds every column read here, in id
// order. SQLite is told to walk it (left to itself, its planner walked the
// unit-and-day index, fetched every row from the table and sorted them: a
// second for a unit's year), and its aggregates then meet the rows in the
// index's order; asking them for that order made SQLite sort again, so
// they are asked only without a unit, and PostgreSQL always
// (TestResponseAnswersInIDOrder checks the order on both).
func (db *DB) ResponseAnswers(ctx context.Context, f ResponseFilter, includeFlagged, inOrder bool) (PackedAnswers, error) {
	conditions, args := ResponseFilter{UnitID: f.UnitID, InstrumentID: f.InstrumentID, From: f.From, To: f.To}.keyWhere("r.")
	counted := "r.flags = ''"
	if includeFlagged {
		counted = "TRUE"
	}
	from, order := " FROM responses r", " ORDER BY r.id"
	if db.dialect != Postgres && f.UnitID != 0 {
		from, order = from+" INDEXED BY responses_unit_answers_idx", ""
		// That index's key holds no day, so the days are compared row by
		// row. The column is declared DATE (NUMERIC affinity), and SQLite
		// would first try every row's day and the bound day as numbers;
		// both are text, so the unary plus, which drops the affinity,
		// leaves the comparison as it was and saves a fifth of the
		// query's time at 100,000 responses.
		for i, c := range conditions {
			if strings.HasPrefix(c, "r.day ") {
				conditions[i] = "+" + c
			}
		}
	}
	where := ""
	if len(conditions) > 0 {
		where = " WHERE " + strings.Join(conditions, " AND ")
	}
	answerOrder := order
	if !inOrder {
		answerOrder = ""
	}
	query := `SELECT group_concat(r.answers, ''` + answerOrder + `) FILTER (WHERE ` + counted + `),
			json_group_array(r.comment` + order + `) FILTER (WHERE ` + counted + ` AND r.comment <> ''),`
	if db.dialect == Postgres {
		query = `SELECT string_agg(r.answers, ''` + answerOrder + `) FILTER (WHERE ` + counted + `),
			COALESCE(json_agg(r.comment` + order + `) FILTER (WHERE ` + counted + ` AND r.comment <> ''), '[]'),`
	}
	query += `
			COUNT(*) FILTER (WHERE ` + counted + `),
			COUNT(*) FILTER (WHERE r.flags <> '')` + from + where
	var out PackedAnswers
	var answers sql.NullString
	var comments []byte
	if err := db.db.QueryRowContext(ctx, query, args...).Scan(&answers, &comments, &out.Responses, &out.Flagged); err != nil {
		return PackedAnswers{}, fmt.Errorf("store: unable to read answers: %w", err)
	}
	out.Answers = []byte(answers.String)
	if err := json.Unmarshal(comments, &out.Comments); err != nil {
		return PackedAnswers{}, fmt.Errorf("store: unable to read comments: %w", err)
	}
	return out, nil
}
