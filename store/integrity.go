package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/integrity"
)

// RecordsReturnedMetric is the metric whose value for the period is a
// unit's one-stop records returned: the denominator of its response rate.
const RecordsReturnedMetric = "records_resolved"

// IntegrityFilter chooses what IntegrityAggregates gathers: an instrument's
// responses in a metric period, for every unit with a link to it (the
// top-box funnel is centred on the whole province's share).
type IntegrityFilter struct {
	InstrumentID int64
	Period       parindex.Period
	Location     *time.Location // the counters' local time, for office hours
}

// IntegrityAggregates gathers, per QR link, what integrity.Assess judges:
// counts by hour, the three busiest devices, devices seen at other units,
// the most common answer vector and its share in the province, flag counts
// and answer levels; and per unit its records returned in the period. It
// reads counts only, never a response's content. Paper forms have no link
// and are left out. The busiest five minutes comes from the kept arrival
// slots (link_slots).
func (db *DB) IntegrityAggregates(ctx context.Context, f IntegrityFilter) ([]integrity.Unit, []integrity.Link, error) {
	if f.Location == nil {
		f.Location = time.UTC
	}
	var units []integrity.Unit
	var unitIDs []int64
	var links []integrity.Link
	err := db.inReadTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if units, unitIDs, links, err = integrityLinks(ctx, tx, f); err != nil {
			return err
		}
		byID := make(map[int64]*integrity.Link, len(links))
		for i := range links {
			byID[links[i].ID] = &links[i]
		}
		for _, step := range []func(context.Context, *sqlx.Tx, IntegrityFilter, map[int64]*integrity.Link) error{
			integrityHours, integrityBursts, integrityTopDevices, integritySharedDevices, integrityTopVectors, integrityCounts,
		} {
			if err := step(ctx, tx, f, byID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(units) == 0 {
		return units, links, err
	}
	values, err := db.PeriodValues(ctx, f.Period, unitIDs...)
	if err != nil {
		return nil, nil, err
	}
	for i := range units {
		if v, ok := values[unitIDs[i]][RecordsReturnedMetric]; ok {
			units[i].RecordsReturned, units[i].RecordsKnown = int(v.Value), true
		}
	}
	return units, links, nil
}

// inReadTx runs fn in one transaction, so that every query of a report
// sees the same responses, and rolls it back: nothing is written.
func (db *DB) inReadTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: db.dialect == Postgres})
	if err != nil {
		return fmt.Errorf("store: unable to begin a read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// responseScope is the WHERE clause (over responses aliased r) of the
// filter's responses that came through a link, with its arguments $1…$n.
func (f IntegrityFilter) responseScope() (string, []any) {
	where := `r.instrument_id = $1 AND r.day BETWEEN $2 AND $3 AND r.link_id IS NOT NULL`
	return where, []any{f.InstrumentID, f.Period.Start(), f.Period.End()}
}

// integrityLinks reads the instrument's links and their units; unitIDs
// are the units' ids, in the order of units.
func integrityLinks(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter) (units []integrity.Unit, unitIDs []int64, links []integrity.Link, err error) {
	query := `SELECT l.id, o.id, o.code, o.name, l.counter_label, l.independent
		FROM survey_links l JOIN org_units o ON o.id = l.org_unit_id
		WHERE l.instrument_id = $1`
	rows, err := tx.QueryContext(ctx, query+` ORDER BY o.code, l.id`, f.InstrumentID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: unable to read the links of instrument %d: %w", f.InstrumentID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l integrity.Link
		var unitID int64
		var name string
		if err := rows.Scan(&l.ID, &unitID, &l.Unit, &name, &l.Label, &l.Independent); err != nil {
			return nil, nil, nil, fmt.Errorf("store: unable to read a link: %w", err)
		}
		if len(units) == 0 || units[len(units)-1].Code != l.Unit {
			units = append(units, integrity.Unit{Code: l.Unit, Name: name})
			unitIDs = append(unitIDs, unitID)
		}
		l.FlagCounts = map[string]int{}
		links = append(links, l)
	}
	return units, unitIDs, links, rows.Err()
}

// scanLinkRows runs query, scans each row into dest and calls each.
func scanLinkRows(ctx context.Context, tx *sqlx.Tx, what, query string, args []any, dest []any, each func()) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: unable to read %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: unable to read %s: %w", what, err)
		}
		each()
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read %s: %w", what, err)
	}
	return nil
}

