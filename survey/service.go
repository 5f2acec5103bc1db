package survey

import (
	"context"
	"fmt"
	"sync"

	"parindex"
	"parindex/store"
)

// Service reads survey results from the database for the dashboards and
// the API. Province-wide figures come from the count table kept at
// ingestion; a unit's full result (bootstrap intervals, alpha, comments)
// reads its raw answers on demand and is cached until the unit's number of
// responses changes.
type Service struct {
	db        *store.DB
	questions *questionCache
	opts      ResultOptions

	mu    sync.Mutex
	cache map[fullKey]cachedResult
}

type fullKey struct {
	instrument, unit int64
	from, to         parindex.Date
	flagged          bool
}

type cachedResult struct {
	responses int
	result    GroupResult
}

// NewService prepares a results service.
func NewService(db *store.DB, opts ResultOptions) *Service {
	return &Service{db: db, questions: newQuestionCache(db), opts: opts, cache: map[fullKey]cachedResult{}}
}

// Period selects responses by day (inclusive; zero dates leave an end open).
type Period struct {
	From, To parindex.Date
}

// Year is the calendar year as a period.
func Year(y int) Period {
	return Period{From: parindex.Date{Year: y, Month: 1, Day: 1}, To: parindex.Date{Year: y, Month: 12, Day: 31}}
}

func (s *Service) instrument(ctx context.Context, code string) (*parindex.StoredInstrument, *Instrument, error) {
	stored, err := s.db.InstrumentByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	in, err := s.questions.get(ctx, stored.ID)
	return stored, in, err
}

// Instrument returns a stored instrument, parsed.
func (s *Service) Instrument(ctx context.Context, code string) (*Instrument, error) {
	_, in, err := s.instrument(ctx, code)
	return in, err
}

// Units returns every unit's point estimates and question intervals for the
// period, keyed by unit code, from the count table.
func (s *Service) Units(ctx context.Context, instrumentCode string, p Period, includeFlagged bool) (map[string]GroupResult, error) {
	stored, in, err := s.instrument(ctx, instrumentCode)
	if err != nil {
		return nil, err
	}
	counts, err := s.db.ResponseCounts(ctx, stored.ID, p.From, p.To, includeFlagged, len(in.Questions()))
	if err != nil {
		return nil, err
	}
	units, err := s.db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	codes := map[int64]string{}
	for _, u := range units {
		codes[u.ID] = u.Code
	}
	out := make(map[string]GroupResult, len(counts))
	for id, c := range counts {
		out[codes[id]] = FromCounts(in, codes[id], c.Questions, c.Respondents, c.Flagged, s.opts)
	}
	return out, nil
}

// Unit returns one unit's full result for the period: bootstrap intervals,
// Cronbach's alpha and, above the privacy threshold, its comments.
func (s *Service) Unit(ctx context.Context, instrumentCode, unitCode string, p Period, includeFlagged bool) (GroupResult, error) {
	stored, in, err := s.instrument(ctx, instrumentCode)
	if err != nil {
		return GroupResult{}, err
	}
	unit, err := s.db.OrgUnitByCode(ctx, unitCode)
	if err != nil {
		return GroupResult{}, err
	}
	f := store.ResponseFilter{UnitID: unit.ID, InstrumentID: stored.ID, From: p.From, To: p.To}
	total, err := s.db.CountResponses(ctx, f)
	if err != nil {
		return GroupResult{}, err
	}
	key := fullKey{stored.ID, unit.ID, p.From, p.To, includeFlagged}
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && c.responses == total {
		return c.result, nil
	}
	rows, err := s.db.ResponseAnswers(ctx, f)
	if err != nil {
		return GroupResult{}, err
	}
	g := Group{Unit: unit.Code}
	for _, r := range rows {
		if r.Flagged && !includeFlagged {
			g.Flagged++
			continue
		}
		if r.Flagged {
			g.Flagged++
		}
		answers := make([]int, len(r.Answers))
		for i := range r.Answers {
			answers[i] = int(r.Answers[i] - '0')
		}
		g.Answers = append(g.Answers, answers)
		g.Comments = append(g.Comments, r.Comment)
	}
	res, err := Summarise(in, g, s.opts)
	if err != nil {
		return GroupResult{}, fmt.Errorf("survey: results of %s: %w", unitCode, err)
	}
	s.mu.Lock()
	if len(s.cache) > 5000 {
		s.cache = map[fullKey]cachedResult{}
	}
	s.cache[key] = cachedResult{total, res}
	s.mu.Unlock()
	return res, nil
}
