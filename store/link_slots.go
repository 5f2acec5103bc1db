package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/integrity"
)

// QR arrivals per link in five-minute slots (link_slots), for the
// counter-integrity burst indicator. A response keeps only its hour; its
// slot is counted here, in the transaction that stores it, and a closed
// slot with fewer than parindex.SlotKeptMinimum arrivals is forgotten
// (PurgeQuietSlots), so that no kept slot speaks of one citizen.

// addSlots adds the batch's stored QR forms to their links' slots.
func (db *DB) addSlots(ctx context.Context, tx *sqlx.Tx, rs []*parindex.Response, inserted []bool) error {
	type key struct {
		link int64
		slot time.Time
	}
	counts := map[key]int{}
	for i, r := range rs {
		if inserted[i] && r.LinkID != 0 && !r.ArrivalSlot.IsZero() {
			counts[key{r.LinkID, r.ArrivalSlot.UTC()}]++
		}
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	// One order for every writer, so that concurrent batches lock the
	// same rows in the same order on PostgreSQL.
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].link != keys[j].link {
			return keys[i].link < keys[j].link
		}
		return keys[i].slot.Before(keys[j].slot)
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{k.link, k.slot, counts[k]}
	}
	if err := db.addResponseCounts(ctx, tx, "link_slots", "link_id, slot", []string{"bigint", "timestamptz", "integer"}, rows); err != nil {
		return fmt.Errorf("store: unable to count arrivals: %w", err)
	}
	return nil
}

// PurgeQuietSlots forgets the closed slots that hold fewer than
// parindex.SlotKeptMinimum arrivals. The survey's ingester calls it every
// minute, and the demo after seeding.
func (db *DB) PurgeQuietSlots(ctx context.Context) error {
	closed := db.now().Add(-parindex.ArrivalSlotLength).Truncate(parindex.ArrivalSlotLength)
	if _, err := db.db.ExecContext(ctx, `DELETE FROM link_slots WHERE slot < $1 AND responses < $2`,
		closed.UTC(), parindex.SlotKeptMinimum); err != nil {
		return fmt.Errorf("store: unable to forget quiet arrival slots: %w", err)
	}
	return nil
}

// slotBounds are the instants a period's survey days (Vietnam time) begin
// and end.
func slotBounds(p parindex.Period) (from, to time.Time) {
	start, end := p.Start(), p.End()
	from = time.Date(start.Year, start.Month, start.Day, 0, 0, 0, 0, vietnam)
	to = time.Date(end.Year, end.Month, end.Day, 0, 0, 0, 0, vietnam).AddDate(0, 0, 1)
	return from.UTC(), to.UTC()
}

// integrityBursts sets each link's busiest kept slot in the period.
func integrityBursts(ctx context.Context, tx *sqlx.Tx, f IntegrityFilter, links map[int64]*integrity.Link) error {
	from, to := slotBounds(f.Period)
	var id int64
	var n int
	return scanLinkRows(ctx, tx, "arrival slots", `SELECT s.link_id, MAX(s.responses) FROM link_slots s
		JOIN survey_links l ON l.id = s.link_id
		WHERE l.instrument_id = $1 AND s.slot >= $2 AND s.slot < $3 AND s.responses >= $4
		GROUP BY s.link_id`, []any{f.InstrumentID, from, to, parindex.SlotKeptMinimum},
		[]any{&id, &n}, func() {
			if l := links[id]; l != nil {
				l.BusiestFiveMinutes = n
			}
		})
}

// LinkSlots returns a link's kept arrival slots in the period, in time
// order, at loc: the burst timeline of its integrity drill-down.
func (db *DB) LinkSlots(ctx context.Context, linkID int64, p parindex.Period, loc *time.Location) ([]integrity.Slot, error) {
	from, to := slotBounds(p)
	rows, err := db.db.QueryContext(ctx, `SELECT slot, responses FROM link_slots
		WHERE link_id = $1 AND slot >= $2 AND slot < $3 AND responses >= $4 ORDER BY slot`,
		linkID, from, to, parindex.SlotKeptMinimum)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the arrival slots of link %d: %w", linkID, err)
	}
	defer rows.Close()
	var out []integrity.Slot
	for rows.Next() {
		var s integrity.Slot
		if err := rows.Scan(&s.Start, &s.Responses); err != nil {
			return nil, fmt.Errorf("store: unable to read an arrival slot: %w", err)
		}
		s.Start = s.Start.In(loc)
		out = append(out, s)
	}
	return out, rows.Err()
}
