package web

// Today's survey count, live, by Server-Sent Events. One broker per server
// learns that responses may have been stored (PostgreSQL: a notification
// sent by the storing transaction on commit; SQLite: polling the highest
// response id), reads today's counts once for everyone, and wakes the
// streams; each stream filters the counts down to the units its user may
// view and sends them as the same JSON as today.json. live.js falls back to
// polling today.json when EventSource is missing or fails.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/web/kit"
)

// liveOptions are the broker's timings and limits; tests shorten them.
type liveOptions struct {
	Poll        time.Duration // SQLite: how often to look for new responses
	MinInterval time.Duration // at most one event per stream in this time (bursts coalesce)
	Heartbeat   time.Duration // a comment line this often keeps proxies from closing an idle stream
	MaxLife     time.Duration // a stream ends after this; EventSource reconnects, and authorisation is checked again
	PerUser     int           // concurrent streams of one user
	WriteWait   time.Duration // deadline of one write to a client
}

var defaultLiveOptions = liveOptions{Poll: 2 * time.Second, MinInterval: time.Second, Heartbeat: 25 * time.Second,
	MaxLife: 10 * time.Minute, PerUser: 4, WriteWait: 15 * time.Second}

// liveBroker fans today's counts out to the open streams.
type liveBroker struct {
	s    *Server
	kick chan struct{} // capacity 1: responses may have changed

	mu      sync.Mutex
	opts    liveOptions
	day     parindex.Date // of counts; the zero date when unknown
	counts  []store.UnitResponseCount
	updated chan struct{} // closed, and replaced, when counts change
	streams map[int64]int // open streams per user id

	closeOnce sync.Once
	closed    chan struct{} // closed when the server shuts down
}

func newLiveBroker(s *Server) *liveBroker {
	return &liveBroker{s: s, opts: defaultLiveOptions, kick: make(chan struct{}, 1), updated: make(chan struct{}),
		streams: map[int64]int{}, closed: make(chan struct{})}
}

// options returns the timings and limits.
func (b *liveBroker) options() liveOptions {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opts
}

// changed is called by the watcher; it never blocks, and any number of
// calls before the broker looks count as one.
func (b *liveBroker) changed() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// close ends every stream (the server is shutting down: http.Server waits
// for handlers, and a stream would otherwise never end).
func (b *liveBroker) close() { b.closeOnce.Do(func() { close(b.closed) }) }

// run refreshes the counts, when told of responses or at midnight, until
// ctx ends.
func (b *liveBroker) run(ctx context.Context) {
	// The server's watcher of the database's changes (changes.go) calls
	// changed when responses may have been stored.
	//
	// The day turns at midnight in Vietnam without any response arriving.
	midnight := time.NewTicker(time.Minute)
	defer midnight.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.kick:
		case <-midnight.C:
			b.mu.Lock()
			same := b.day == b.s.vietnamToday()
			b.mu.Unlock()
			if same {
				continue
			}
		}
		// Coalesce: one read per MinInterval however many batches arrive.
		if wait := b.options().MinInterval - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			select { // what arrived while waiting is in this read
			case <-b.kick:
			default:
			}
		}
		last = time.Now()
		b.refresh(ctx)
	}
}

