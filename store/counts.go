package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"

	"parindex"
)

// The count table, response_counts, keeps one row per instrument, unit and
// day. Its counts column holds, for each question of the instrument in form
// order (the order of the digits in responses.answers), twelve numbers: not
// applicable, then levels 1 to 5, then the same six for flagged responses.
// Question i's count of level v of clean responses is element 12*i + v; of
// flagged ones, 12*i + 6 + v (0-based).
//
// One row per unit and day, not per question: a response then changes one
// row where it used to change one per question (22 for the reference
// instrument). Under a steady stream of citizens the batches are small and
// spread over many units, so that was what PostgreSQL spent most of its
// time on.
//
// PostgreSQL stores an integer[] and adds in the upsert itself, element by
// element; SQLite stores the same array's text ("{0,3,1,…}") and adds with
// parindex_add_counts, a Go function registered with the driver. Both add
// inside the statement, so concurrent writers cannot lose each other's
// counts.

// countSlots is the number of counts per question.
const countSlots = 12

// CountRow is one row of the count table: one unit's answers on one day,
// countSlots numbers per question in form order.
type CountRow struct {
	InstrumentID, UnitID int64
	Day                  parindex.Date
	Counts               []int64
}

// Question returns question i's counts: not applicable and levels 1..5 of
// clean responses, then the same of flagged ones.
func (r CountRow) Question(i int) (c [countSlots]int64) {
	copy(c[:], r.Counts[i*countSlots:])
	return c
}

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("parindex_add_counts", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		var counts [2][]int64
		for i := range counts {
			text, err := countsArg(args[i])
			if err != nil {
				return nil, err
			}
			if counts[i], err = parseCounts(text, nil, 0); err != nil {
				return nil, err
			}
		}
		a, b := counts[0], counts[1]
		if len(a) != len(b) {
			return nil, fmt.Errorf("parindex_add_counts: %d counts and %d counts", len(a), len(b))
		}
		for i := range a {
			a[i] += b[i]
		}
		return formatCounts(a), nil
	})
}

// formatCounts writes counts as the text of a PostgreSQL array.
func formatCounts(c []int64) string {
	b := make([]byte, 0, 2+3*len(c))
	b = append(b, '{')
	for i, n := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, '}'))
}

// parseCounts reads an array's text and adds it to sum, which it grows to
// the array's length; it returns sum. With limit > 0 it reads only the
// first limit counts.
func parseCounts(b []byte, sum []int64, limit int) ([]int64, error) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("store: counts %.40q are not an array", b)
	}
	body := b[1 : len(b)-1]
	if len(body) == 0 {
		return sum, nil
	}
	// A count is never negative, but a change of counts is: a response
	// flagged after it was stored moves from the clean counts to the
	// flagged ones (AddResponseFlags).
	i, n, digits, sign := 0, int64(0), 0, int64(1)
	for k := 0; k <= len(body); k++ {
		if k < len(body) && body[k] == '-' && digits == 0 && sign == 1 {
			sign = -1
			continue
		}
		if k < len(body) && body[k] >= '0' && body[k] <= '9' && digits < 18 {
			n = n*10 + int64(body[k]-'0')
			digits++
			continue
		}
		if digits == 0 || (k < len(body) && body[k] != ',') {
			return nil, fmt.Errorf("store: counts %.40q are not an array of counts", b)
		}
		if i == len(sum) {
			sum = append(sum, 0)
		}
		sum[i] += sign * n
		i, n, digits, sign = i+1, 0, 0, 1
		if i == limit {
			break
		}
	}
	return sum, nil
}

// countsArg is an argument of parindex_add_counts as bytes.
func countsArg(v driver.Value) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return []byte(x), nil
	case []byte:
		return x, nil
	}
	return nil, fmt.Errorf("parindex_add_counts: an argument of type %T", v)
}

