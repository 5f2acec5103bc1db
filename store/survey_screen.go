package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// ScreenedResponse is a stored response as batch screening reads it.
type ScreenedResponse struct {
	ID      int64
	UnitID  int64
	Day     parindex.Date
	Answers string
	Flags   string // as stored: a comma list, empty when clean
}

// EachScreenedResponse calls each for every response of an instrument
// filled on days from..to (inclusive; zero dates leave that end open), in
// id order, whatever its channel and flags.
func (db *DB) EachScreenedResponse(ctx context.Context, instrumentID int64, from, to parindex.Date, each func(ScreenedResponse) error) error {
	where, args := ResponseFilter{InstrumentID: instrumentID, From: from, To: to}.where()
	rows, err := db.db.QueryContext(ctx, `SELECT r.id, r.org_unit_id, r.day, r.answers, r.flags FROM responses r`+where+` ORDER BY r.id`, args...)
	if err != nil {
		return fmt.Errorf("store: unable to read responses to screen: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ScreenedResponse
		if err := rows.Scan(&r.ID, &r.UnitID, &r.Day, &r.Answers, &r.Flags); err != nil {
			return fmt.Errorf("store: unable to read responses to screen: %w", err)
		}
		if err := each(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read responses to screen: %w", err)
	}
	return nil
}

// AddResponseFlags adds flags to stored responses of an instrument (id →
// flags to add; flags a response already has are not repeated) in one
// transaction, and moves each response that was clean from the count
// table's clean counts to its flagged ones, so results without flagged
// responses leave it out whether they read the responses or the counts.
// It returns how many responses gained a flag.
func (db *DB) AddResponseFlags(ctx context.Context, instrumentID int64, add map[int64][]string) (int, error) {
	ids := make([]int64, 0, len(add))
	for id := range add {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	changed := 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		changed = 0
		type key struct {
			unit int64
			day  parindex.Date
		}
		index := map[key]int{}
		var moves []CountRow
		for _, id := range ids {
			var unit int64
			var day parindex.Date
			var answers, stored string
			if err := tx.QueryRowxContext(ctx, `SELECT org_unit_id, day, answers, flags FROM responses WHERE id = $1 AND instrument_id = $2`,
				id, instrumentID).Scan(&unit, &day, &answers, &stored); err != nil {
				return fmt.Errorf("store: unable to read response %d to flag: %w", id, err)
			}
			var flags []string
			if stored != "" {
				flags = strings.Split(stored, ",")
			}
			before := len(flags)
			for _, f := range add[id] {
				flags = appendFlag(flags, f)
			}
			if len(flags) == before {
				continue
			}
			// Only if its flags are still those read: two servers screening
			// at the same night hour would otherwise both move a response
			// to the flagged counts (on PostgreSQL the second UPDATE waits
			// for the first to commit, then finds the flags changed).
			res, err := tx.ExecContext(ctx, `UPDATE responses SET flags = $1 WHERE id = $2 AND flags = $3`, strings.Join(flags, ","), id, stored)
			if err != nil {
				return fmt.Errorf("store: unable to flag response %d: %w", id, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				continue
			}
			changed++
			if before > 0 {
				continue // already counted as flagged
			}
			k := key{unit, day}
			i, ok := index[k]
			if !ok {
				i = len(moves)
				index[k] = i
				moves = append(moves, CountRow{InstrumentID: instrumentID, UnitID: unit, Day: day, Counts: make([]int64, countSlots*len(answers))})
			}
			c := moves[i].Counts
			if len(c) != countSlots*len(answers) {
				return fmt.Errorf("store: response %d has %d answers, others of its instrument %d", id, len(answers), len(c)/countSlots)
			}
			for q := 0; q < len(answers); q++ {
				level := int(answers[q] - '0')
				c[q*countSlots+level]--
				c[q*countSlots+countSlots/2+level]++
			}
		}
		if changed > 0 {
			if err := db.notify(ctx, tx, ChangeFlags); err != nil {
				return err
			}
		}
		if err := bumpDataVersion(ctx, tx, countsVersion); err != nil {
			return err
		}
		return db.addCountRows(ctx, tx, moves)
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}