func integrityHours(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter, links map[int64]*integrity.Link) error {
	where, args := f.responseScope()
	var id int64
	var hour time.Time
	var n int
	return scanLinkRows(ctx, tx, "responses by hour", `SELECT r.link_id, r.submitted_hour, COUNT(*) FROM responses r
		WHERE `+where+` GROUP BY r.link_id, r.submitted_hour ORDER BY r.link_id, r.submitted_hour`, args,
		[]any{&id, &hour, &n}, func() {
			if l := links[id]; l != nil {
				l.Hours = append(l.Hours, integrity.HourCount{Hour: hour.In(f.Location), Count: n})
				l.Responses += n
			}
		})
}

// integrityTopDevices sums the responses of each link's three busiest
// devices (ties broken by hash, so the figure is the same on both dialects).
func integrityTopDevices(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter, links map[int64]*integrity.Link) error {
	where, args := f.responseScope()
	var id int64
	var n int
	return scanLinkRows(ctx, tx, "the busiest devices", `SELECT link_id, SUM(n) FROM (
			SELECT r.link_id, COUNT(*) AS n,
				ROW_NUMBER() OVER (PARTITION BY r.link_id ORDER BY COUNT(*) DESC, r.device_hash) AS busiest
			FROM responses r WHERE `+where+` AND r.device_hash <> '' GROUP BY r.link_id, r.device_hash) d
		WHERE busiest <= 3 GROUP BY link_id`, args,
		[]any{&id, &n}, func() {
			if l := links[id]; l != nil {
				l.TopDevices = n
			}
		})
}

// integritySharedDevices counts each link's responses from devices that
// also answered for another unit in the period, anywhere in the province.
func integritySharedDevices(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter, links map[int64]*integrity.Link) error {
	// One pass over the period's responses with a device, each seeing the
	// lowest and highest unit its device answered for: a join with the
	// shared devices as a subquery let PostgreSQL, misjudging a freshly
	// filled table, loop over every response for each (minutes at 40,000).
	var id int64
	var n int
	return scanLinkRows(ctx, tx, "devices seen at several units", `SELECT link_id, COUNT(*) FROM (
			SELECT r.link_id, MIN(r.org_unit_id) OVER w AS first_unit, MAX(r.org_unit_id) OVER w AS last_unit
			FROM responses r WHERE r.instrument_id = $1 AND r.day BETWEEN $2 AND $3 AND r.device_hash <> ''
			WINDOW w AS (PARTITION BY r.device_hash)) d
		WHERE link_id IS NOT NULL AND first_unit <> last_unit GROUP BY link_id`, []any{f.InstrumentID, f.Period.Start(), f.Period.End()},
		[]any{&id, &n}, func() {
			if l := links[id]; l != nil {
				l.SharedDevices = n
			}
		})
}

