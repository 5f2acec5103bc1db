package faults

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"parindex"
	"parindex/store"
)

// countKey is one question's counts in a row of response_counts.
type countKey struct {
	instrument, unit int64
	question, day    string
}

// counts are na, n1…n5 of clean responses, then the same of flagged ones,
// in the order of a question's counts in response_counts.
type counts [12]int64

// verifyStored proves from the database that every acknowledged submission
// is stored exactly once, that nothing was stored that no phone sent, and
// that response_counts holds exactly the answers of the stored responses.
// It returns the number of stored responses.
func verifyStored(t *testing.T, dbURL string, p *phones) int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open the database to check it: %v", err)
	}
	defer db.Close()
	p.mu.Lock()
	defer p.mu.Unlock()

	rows, err := db.SQL().QueryContext(ctx, `SELECT idempotency_key, instrument_id, org_unit_id, day, answers, flags FROM responses`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string]int{}
	want := map[countKey]*counts{}
	total := 0
	for rows.Next() {
		var key, answers, flags string
		var instrument, unit int64
		var day parindex.Date
		if err := rows.Scan(&key, &instrument, &unit, &day, &answers, &flags); err != nil {
			t.Fatal(err)
		}
		total++
		stored[key]++
		if len(answers) != len(p.fx.codes) {
			t.Errorf("response %s holds %d answers for %d questions", key, len(answers), len(p.fx.codes))
			continue
		}
		offset := 0
		if flags != "" {
			offset = 6
		}
		for i, code := range p.fx.codes {
			k := countKey{instrument, unit, code, day.String()}
			if want[k] == nil {
				want[k] = &counts{}
			}
			want[k][offset+int(answers[i]-'0')]++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	var missing, twice, unsent []string
	for key := range p.acked {
		switch stored[key] {
		case 0:
			missing = append(missing, key)
		case 1:
		default:
			twice = append(twice, key)
		}
	}
	storedNotAcked := 0
	for key, n := range stored {
		if n > 1 && p.acked[key].IsZero() {
			twice = append(twice, key)
		}
		if !p.sent[key] {
			unsent = append(unsent, key)
		}
		if p.acked[key].IsZero() {
			storedNotAcked++
		}
	}
	report := func(what string, keys []string) {
		if len(keys) > 0 {
			slices.Sort(keys)
			t.Errorf("%d %s (first: %s)", len(keys), what, keys[0])
		}
	}
	report("acknowledged submissions are not stored", missing)
	report("submissions are stored more than once", twice)
	report("stored responses were never sent by a phone", unsent)
	// A response can commit while its answer is lost; its phone then
	// retries and is acknowledged. Only one that gave up may stay stored
	// without an acknowledgement.
	if storedNotAcked > len(p.gaveUp) {
		t.Errorf("%d stored responses were never acknowledged, but only %d phones gave up", storedNotAcked, len(p.gaveUp))
	}

	crows, err := db.CountRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[countKey]bool{}
	mismatches := 0
	for _, row := range crows {
		if len(row.Counts) != 12*len(p.fx.codes) {
			t.Errorf("response_counts (unit %d, day %s) holds %d counts for %d questions", row.UnitID, row.Day, len(row.Counts), len(p.fx.codes))
			continue
		}
		for i, code := range p.fx.codes {
			k := countKey{row.InstrumentID, row.UnitID, code, row.Day.String()}
			got := counts(row.Question(i))
			seen[k] = true
			var expected counts
			if w := want[k]; w != nil {
				expected = *w
			}
			if got != expected {
				mismatches++
				if mismatches <= 5 {
					t.Errorf("response_counts %s: counts %v, but the stored responses hold %v", k, got, expected)
				}
			}
		}
	}
	for k, w := range want {
		if !seen[k] {
			mismatches++
			if mismatches <= 5 {
				t.Errorf("response_counts has no row for %s; the stored responses hold %v", k, *w)
			}
		}
	}
	if mismatches > 5 {
		t.Errorf("… %d response_counts rows disagree with the stored responses in all", mismatches)
	}
	return total
}

func (k countKey) String() string {
	return fmt.Sprintf("(instrument %d, unit %d, question %s, day %s)", k.instrument, k.unit, k.question, k.day)
}
