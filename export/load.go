package export

import (
	"context"
	"math"
	"slices"

	"parindex"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// Scored is one stored snapshot, decoded: what every PAR workbook reads.
type Scored struct {
	Snapshot  *parindex.Snapshot
	Framework *criteria.Framework
	Result    *scoring.Result
	Inputs    scoring.Inputs
	// Change is the comparison with the previous year's published
	// snapshot; nil when there is none.
	Change *snapshot.YearOverYear
	// PeerPercent is, per node code, the mean over the agencies for which
	// the node applies of points ÷ max (a share in [0, 1]).
	PeerPercent map[string]float64
	// Record is what the snapshot kept beside its result: the values by
	// stage of the detail sheet, the survey figures, the preflight. The
	// workbooks read the snapshot alone, never the live assessments.
	Record *snapshot.Record
}

// LoadSnapshot reads and decodes snapshot id with its framework and the
// comparison with the previous year.
func LoadSnapshot(ctx context.Context, db *store.DB, id int64) (*Scored, error) {
	snap, err := db.Snapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	rec, err := db.FrameworkByCode(ctx, snap.FrameworkCode)
	if err != nil {
		return nil, err
	}
	f, err := rec.Framework()
	if err != nil {
		return nil, err
	}
	res, err := snapshot.Result(snap)
	if err != nil {
		return nil, err
	}
	sc := &Scored{Snapshot: snap, Framework: f, Result: res, PeerPercent: map[string]float64{}}
	if sc.Record, err = snapshot.DecodeRecord(snap); err != nil {
		return nil, err
	}
	if len(snap.Inputs) > 0 {
		// The inputs are informative (the entered value of each leaf); a
		// snapshot whose inputs no longer parse still has its results.
		if in, err := scoring.ParseInputs(snap.Inputs); err == nil {
			sc.Inputs = in
		}
	}
	if sc.Change, err = snapshot.CompareWithPrevious(ctx, db, id); err != nil {
		return nil, err
	}
	sums, counts := map[string]float64{}, map[string]int{}
	for _, a := range res.Agencies {
		for _, n := range a.Nodes {
			if n.Max > 0 {
				sums[n.Code] += n.Points / n.Max
				counts[n.Code]++
			}
		}
	}
	for code, s := range sums {
		sc.PeerPercent[code] = s / float64(counts[code])
	}
	return sc, nil
}

// LatestPublished returns the id of the newest published snapshot of a
// published framework whose agency types include unitType, or a not-found
// error.
func LatestPublished(ctx context.Context, db *store.DB, unitType string) (int64, error) {
	frameworks, err := db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkPublished})
	if err != nil {
		return 0, err
	}
	var best *parindex.Snapshot
	for _, f := range frameworks {
		if !slices.Contains(f.AgencyTypes, unitType) {
			continue
		}
		snaps, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: f.Code, Status: parindex.StatusPublished})
		if err != nil {
			return 0, err
		}
		for _, s := range snaps {
			if best == nil || s.Year > best.Year || s.Year == best.Year && s.ID > best.ID {
				best = s
			}
		}
	}
	if best == nil {
		return 0, parindex.Errorf(parindex.ECodeNotFound, "Chưa có kết quả chấm điểm được công bố cho loại đơn vị %s (no published snapshot covers unit type %s)", unitType, unitType)
	}
	return best.ID, nil
}

// AgencyInput returns the snapshot's inputs of one agency, or nil.
func (sc *Scored) AgencyInput(code string) *scoring.AgencyInput {
	for i := range sc.Inputs.Agencies {
		if sc.Inputs.Agencies[i].Code == code {
			return &sc.Inputs.Agencies[i]
		}
	}
	return nil
}

// Areas are the framework's top-level nodes that are not bonus or penalty
// blocks.
func (sc *Scored) Areas() []*criteria.Node {
	var out []*criteria.Node
	for _, n := range sc.Framework.Nodes {
		if !n.Adjustment {
			out = append(out, n)
		}
	}
	return out
}

// SurveyBlock is one instrument's result for one unit over the snapshot's
// year.
type SurveyBlock struct {
	Instrument *survey.Instrument
	Result     survey.GroupResult
	// Counted names, in Vietnamese, the responses the result counted (the
	// framework's survey_responses); LeftOut says which of the unit's were
	// left out and why ("" when none was).
	Counted, LeftOut string
}

// SurveyFor returns, for each instrument the framework's survey leaves
// use, the unit's survey result for the snapshot's year as the snapshot
// kept it (over the responses the framework's survey_responses kept, as
// in scoring); the service only
// supplies the instruments' names. Instruments not in the database, and
// those the snapshot holds no result of, are skipped.
func SurveyFor(ctx context.Context, svc *survey.Service, sc *Scored, unit string) ([]SurveyBlock, error) {
	if svc == nil {
		return nil, nil
	}
	var codes []string
	for _, leaf := range sc.Framework.Leaves() {
		if leaf.Method == criteria.MethodSurvey && !slices.Contains(codes, leaf.Instrument) {
			codes = append(codes, leaf.Instrument)
		}
	}
	kept := sc.Record.Unit(unit).Survey
	var out []SurveyBlock
	for _, code := range codes {
		res, ok := kept[code]
		if !ok {
			continue
		}
		in, err := svc.Instrument(ctx, code)
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, SurveyBlock{Instrument: in, Result: res,
			Counted: i18n.T(i18n.VI, "results.survey_responses."+string(sc.Record.SurveyResponsesUsed())),
			LeftOut: sc.Record.Unit(unit).SurveyLeftOut[code].VI})
	}
	return out, nil
}

// Provisional says whether the snapshot was published as provisional.
func (sc *Scored) Provisional() bool { return sc.Snapshot.Provisional() }

// share is points ÷ max, or nil when nothing applies.
func share(points, max float64) *float64 {
	if max <= 0 {
		return nil
	}
	v := points / max
	return &v
}

// num turns NaN into an empty cell.
func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
