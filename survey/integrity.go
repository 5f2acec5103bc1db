package survey

import (
	"context"
	"time"

	"parindex"
	"parindex/integrity"
	"parindex/store"
)

// Integrity judges an instrument's QR links and units over a year under
// policy (docs/integrity.md); loc is the counters' local time, for office
// hours. The report always covers the whole province, since the top-box
// funnel is centred on the province's share: a caller showing one unit
// picks it with Report.Unit. It returns the stored instrument too.
func (s *Service) Integrity(ctx context.Context, instrumentCode string, year int, policy integrity.Policy, loc *time.Location) (*parindex.StoredInstrument, integrity.Report, error) {
	in, err := s.db.InstrumentByCode(ctx, instrumentCode)
	if err != nil {
		return nil, integrity.Report{}, err
	}
	units, links, err := s.db.IntegrityAggregates(ctx, store.IntegrityFilter{InstrumentID: in.ID, Period: parindex.YearPeriod(year), Location: loc})
	if err != nil {
		return nil, integrity.Report{}, err
	}
	return in, integrity.Assess(policy, units, links), nil
}
