package dashboard

import (
	"context"
	"sync"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/survey"
)

// surveyCache keeps every unit's survey figures for an instrument and a
// year. Reading them aggregates the whole year's count table, which is the
// slowest part of the overview; responses arrive all day, so figures a
// little behind are served while one refresh runs in the background
// (stale-while-revalidate), and the page never waits for it once warm.
type surveyCache struct {
	mu      sync.Mutex
	entries map[surveyKey]*surveyEntry
}

type surveyKey struct {
	instrument string
	year       int
}

type surveyEntry struct {
	latest     int64 // LatestResponseID when read
	results    map[string]survey.GroupResult
	refreshing bool
}

// surveyUnits returns every unit's survey result for the instrument and
// year: from the cache when no response arrived since, the cached figures
// while a background refresh runs when some did, and read now when there
// is nothing cached.
func (s *Service) surveyUnits(ctx context.Context, instrument string, year int) (map[string]survey.GroupResult, error) {
	latest, err := s.DB.LatestResponseID(ctx)
	if err != nil {
		return nil, err
	}
	key := surveyKey{instrument, year}
	s.cache.mu.Lock()
	e, ok := s.cache.entries[key]
	if ok && (e.latest == latest || e.refreshing) {
		s.cache.mu.Unlock()
		return e.results, nil
	}
	if ok {
		e.refreshing = true
		s.cache.mu.Unlock()
		go s.refreshSurvey(context.WithoutCancel(ctx), key, latest)
		return e.results, nil
	}
	s.cache.mu.Unlock()
	results, err := s.Survey.Units(ctx, instrument, survey.Year(year), false)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	s.cache.entries[key] = &surveyEntry{latest: latest, results: results}
	s.cache.mu.Unlock()
	return results, nil
}

func (s *Service) refreshSurvey(ctx context.Context, key surveyKey, latest int64) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	results, err := s.Survey.Units(ctx, key.instrument, survey.Year(key.year), false)
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	e := s.cache.entries[key]
	e.refreshing = false
	if err != nil {
		return // keep the figures we have; the next request tries again
	}
	e.latest, e.results = latest, results
}

// loadedSnapshot is a published snapshot decoded once: published snapshots
// never change (publishing freezes them), so they are kept for the life of
// the process. Callers must treat them as read-only.
type loadedSnapshot struct {
	snapshot  *parindex.Snapshot
	result    *scoring.Result
	record    *snapshot.Record
	framework *criteria.Framework
	// transactions are the units' yearly records received, from the
	// snapshot's inputs: the weights of combined satisfaction.
	transactions map[string]float64
}

type snapshotCache struct {
	mu         sync.Mutex
	entries    map[int64]*loadedSnapshot
	frameworks map[string]*criteria.Framework // published frameworks by code
}

// loadSnapshot returns a snapshot with its decoded result and its
// framework, from the cache when it was read before.
func (s *Service) loadSnapshot(ctx context.Context, id int64) (*loadedSnapshot, error) {
	s.snapshots.mu.Lock()
	l, ok := s.snapshots.entries[id]
	s.snapshots.mu.Unlock()
	if ok {
		return l, nil
	}
	sn, err := s.DB.Snapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	res, err := snapshot.Result(sn)
	if err != nil {
		return nil, err
	}
	rec, err := snapshot.DecodeRecord(sn)
	if err != nil {
		return nil, err
	}
	fw, err := s.framework(ctx, sn.FrameworkCode)
	if err != nil {
		return nil, err
	}
	transactions := map[string]float64{}
	if in, err := scoring.ParseInputs(sn.Inputs); err == nil {
		for _, a := range in.Agencies {
			if v, ok := a.Metrics[recordsMetric]; ok {
				transactions[a.Code] = v
			}
		}
	}
	sn.Inputs, sn.Results, sn.Record = nil, nil, nil // decoded above; the page never reads them
	l = &loadedSnapshot{snapshot: sn, result: res, record: rec, framework: fw, transactions: transactions}
	if sn.Status == parindex.StatusPublished {
		s.snapshots.mu.Lock()
		s.snapshots.entries[id] = l
		s.snapshots.mu.Unlock()
	}
	return l, nil
}
