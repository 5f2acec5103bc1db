package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// UnitResponseCount is how many responses one unit received.
type UnitResponseCount struct {
	UnitID   int64
	UnitCode string
	UnitName string
	Count    int64
}

// ResponsesByUnitOn counts the responses of one day (a Vietnamese day, as
// stored in responses.day) per unit, flagged ones included, in unit code
// order: it feeds the live counter, which shows what arrived, not what will
// be scored. It reads the day's rows of the count table (ResponsesPerUnit):
// counting the day's raw responses grew with the day, hundreds of thousands
// of rows under 2,000 submissions a second (issue 23).
func (db *DB) ResponsesByUnitOn(ctx context.Context, day parindex.Date) ([]UnitResponseCount, error) {
	tallies, err := db.ResponsesPerUnit(ctx, day, day)
	if err != nil || len(tallies) == 0 {
		return nil, err
	}
	units, err := db.FindOrgUnits(ctx, OrgFilter{})
	if err != nil {
		return nil, err
	}
	var out []UnitResponseCount
	for _, u := range units {
		if t, ok := tallies[u.ID]; ok && t.Responses > 0 {
			out = append(out, UnitResponseCount{UnitID: u.ID, UnitCode: u.Code, UnitName: u.Name, Count: int64(t.Responses)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UnitCode < out[j].UnitCode })
	return out, nil
}

// keyBatch bounds the parameters of one IN list, well under the limits of
// both drivers.
const keyBatch = 500

// StoredResponseKeys returns which of the idempotency keys are already
// stored, so a paper import can tell new forms from forms an earlier import
// of the same file stored, and send only the new ones to InsertResponses.
func (db *DB) StoredResponseKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return storedKeys(ctx, db.db, keys)
}

func storedKeys(ctx context.Context, q queryer, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += keyBatch {
		batch := keys[start:min(start+keyBatch, len(keys))]
		marks := make([]string, len(batch))
		args := make([]any, len(batch))
		for i, k := range batch {
			marks[i] = fmt.Sprintf("$%d", i+1)
			args[i] = k
		}
		rows, err := q.QueryContext(ctx, `SELECT idempotency_key FROM responses WHERE idempotency_key IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: unable to look up response keys: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to read a response key: %w", err)
			}
			out[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: unable to look up response keys: %w", err)
		}
	}
	return out, nil
}

// PaperImport describes one import of paper forms, for the audit log.
type PaperImport struct {
	File       string `json:"file"`
	FileHash   string `json:"file_hash"`
	Instrument string `json:"instrument"`
	Rows       int    `json:"rows"`
	Inserted   int    `json:"inserted"`
	Duplicates int    `json:"already_stored"`
}

// ImportPaperResponses stores paper forms and the audit row of their import
// in one transaction, so an import is either wholly recorded or not at all.
// The forms come in batches from next, which returns none after the last:
// a file of millions of forms is stored without being held in memory. Forms
// an earlier import stored (by idempotency key) are skipped. It returns p
// with Inserted and Duplicates filled in; an error from next rolls back.
func (db *DB) ImportPaperResponses(ctx context.Context, actor parindex.Actor, next func() ([]*parindex.Response, error),
	questions map[int64][]string, p PaperImport) (PaperImport, error) {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		p.Inserted, p.Duplicates = 0, 0
		for {
			batch, err := next()
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			keys := make([]string, len(batch))
			for i, r := range batch {
				keys[i] = r.IdempotencyKey
			}
			done, err := storedKeys(ctx, tx, keys)
			if err != nil {
				return err
			}
			// Only forms not stored before are inserted: re-importing a
			// large file costs a lookup, not a transaction full of
			// conflicts. A concurrent import is still caught by key.
			fresh := batch[:0]
			for _, r := range batch {
				if !done[r.IdempotencyKey] {
					fresh = append(fresh, r)
				}
			}
			p.Duplicates += len(batch) - len(fresh)
			if len(fresh) == 0 {
				continue
			}
			out, err := db.insertResponses(ctx, tx, fresh, questions, 0)
			if err != nil {
				return err
			}
			for _, o := range out {
				if o == Inserted {
					p.Inserted++
				} else {
					p.Duplicates++
				}
			}
		}
		if p.Inserted == 0 {
			return nil
		}
		if err := db.notify(ctx, tx, ChangeResponses); err != nil {
			return err
		}
		return writeAudit(ctx, tx, db.now(), actor, "responses.import_paper", "instrument", p.Instrument, nil, p, "")
	})
	return p, err
}