// CountRows returns the whole count table, for checks that compare it with
// the stored responses.
func (db *DB) CountRows(ctx context.Context) ([]CountRow, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT instrument_id, org_unit_id, day, counts FROM response_counts
		ORDER BY instrument_id, org_unit_id, day`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
	}
	defer rows.Close()
	var out []CountRow
	for rows.Next() {
		var r CountRow
		var counts sql.RawBytes
		if err := rows.Scan(&r.InstrumentID, &r.UnitID, &r.Day, &counts); err != nil {
			return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
		}
		if r.Counts, err = parseCounts(counts, nil, 0); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddCountRows adds rows to the count table in one transaction, as storing
// their responses would have; no two rows may share an instrument, unit and
// day. Benchmarks fill the table with it without storing millions of
// responses.
func (db *DB) AddCountRows(ctx context.Context, rows []CountRow) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := bumpDataVersion(ctx, tx, countsVersion); err != nil {
			return err
		}
		return db.addCountRows(ctx, tx, rows)
	})
}

// addCountRows adds rows to response_counts, which it sorts. One order for
// every transaction: concurrent writers then take row locks in the same
// order and cannot deadlock. Rows of one length (one instrument's) share a
// statement.
func (db *DB) addCountRows(ctx context.Context, tx *sqlx.Tx, rows []CountRow) error {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.InstrumentID != b.InstrumentID {
			return a.InstrumentID < b.InstrumentID
		}
		if a.UnitID != b.UnitID {
			return a.UnitID < b.UnitID
		}
		return a.Day.Before(b.Day)
	})
	for start := 0; start < len(rows); {
		length := len(rows[start].Counts)
		if length%countSlots != 0 {
			return fmt.Errorf("store: %d counts are not %d per question", length, countSlots)
		}
		set := db.newRows(1, "bigint", "bigint", "date", "integer[]")
		end := start
		for ; end < len(rows) && end-start < insertChunk && len(rows[end].Counts) == length; end++ {
			r := rows[end]
			set.add(r.InstrumentID, r.UnitID, r.Day, formatCounts(r.Counts))
		}
		values, args := set.clause()
		if _, err := db.txExec(ctx, tx, db.upsertCounts(values, length), args...); err != nil {
			return fmt.Errorf("store: unable to update answer counts: %w", err)
		}
		start = end
	}
	return nil
}

// sumCounts sums the counts of the rows matching the conditions where (all
// of them), per unit, through q (the database or a transaction); length
// is the number of counts per row to sum (the first ones: a count of
// responses needs only the first question's). PostgreSQL sums each element
// in SQL (a province's year is some 55,000 rows of a few hundred counts:
// sending them all cost three times as long); SQLite, which keeps the
// counts as text, hands the rows over and they are summed here.
func (db *DB) sumCounts(ctx context.Context, q queryer, where []string, args []any, length int) (map[int64][]int64, error) {
	sums := map[int64][]int64{}
	filter := ""
	if len(where) > 0 {
		filter = " WHERE " + strings.Join(where, " AND ")
	}
	if db.dialect == Postgres {
		var cols strings.Builder
		for i := 1; i <= length; i++ {
			fmt.Fprintf(&cols, ", SUM(counts[%d])", i)
		}
		rows, err := q.QueryContext(ctx, `SELECT org_unit_id`+cols.String()+` FROM response_counts`+filter+`
			GROUP BY org_unit_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var unit int64
			c := make([]int64, length)
			dest := make([]any, 1+length)
			dest[0] = &unit
			for i := range c {
				dest[1+i] = &c[i]
			}
			if err := rows.Scan(dest...); err != nil {
				return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
			}
			sums[unit] = c
		}
		return sums, rows.Err()
	}
	rows, err := q.QueryContext(ctx, `SELECT org_unit_id, counts FROM response_counts`+filter, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
	}
	defer rows.Close()
	var raw sql.RawBytes
	for rows.Next() {
		var unit int64
		if err := rows.Scan(&unit, &raw); err != nil {
			return nil, fmt.Errorf("store: unable to read answer counts: %w", err)
		}
		if sums[unit], err = parseCounts(raw, sums[unit], length); err != nil {
			return nil, err
		}
	}
	return sums, rows.Err()
}

// upsertCounts is the statement that adds rows of counts of the given
// length to response_counts. On PostgreSQL the rows clause is the same
// for any number of rows, and the statement is built once per length.
func (db *DB) upsertCounts(values string, length int) string {
	q := `INSERT INTO response_counts (instrument_id, org_unit_id, day, counts) ` + values + `
		ON CONFLICT (instrument_id, org_unit_id, day) DO UPDATE SET counts = `
	if db.dialect != Postgres {
		return q + `parindex_add_counts(response_counts.counts, excluded.counts)`
	}
	type key struct {
		values string
		length int
	}
	if s, ok := db.upserts.Load(key{values, length}); ok {
		return s.(string)
	}
	// Element by element in one expression: a function looping over the
	// array costs PostgreSQL three to four times as much.
	var b strings.Builder
	b.WriteString(q + "ARRAY[")
	for i := 1; i <= length; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "response_counts.counts[%d] + excluded.counts[%d]", i, i)
	}
	b.WriteString("]")
	db.upserts.Store(key{values, length}, b.String())
	return b.String()
}
