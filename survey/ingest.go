package survey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"parindex"
	"parindex/store"
)

// ErrUnavailable is returned when responses cannot be stored right now (the
// database is down or the server is stopping); the form says "try again".
var ErrUnavailable = errors.New("survey: responses cannot be stored right now")

// Ingester stores responses by group commit: one writer takes every response
// waiting at that moment and stores them in one transaction, so throughput
// grows with load while a lone response still commits at once. Submit
// returns only after the transaction has committed: a 2xx means stored.
type Ingester struct {
	db           *store.DB
	log          *slog.Logger
	questions    *questionCache
	jobs         chan *job
	writers      int
	maxBatch     int
	deviceWindow time.Duration

	mu      sync.Mutex
	stopped bool
	done    chan struct{}
}

type job struct {
	r       *parindex.Response
	outcome store.InsertOutcome
	err     error
	done    chan struct{}
}

// DeviceWindow is how long a device counts as a repeat for the same unit.
// The store keeps only the hour a device answered, so repeats up to an hour
// further apart may be flagged too (see store.DB.InsertResponses).
const DeviceWindow = 10 * time.Minute

// NewIngester prepares an ingester; call Run to start its writers. Zero
// writers means the default: one on SQLite (which has one writer at a time
// anyway), two on PostgreSQL, whose transactions then overlap on the server
// (the store takes row locks in one order, so they cannot deadlock). More
// writers make smaller batches, each with its own commit.
func NewIngester(db *store.DB, log *slog.Logger, writers int) *Ingester {
	if writers <= 0 {
		writers = 1
		if db.Dialect() == store.Postgres {
			writers = 2
		}
	}
	return &Ingester{
		writers:      writers,
		db:           db,
		log:          log,
		questions:    newQuestionCache(db),
		jobs:         make(chan *job, 4096),
		maxBatch:     512,
		deviceWindow: DeviceWindow,
		done:         make(chan struct{}),
	}
}

// Submit queues r and waits until it is committed (or failed).
func (ing *Ingester) Submit(ctx context.Context, r *parindex.Response) (store.InsertOutcome, error) {
	j := &job{r: r, done: make(chan struct{})}
	ing.mu.Lock()
	if ing.stopped {
		ing.mu.Unlock()
		return 0, ErrUnavailable
	}
	select {
	case ing.jobs <- j:
	default:
		ing.mu.Unlock()
		return 0, fmt.Errorf("%w: the queue is full", ErrUnavailable)
	}
	ing.mu.Unlock()
	select {
	case <-j.done:
		return j.outcome, j.err
	case <-ctx.Done():
		// The response may still commit; the client will retry with the
		// same idempotency key and get the same answer.
		return 0, ctx.Err()
	}
}

// Run writes batches until ctx ends, then stores what is already queued and
// refuses new submissions.
func (ing *Ingester) Run(ctx context.Context) {
	defer close(ing.done)
	var wg sync.WaitGroup
	for w := 0; w < ing.writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ing.writeUntil(ctx)
		}()
	}
	purge := time.NewTicker(time.Minute)
	defer purge.Stop()
	for {
		select {
		case <-purge.C:
			if err := ing.db.PurgeDevices(ctx, ing.deviceWindow); err != nil && ctx.Err() == nil {
				ing.log.Warn("survey: purging devices", slog.String("error", err.Error()))
			}
			if err := ing.db.PurgeQuietSlots(ctx); err != nil && ctx.Err() == nil {
				ing.log.Warn("survey: forgetting quiet arrival slots", slog.String("error", err.Error()))
			}
		case <-ctx.Done():
			ing.mu.Lock()
			ing.stopped = true
			ing.mu.Unlock()
			wg.Wait()
			// Nothing can be queued any more: store what is left.
			for {
				select {
				case j := <-ing.jobs:
					ing.write(ing.drain(j))
				default:
					return
				}
			}
		}
	}
}

func (ing *Ingester) writeUntil(ctx context.Context) {
	for {
		select {
		case j := <-ing.jobs:
			ing.write(ing.drain(j))
		case <-ctx.Done():
			return
		}
	}
}

// Wait blocks until Run has returned.
func (ing *Ingester) Wait() { <-ing.done }

// drain takes first and every job already waiting, up to maxBatch.
func (ing *Ingester) drain(first *job) []*job {
	batch := []*job{first}
	for len(batch) < ing.maxBatch {
		select {
		case j := <-ing.jobs:
			batch = append(batch, j)
		default:
			return batch
		}
	}
	return batch
}

func (ing *Ingester) write(batch []*job) {
	// The batch must outlive a cancelled server context: these responses
	// were accepted and their senders are waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := ing.store(ctx, batch)
	if err != nil && len(batch) > 1 {
		// Store one by one, so that one bad response cannot fail the others.
		for _, j := range batch {
			if serr := ing.store(ctx, []*job{j}); serr != nil {
				j.err = serr
			}
			close(j.done)
		}
		return
	}
	for _, j := range batch {
		j.err = err
		close(j.done)
	}
}

func (ing *Ingester) store(ctx context.Context, batch []*job) error {
	rs := make([]*parindex.Response, len(batch))
	questions := map[int64][]string{}
	for i, j := range batch {
		rs[i] = j.r
		if _, ok := questions[j.r.InstrumentID]; !ok {
			in, err := ing.questions.get(ctx, j.r.InstrumentID)
			if err != nil {
				return err
			}
			questions[j.r.InstrumentID] = QuestionCodes(in)
		}
	}
	outcomes, err := ing.db.InsertResponses(ctx, rs, questions, ing.deviceWindow)
	if err != nil {
		ing.log.Error("survey: storing responses", slog.Int("batch", len(batch)), slog.String("error", err.Error()))
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	for i, j := range batch {
		j.outcome = outcomes[i]
	}
	return nil
}

// QuestionCodes lists the instrument's question codes in form order: the
// order of the digits in a stored response.
func QuestionCodes(in *Instrument) []string {
	qs := in.Questions()
	codes := make([]string, len(qs))
	for i, q := range qs {
		codes[i] = q.Code
	}
	return codes
}

// questionCache keeps parsed published instruments by id; a published
// instrument never changes, so entries never go stale.
type questionCache struct {
	db *store.DB
	mu sync.Mutex
	m  map[int64]*Instrument
}

func newQuestionCache(db *store.DB) *questionCache {
	return &questionCache{db: db, m: map[int64]*Instrument{}}
}

// parseStored parses a stored instrument: one that does not parse is the
// database's fault, and the error says which.
func parseStored(stored *parindex.StoredInstrument) (*Instrument, error) {
	in, err := ParseInstrument(stored.Code+".yaml", []byte(stored.Source))
	if err != nil {
		return nil, fmt.Errorf("survey: stored instrument %s does not parse: %w", stored.Code, err)
	}
	return in, nil
}

// storedInstrument reads the instrument of code from the database, parsed.
func storedInstrument(ctx context.Context, db *store.DB, code string) (*parindex.StoredInstrument, *Instrument, error) {
	stored, err := db.InstrumentByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	in, err := parseStored(stored)
	return stored, in, err
}

func (c *questionCache) get(ctx context.Context, id int64) (*Instrument, error) {
	c.mu.Lock()
	in, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return in, nil
	}
	stored, err := c.db.InstrumentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if in, err = parseStored(stored); err != nil {
		return nil, err
	}
	if stored.Status == parindex.StatusPublished {
		c.mu.Lock()
		c.m[id] = in
		c.mu.Unlock()
	}
	return in, nil
}
