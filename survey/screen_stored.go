package survey

import (
	"context"
	"fmt"

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
	stored, err := db.InstrumentByCode(ctx, instrumentCode)
	if err != nil {
		return res, err
	}
	in, err := ParseInstrument(stored.Code+".yaml", []byte(stored.Source))
	if err != nil {
		return res, fmt.Errorf("survey: stored instrument %s does not parse: %w", stored.Code, err)
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
