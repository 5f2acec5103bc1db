package snapshot

import (
	"context"
	"math"

	"parindex"
	"parindex/store"
)

// NodeChange is one mapped criterion of one unit, this year against last,
// in percent of each year's maximum so a changed maximum still compares.
type NodeChange struct {
	Node, PreviousNode string
	Percent            float64 // this year: points ÷ max × 100; NaN when nothing applied
	PreviousPercent    float64
	Change             float64 // Percent − PreviousPercent; NaN when either is
}

// UnitChange is one unit's change of index and of its mapped criteria.
type UnitChange struct {
	Unit          string
	Index         float64 // this year's published (rounded) index; NaN when undefined
	PreviousIndex float64
	Change        float64
	Nodes         []NodeChange
}

// YearOverYear compares a snapshot with the previous year's.
type YearOverYear struct {
	Current, Previous *parindex.Snapshot
	Units             map[string]UnitChange
}

// CompareWithPrevious compares snapshot id with the latest published
// snapshot of the framework its framework was copied from, of an earlier
// year, on the criteria mapped between the two. It returns nil when there
// is no earlier published snapshot to compare with.
func CompareWithPrevious(ctx context.Context, db *store.DB, id int64) (*YearOverYear, error) {
	cur, err := db.Snapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	rec, err := db.FrameworkByCode(ctx, cur.FrameworkCode)
	if err != nil {
		return nil, err
	}
	if rec.CopiedFrom == "" {
		return nil, nil
	}
	candidates, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: rec.CopiedFrom, Status: parindex.StatusPublished})
	if err != nil {
		return nil, err
	}
	var prevID int64
	for _, c := range candidates { // newest first
		if c.Year < cur.Year {
			prevID = c.ID
			break
		}
	}
	if prevID == 0 {
		return nil, nil
	}
	prev, err := db.Snapshot(ctx, prevID)
	if err != nil {
		return nil, err
	}
	mappings, err := db.FrameworkMappings(ctx, cur.FrameworkCode)
	if err != nil {
		return nil, err
	}
	curRes, err := Result(cur)
	if err != nil {
		return nil, err
	}
	prevRes, err := Result(prev)
	if err != nil {
		return nil, err
	}
	out := &YearOverYear{Current: cur, Previous: prev, Units: map[string]UnitChange{}}
	for _, a := range curRes.Agencies {
		p := prevRes.Agency(a.Code)
		if p == nil {
			continue
		}
		uc := UnitChange{Unit: a.Code, Index: value(a.IndexRounded), PreviousIndex: value(p.IndexRounded)}
		uc.Change = uc.Index - uc.PreviousIndex
		for _, m := range mappings {
			if m.Kind != store.MappingMapped {
				continue
			}
			now, okNow := a.Node(m.NewNode)
			before, okBefore := p.Node(m.OldNode)
			if !okNow || !okBefore {
				continue
			}
			nc := NodeChange{Node: m.NewNode, PreviousNode: m.OldNode, Percent: percent(now.Points, now.Max), PreviousPercent: percent(before.Points, before.Max)}
			nc.Change = nc.Percent - nc.PreviousPercent
			uc.Nodes = append(uc.Nodes, nc)
		}
		out.Units[a.Code] = uc
	}
	return out, nil
}

func value(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func percent(points, max float64) float64 {
	if max <= 0 {
		return math.NaN()
	}
	return points / max * 100
}
