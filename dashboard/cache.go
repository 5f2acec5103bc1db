package dashboard

import (
	"context"
	"sync"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/integrity"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// freshCache keeps, per key, a value read from the responses (every unit's
// survey figures for an instrument and a year; the year's counter-integrity
// report). Reading one aggregates the whole year's responses, the slowest
// part of the pages that show it; responses arrive all day, so a value a
// little behind is served while one refresh runs in the background
// (stale-while-revalidate), and the page never waits for it once warm. A
// value is fresh while no response has arrived since it was read and it is
// younger than maxAge (the integrity report also moves when DoHA marks a
// link as independent), or while it is younger than minAge whatever
// arrived: under a steady stream of citizens every view found a response
// newer than the value, so one refresh followed another, and the year's
// integrity report (1-2 s of CPU on SQLite) took a CPU of the two from
// the citizens and the other pages (issue 23, 2026-12-07).
type freshCache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*freshEntry[V]
	minAge  time.Duration // refreshed at most this often for new responses
	maxAge  time.Duration // 0: no limit
	// outdated counts the calls of outdate and forget: a value whose read
	// began before one is stored stale.
	outdated uint64
}

type freshEntry[V any] struct {
	latest     int64 // LatestResponseID when read
	at         time.Time
	value      V
	refreshing bool
	// stale: outdate was called while or since it was read, so it may miss
	// a change that no new response id reveals.
	stale bool
}

func newFreshCache[K comparable, V any](minAge, maxAge time.Duration) *freshCache[K, V] {
	return &freshCache[K, V]{entries: map[K]*freshEntry[V]{}, minAge: minAge, maxAge: maxAge}
}

// get returns key's value: from the cache when fresh, the cached value
// while a background refresh runs when stale, and read now by load when
// there is nothing cached.
func (c *freshCache[K, V]) get(ctx context.Context, db *store.DB, key K, load func(context.Context) (V, error)) (V, error) {
	latest, err := db.LatestResponseID(ctx)
	if err != nil {
		var zero V
		return zero, err
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && (e.refreshing || !e.stale && (e.latest == latest || now.Sub(e.at) < c.minAge) && (c.maxAge == 0 || now.Sub(e.at) < c.maxAge)) {
		v := e.value // read under the lock: a refresh may be replacing it
		c.mu.Unlock()
		return v, nil
	}
	outdated := c.outdated
	if ok {
		e.refreshing = true
		stale := e.value
		c.mu.Unlock()
		go c.refresh(context.WithoutCancel(ctx), key, e, latest, now, outdated, load)
		return stale, nil
	}
	c.mu.Unlock()
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.entries[key] = &freshEntry[V]{latest: latest, at: now, value: v, stale: c.outdated != outdated}
	c.mu.Unlock()
	return v, nil
}

// outdate marks every value stale, as a new response would, whatever its
// age: the next get of each key answers with it while one refresh runs.
func (c *freshCache[K, V]) outdate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outdated++
	for _, e := range c.entries {
		e.stale = true
	}
}

// forget drops every value, so that the next request reads anew; a read
// that began before is not kept.
func (c *freshCache[K, V]) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outdated++
	clear(c.entries)
}

func (c *freshCache[K, V]) refresh(ctx context.Context, key K, e *freshEntry[V], latest int64, at time.Time, outdated uint64, load func(context.Context) (V, error)) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	v, err := load(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[key] != e {
		return // forgotten meanwhile: what was read may predate the change
	}
	e.refreshing = false
	if err != nil {
		return // keep the value we have; the next request tries again
	}
	e.latest, e.at, e.value, e.stale = latest, at, v, c.outdated != outdated
}

type surveyKey struct {
	instrument string
	year       int
}

// surveyUnits returns every unit's survey result for the instrument and
// year (see freshCache).
func (s *Service) surveyUnits(ctx context.Context, instrument string, year int) (map[string]survey.GroupResult, error) {
	return s.surveyCache.get(ctx, s.DB, surveyKey{instrument, year}, func(ctx context.Context) (map[string]survey.GroupResult, error) {
		return s.Survey.Units(ctx, instrument, survey.Year(year), false)
	})
}

// integrityMaxAge bounds how long the agency page may show an integrity
// report read before a change that no new response reveals (a link marked
// as independent); integrityMinAge how often new responses refresh it, and
// surveyMinAge the year's survey figures (a count-table read of 0.2-0.4 s
// on SQLite).
const (
	integrityMaxAge = 5 * time.Minute
	integrityMinAge = time.Minute
	surveyMinAge    = 10 * time.Second
)

// Integrity returns the year's counter-integrity report under the policy
// (see freshCache), for the agency page and DoHA's integrity pages (which
// read it fresh at every view until 2026-12-07: 0.3-0.7 s on the demo).
// A link marked or unmarked as independent calls ForgetIntegrity on the
// server that stored it; the others are told (store.ChangeLinks, Outdate)
// and refresh at their next view, within integrityMaxAge should the notice
// be lost.
func (s *Service) Integrity(ctx context.Context, instrument string, year int, policy integrity.Policy, loc *time.Location) (integrity.Report, error) {
	return s.integrityCache.get(ctx, s.DB, surveyKey{instrument, year}, func(ctx context.Context) (integrity.Report, error) {
		_, report, err := s.Survey.Integrity(ctx, instrument, year, policy, loc)
		return report, err
	})
}

// Outdate marks the cached survey figures and integrity reports stale, so
// that the next view of each refreshes it in the background: the server
// calls it when told that stored responses gained flags or a link changed
// (store.ChangeFlags, store.ChangeLinks), changes that no new response id
// reveals. Published snapshots and frameworks never change and stay.
func (s *Service) Outdate() {
	s.surveyCache.outdate()
	s.integrityCache.outdate()
}

// ForgetIntegrity drops the cached integrity reports, after a change that
// no new response reveals.
func (s *Service) ForgetIntegrity() { s.integrityCache.forget() }

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

// Warm reads ahead what the first visitors after a start would wait for:
// each framework's newest published overview (its snapshot and the figures
// it shows) and the integrity report of its survey instrument and year, the
// agency pages' section. serve runs it in the background at start; a
// failure leaves the rest cold, to be read on demand.
func (s *Service) Warm(ctx context.Context, l Locale, policy integrity.Policy, loc *time.Location) error {
	all, err := s.published(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, sn := range all { // newest first
		if seen[sn.FrameworkCode] {
			continue
		}
		seen[sn.FrameworkCode] = true
		o, err := s.Overview(ctx, Filter{Framework: sn.FrameworkCode, Year: sn.Year}, l)
		if err != nil {
			return err
		}
		if o.Instrument == "" {
			continue
		}
		if _, err := s.Integrity(ctx, o.Instrument, o.Filter.Year, policy, loc); err != nil {
			return err
		}
	}
	return nil
}

// Warmed reports whether the integrity report of an instrument and year is
// cached.
func (s *Service) Warmed(instrument string, year int) bool {
	s.integrityCache.mu.Lock()
	defer s.integrityCache.mu.Unlock()
	_, ok := s.integrityCache.entries[surveyKey{instrument, year}]
	return ok
}
