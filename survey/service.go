package survey

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"parindex"
	"parindex/stats"
	"parindex/store"
)

// Service reads survey results from the database for the dashboards and
// the API. Province-wide figures come from the count table kept at
// ingestion; a unit's full result (bootstrap intervals, alpha, comments)
// reads its raw answers on demand and is cached until the unit's number of
// responses changes (or, with ServeStale, refreshed behind the cached one).
type Service struct {
	db        *store.DB
	questions *questionCache
	opts      ResultOptions
	stale     time.Duration
	log       *slog.Logger // for failed background refreshes

	mu         sync.Mutex
	cache      map[fullKey]cachedResult
	refreshing map[fullKey]bool
}

type fullKey struct {
	instrument, unit int64
	from, to         parindex.Date
	flagged          bool
}

type cachedResult struct {
	responses int
	result    GroupResult
	at        time.Time
}

// NewService prepares a results service.
func NewService(db *store.DB, opts ResultOptions) *Service {
	return &Service{db: db, questions: newQuestionCache(db), opts: opts, cache: map[fullKey]cachedResult{}, refreshing: map[fullKey]bool{}}
}

// ServeStale lets Unit answer with a cached result up to d old when the
// unit has had new responses since, while a fresh one is computed in the
// background for the next request. A unit's result reads all its raw
// answers and bootstraps its intervals (seconds for a busy unit over a
// year), and a unit at a counter gets new responses all day: the
// dashboards use this, so an official does not wait for each citizen.
// Exports and the API keep exact results (d = 0, the default). A failed
// refresh is logged to log and tried again at the next request.
func (s *Service) ServeStale(d time.Duration, log *slog.Logger) { s.stale, s.log = d, log }

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
	out, _, err := s.units(ctx, instrumentCode, p, includeFlagged, nil)
	return out, err
}

// CleanUnitsWithout is Units of the clean responses less those that came
// through the links given (a framework's survey_responses: not_doubtful
// leaves out the links labelled doubtful): each unit's counts lose the
// answers of its links' clean responses in the period. It returns too how
// many clean responses each link lost (links that had none are absent).
func (s *Service) CleanUnitsWithout(ctx context.Context, instrumentCode string, p Period, links []int64) (map[string]GroupResult, map[int64]int, error) {
	return s.units(ctx, instrumentCode, p, false, links)
}

// units reads every unit's counts for the period, less the clean
// responses of the leaveOut links (given only without the flagged ones).
func (s *Service) units(ctx context.Context, instrumentCode string, p Period, includeFlagged bool, leaveOut []int64) (map[string]GroupResult, map[int64]int, error) {
	stored, in, err := s.instrument(ctx, instrumentCode)
	if err != nil {
		return nil, nil, err
	}
	questions := QuestionCodes(in)
	var counts map[int64]*store.UnitCounts
	lost := map[int64]int{}
	if len(leaveOut) == 0 {
		counts, err = s.db.ResponseCounts(ctx, stored.ID, p.From, p.To, includeFlagged, questions)
	} else {
		var links map[int64]*store.LinkCounts
		counts, links, err = s.db.CleanCountsWithout(ctx, stored.ID, p.From, p.To, questions, leaveOut)
		for id, l := range links {
			lost[id] = l.Responses
		}
	}
	if err != nil {
		return nil, nil, err
	}
	units, err := s.db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, nil, err
	}
	codes := map[int64]string{}
	for _, u := range units {
		codes[u.ID] = u.Code
	}
	out := make(map[string]GroupResult, len(counts))
	for id, c := range counts {
		out[codes[id]] = FromCounts(in, codes[id], c.Questions, c.Respondents, c.Flagged, s.opts)
	}
	return out, lost, nil
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
	// A screen flags stored responses without changing their number: the
	// cached result is fresh only if the flagged ones are as many too.
	flagged, err := s.db.CountResponses(ctx, store.ResponseFilter{UnitID: f.UnitID, InstrumentID: f.InstrumentID, From: f.From, To: f.To, Flag: "any"})
	if err != nil {
		return GroupResult{}, err
	}
	key := fullKey{stored.ID, unit.ID, p.From, p.To, includeFlagged}
	s.mu.Lock()
	c, ok := s.cache[key]
	fresh := ok && c.responses == total && c.result.Flagged == flagged
	stale := ok && !fresh && s.stale > 0 && time.Since(c.at) < s.stale
	if stale && !s.refreshing[key] {
		s.refreshing[key] = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := s.computeUnit(ctx, in, unit.Code, f, key, total, includeFlagged); err != nil {
				s.log.Warn("survey: refreshing a unit's results", slog.String("unit", unit.Code), slog.String("error", err.Error()))
			}
			s.mu.Lock()
			delete(s.refreshing, key)
			s.mu.Unlock()
		}()
	}
	s.mu.Unlock()
	if fresh || stale {
		return c.result, nil
	}
	return s.computeUnit(ctx, in, unit.Code, f, key, total, includeFlagged)
}

// computeUnit reads the unit's answers, summarises them and caches the
// result under key with the number of responses it counted.
func (s *Service) computeUnit(ctx context.Context, in *Instrument, unitCode string, f store.ResponseFilter, key fullKey, total int, includeFlagged bool) (GroupResult, error) {
	// The bootstrap resamples forms by their place, so it needs them in id
	// order; linearization does not. Fewer responses than the switch-over
	// always bootstrap; with more, the answering respondents decide, known
	// once read (rarely too few: a unit whose forms are mostly flagged or
	// all "not applicable").
	questions := len(in.Questions())
	inOrder := total < stats.DefaultLinearizationFrom
	read, err := s.db.ResponseAnswers(ctx, f, includeFlagged, inOrder)
	if err == nil && !inOrder && answering(read.Answers, questions) < stats.DefaultLinearizationFrom {
		read, err = s.db.ResponseAnswers(ctx, f, includeFlagged, true)
	}
	if err != nil {
		return GroupResult{}, err
	}
	if len(read.Answers) != read.Responses*questions {
		return GroupResult{}, fmt.Errorf("survey: %d stored responses of %s hold %d answers, not %d each", read.Responses, unitCode, len(read.Answers), questions)
	}
	g := Group{Unit: unitCode, Flagged: read.Flagged, Comments: read.Comments,
		Answers: stats.Answers{Questions: questions, Packed: make([]uint8, 0, len(read.Answers))}}
	for start := 0; start < len(read.Answers); start += questions {
		if err := g.Answers.AppendDigitBytes(read.Answers[start : start+questions]); err != nil {
			return GroupResult{}, fmt.Errorf("survey: a stored response of %s: %w", unitCode, err)
		}
	}
	res, err := Summarise(in, g, s.opts)
	if err != nil {
		return GroupResult{}, fmt.Errorf("survey: results of %s: %w", unitCode, err)
	}
	s.mu.Lock()
	if len(s.cache) > 5000 {
		s.cache = map[fullKey]cachedResult{}
	}
	s.cache[key] = cachedResult{total, res, time.Now()}
	s.mu.Unlock()
	return res, nil
}

// answering counts the forms of packed answers (questions digits each)
// with at least one answer on the scale.
func answering(packed []byte, questions int) int {
	n := 0
	for start := 0; start+questions <= len(packed); start += questions {
		for _, a := range packed[start : start+questions] {
			if a != '0' {
				n++
				break
			}
		}
	}
	return n
}
