package survey

import (
	"context"
	"log/slog"
	"time"

	"parindex"
	"parindex/store"
)

// ScreenResult says what a screen of stored responses did.
type ScreenResult struct {
	Instrument string `json:"instrument"`
	Responses  int    `json:"responses"` // screened
	Flagged    int    `json:"flagged"`   // responses that gained a flag
}

// ScreenStored screens the stored responses of an instrument filled in a
// period with the batch test of imports (batchScreen: identical answer
// vectors, and straight-lined forms, from one unit on one day beyond what
// chance explains), whatever their channel: QR and web forms, which are
// screened one at a time as they arrive (speeder, equal and fast, repeated
// device, bot), get the batch test here, and imported forms get it again
// against the whole period rather than their file alone. Flags are added,
// never removed, and the count table follows (store.AddResponseFlags), so
// results with and without flagged responses stay what the rows say.
//
// It reads the period twice, as an import reads its file: the first pass
// counts, the second flags. Memory grows with the period's distinct forms
// (about a hundred bytes each; a month of a province is a few megabytes).
func ScreenStored(ctx context.Context, db *store.DB, instrumentCode string, p Period) (ScreenResult, error) {
	res := ScreenResult{Instrument: instrumentCode}
	stored, in, err := storedInstrument(ctx, db, instrumentCode)
	if err != nil {
		return res, err
	}
	screen := newBatchScreen(len(in.Questions()))
	if err := db.EachScreenedResponse(ctx, stored.ID, p.From, p.To, func(r store.ScreenedResponse) error {
		res.Responses++
		screen.add(r.UnitID, r.Day, r.Answers)
		return nil
	}); err != nil {
		return res, err
	}
	add := map[int64][]string{}
	if err := db.EachScreenedResponse(ctx, stored.ID, p.From, p.To, func(r store.ScreenedResponse) error {
		if flags := screen.flags(r.UnitID, r.Day, r.Answers); len(flags) > 0 {
			add[r.ID] = flags
		}
		return nil
	}); err != nil {
		return res, err
	}
	res.Flagged, err = db.AddResponseFlags(ctx, stored.ID, add)
	return res, err
}

// ScreenPublished screens the year's stored responses of every published
// instrument (ScreenStored), in the order they were stored.
func ScreenPublished(ctx context.Context, db *store.DB, year int) ([]ScreenResult, error) {
	all, err := db.FindInstruments(ctx)
	if err != nil {
		return nil, err
	}
	var out []ScreenResult
	for _, in := range all {
		if in.Status != parindex.StatusPublished {
			continue
		}
		res, err := ScreenStored(ctx, db, in.Code, Year(year))
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

// NightlyScreenHour is when the server screens the stored responses, in
// the province's zone: the quietest hour of a one-stop counter.
const NightlyScreenHour = 2

// ScreenNightly runs ScreenPublished every night at NightlyScreenHour in
// loc, over the year of the day that just ended, until ctx ends; serve
// runs it, so that QR and web forms get the batch test of imports without
// anyone running `parindex survey screen`. Several servers on one database
// may each run it: a screen adds flags only once. A failure is logged and
// tried again the next night. Before screening it makes the responses'
// yearly partitions of PostgreSQL (store.AddResponseYears), so that a
// server running past a new year without a restart stores the new year's
// forms in their own table from the next night on, not in the default one.
func ScreenNightly(ctx context.Context, db *store.DB, log *slog.Logger, loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	for {
		now := time.Now()
		t := time.NewTimer(nextNightlyScreen(now, loc).Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := db.AddResponseYears(ctx); err != nil && ctx.Err() == nil {
			log.Warn("store: nightly partitions of responses", slog.String("error", err.Error()))
		}
		year := time.Now().In(loc).AddDate(0, 0, -1).Year()
		results, err := ScreenPublished(ctx, db, year)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("survey: nightly screen", slog.Int("year", year), slog.String("error", err.Error()))
			}
			continue
		}
		for _, r := range results {
			log.Info("survey: nightly screen", slog.String("instrument", r.Instrument), slog.Int("year", year),
				slog.Int("responses", r.Responses), slog.Int("flagged", r.Flagged))
		}
	}
}

// nextNightlyScreen is the first NightlyScreenHour after now in loc.
func nextNightlyScreen(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	next := time.Date(local.Year(), local.Month(), local.Day(), NightlyScreenHour, 0, 0, 0, loc)
	if !next.After(local) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, NightlyScreenHour, 0, 0, 0, loc)
	}
	return next
}