// integrityTopVectors finds each link's most common answer vector, that
// vector's share among every response of the province in the period, and
// how many different vectors the link has.
func integrityTopVectors(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter, links map[int64]*integrity.Link) error {
	where, args := f.responseScope()
	var total int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM responses WHERE instrument_id = $1 AND day BETWEEN $2 AND $3`,
		args[:3]...).Scan(&total)
	if err != nil {
		return fmt.Errorf("store: unable to count the province's responses: %w", err)
	}
	if total == 0 {
		return nil
	}
	var id int64
	var n, province, distinct int
	return scanLinkRows(ctx, tx, "repeated answer vectors", `SELECT v.link_id, v.n, p.n, v.distinct_vectors FROM (
			SELECT r.link_id, r.answers, COUNT(*) AS n,
				ROW_NUMBER() OVER (PARTITION BY r.link_id ORDER BY COUNT(*) DESC, r.answers) AS commonest,
				COUNT(*) OVER (PARTITION BY r.link_id) AS distinct_vectors
			FROM responses r WHERE `+where+` GROUP BY r.link_id, r.answers) v
		JOIN (SELECT answers, COUNT(*) AS n FROM responses WHERE instrument_id = $1 AND day BETWEEN $2 AND $3
			GROUP BY answers) p ON p.answers = v.answers
		WHERE v.commonest = 1`, args,
		[]any{&id, &n, &province, &distinct}, func() {
			if l := links[id]; l != nil {
				l.TopVector, l.TopVectorProvinceShare, l.DistinctVectors = n, float64(province)/float64(total), distinct
			}
		})
}

// integrityCounts counts each link's flagged responses by flag and its
// valid, satisfied and top-box answers: answers are one digit per question
// (0 not applicable), so a level's count is how much shorter the text gets
// without that digit.
func integrityCounts(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter, links map[int64]*integrity.Link) error {
	where, args := f.responseScope()
	digits := func(d string) string {
		return fmt.Sprintf("SUM(LENGTH(r.answers) - LENGTH(REPLACE(r.answers, '%s', '')))", d)
	}
	cols := []string{digits("1"), digits("2"), digits("3"), digits("4"), digits("5")}
	for _, flag := range integrity.QualityFlags {
		cols = append(cols, fmt.Sprintf("SUM(CASE WHEN ',' || r.flags || ',' LIKE '%%,%s,%%' THEN 1 ELSE 0 END)", flag))
	}
	var id int64
	levels := make([]int, 5)
	flags := make([]int, len(integrity.QualityFlags))
	dest := []any{&id}
	for i := range levels {
		dest = append(dest, &levels[i])
	}
	for i := range flags {
		dest = append(dest, &flags[i])
	}
	return scanLinkRows(ctx, tx, "answer levels and flags", `SELECT r.link_id, `+strings.Join(cols, ", ")+`
		FROM responses r WHERE `+where+` GROUP BY r.link_id`, args, dest, func() {
		l := links[id]
		if l == nil {
			return
		}
		l.ValidAnswers = levels[0] + levels[1] + levels[2] + levels[3] + levels[4]
		l.SatisfiedAnswers = levels[3] + levels[4]
		l.TopBoxAnswers = levels[4]
		for i, flag := range integrity.QualityFlags {
			if flags[i] > 0 {
				l.FlagCounts[flag] = flags[i]
			}
		}
	})
}

// MarkLinkIndependent marks a link as DoHA's independent sample, or
// unmarks it, and audits the change in the same transaction.
func (db *DB) MarkLinkIndependent(ctx context.Context, actor parindex.Actor, id int64, independent bool, reason string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var before bool
		err := tx.QueryRowContext(ctx, `SELECT independent FROM survey_links WHERE id = $1`, id).Scan(&before)
		if err == sql.ErrNoRows {
			return parindex.Errorf(parindex.ECodeNotFound, "Không có liên kết khảo sát này (no such survey link)")
		}
		if err != nil {
			return fmt.Errorf("store: unable to read link %d: %w", id, err)
		}
		if before == independent {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE survey_links SET independent = $1 WHERE id = $2`, independent, id); err != nil {
			return fmt.Errorf("store: unable to mark link %d: %w", id, err)
		}
		if err := db.notify(ctx, tx, ChangeLinks); err != nil {
			return err
		}
		return writeAudit(ctx, tx, db.now(), actor, "link.independent", "survey_link", fmt.Sprint(id),
			map[string]bool{"independent": before}, map[string]bool{"independent": independent}, reason)
	})
}

// LinkDevices is how a link's responses in a period spread over the devices
// that sent them, for its integrity drill-down. The devices are ranked, never
// named: a hash leaves the store neither here nor anywhere else.
type LinkDevices struct {
	Busiest    []int // responses of the link's busiest devices, most first (ties by hash, as integrityTopDevices)
	Other      int   // responses of its other devices
	Unrecorded int   // responses that carry no device
}

// LinkDevices ranks the devices of a link's responses in the period and
// returns the counts of the busiest (at most top of them), of the rest and
// of the responses without a device.
func (db *DB) LinkDevices(ctx context.Context, linkID int64, p parindex.Period, top int) (LinkDevices, error) {
	var out LinkDevices
	rows, err := db.db.QueryContext(ctx, `SELECT CASE WHEN d.device_hash = '' THEN 0 WHEN d.busiest <= $4 THEN d.busiest ELSE $4 + 1 END AS place, SUM(d.n)
		FROM (SELECT device_hash, COUNT(*) AS n,
				ROW_NUMBER() OVER (ORDER BY CASE WHEN device_hash = '' THEN 1 ELSE 0 END, COUNT(*) DESC, device_hash) AS busiest
			FROM responses WHERE link_id = $1 AND day BETWEEN $2 AND $3 GROUP BY device_hash) d
		GROUP BY 1 ORDER BY 1`, linkID, p.Start(), p.End(), top)
	if err != nil {
		return out, fmt.Errorf("store: unable to read the devices of link %d: %w", linkID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var place int64
		var n int
		if err := rows.Scan(&place, &n); err != nil {
			return out, fmt.Errorf("store: unable to read the devices of link %d: %w", linkID, err)
		}
		switch {
		case place == 0:
			out.Unrecorded = n
		case place > int64(top):
			out.Other = n
		default:
			out.Busiest = append(out.Busiest, n)
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("store: unable to read the devices of link %d: %w", linkID, err)
	}
	return out, nil
}