// refresh reads today's counts and wakes the streams when they changed.
// With no stream open it reads nothing and forgets what it had, so the next
// change is always sent.
func (b *liveBroker) refresh(ctx context.Context) {
	b.mu.Lock()
	idle := len(b.streams) == 0
	if idle {
		b.day, b.counts = parindex.Date{}, nil
	}
	b.mu.Unlock()
	if idle {
		return
	}
	day := b.s.vietnamToday()
	counts, err := b.s.db.ResponsesByUnitOn(ctx, day)
	if err != nil {
		if ctx.Err() == nil {
			b.s.log.Warn("live counter: reading today's counts", "error", err.Error())
		}
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if day == b.day && slices.Equal(counts, b.counts) {
		return
	}
	b.day, b.counts = day, counts
	close(b.updated)
	b.updated = make(chan struct{})
}

// latest returns the current counts and the channel closed at the next change.
func (b *liveBroker) latest() (parindex.Date, []store.UnitResponseCount, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.day, b.counts, b.updated
}

// acquire counts a stream of the user, refusing one over the limit.
func (b *liveBroker) acquire(user int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.streams[user] >= b.opts.PerUser { // b.mu is held
		return false
	}
	b.streams[user]++
	return true
}

func (b *liveBroker) release(user int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.streams[user]--; b.streams[user] <= 0 {
		delete(b.streams, user)
	}
}

// visibleCounts keeps the counts of the units in visible.
func visibleCounts(day parindex.Date, counts []store.UnitResponseCount, visible map[int64]bool) todayCounts {
	out := todayCounts{Day: day.String(), ByUnit: []surveyUnitCount{}}
	for _, uc := range counts {
		if visible[uc.UnitID] {
			out.Today += uc.Count
			out.ByUnit = append(out.ByUnit, surveyUnitCount{uc.UnitCode, uc.UnitName, uc.Count})
		}
	}
	return out
}

// todayEvents streams today's counts of the units the user may view as
// Server-Sent Events: "event: today" with today.json's JSON at once and at
// each change (at most one a second), a comment line as heartbeat, until
// the client goes, the stream reaches its maximum life, or the server shuts
// down. The route's middleware has already authorised the user.
func (s *Server) todayEvents(c *gin.Context) {
	b := s.live
	opts := b.options()
	user := kit.CurrentUser(c)
	if !b.acquire(user.ID) {
		c.Header("Retry-After", "30")
		s.Render(c, http.StatusTooManyRequests, "message", "error.title", kit.Message{Key: "live.too_many"})
		return
	}
	defer b.release(user.ID)
	_, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	ctx := c.Request.Context()
	// The first event reads the database itself: the broker's counts are
	// empty while no stream is open.
	day := s.vietnamToday()
	counts, err := s.db.ResponsesByUnitOn(ctx, day)
	if err != nil {
		s.InternalError(c, err)
		return
	}

	// gin's Flush goes through the session middleware's writer, which
	// cannot flush; the controller of the writer beneath it can, and can
	// push the write deadline past http.Server's WriteTimeout.
	var w http.ResponseWriter = c.Writer
	if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
		w = u.Unwrap()
	}
	rc := http.NewResponseController(w)
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()

	send := func(chunk []byte) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(opts.WriteWait)); err != nil {
			return false
		}
		if _, err := c.Writer.Write(chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	var last []byte
	event := func(t todayCounts) bool {
		data, err := json.Marshal(t)
		if err != nil {
			return false
		}
		if bytes.Equal(data, last) {
			return true // a change elsewhere: nothing new for this user
		}
		last = data
		return send([]byte("event: today\ndata: " + string(data) + "\n\n"))
	}
	// retry: how long EventSource waits before reconnecting.
	if !send([]byte("retry: 5000\n\n")) || !event(visibleCounts(day, counts, visible)) {
		return
	}

	heartbeat := time.NewTicker(opts.Heartbeat)
	defer heartbeat.Stop()
	life := time.NewTimer(opts.MaxLife)
	defer life.Stop()
	var lastSent time.Time
	for {
		_, _, updated := b.latest()
		select {
		case <-ctx.Done():
			return
		case <-b.closed:
			return
		case <-life.C:
			return
		case <-heartbeat.C:
			if !send([]byte(": keep-alive\n\n")) {
				return
			}
			continue
		case <-updated:
		}
		if wait := opts.MinInterval - time.Since(lastSent); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-b.closed:
				return
			case <-time.After(wait):
			}
		}
		day, counts, _ := b.latest()
		if !event(visibleCounts(day, counts, visible)) {
			return
		}
		lastSent = time.Now()
	}
}
