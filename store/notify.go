package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ChangesChannel is the PostgreSQL notification channel told about every
// committed change that a server process may hold in a cache; the payload
// is the Change. Channels are per database, not per schema: two
// installations sharing a database wake each other, which costs a reread
// and nothing else. (Until 2026-12-07 the channel was parindex_responses
// and told of responses only; it now serves every server's caches, issue
// 23.)
const ChangesChannel = "parindex_changes"

// Change names what a committed transaction changed, for the caches and the
// live counter of every server process on the database.
type Change string

const (
	// ChangeResponses: survey responses were stored (a batch of the
	// public form, an import of paper forms).
	ChangeResponses Change = "responses"
	// ChangeFlags: stored responses gained flags (screening), which moves
	// them out of the clean counts without adding a response.
	ChangeFlags Change = "flags"
	// ChangeLinks: a QR link was revoked, or marked or unmarked as DoHA's
	// independent sample. (A new link needs no word: a token not found is
	// never cached.)
	ChangeLinks Change = "links"
	// ChangeAll: anything may have changed. A watcher is told so after its
	// listener reconnected, since notifications sent meanwhile are lost.
	ChangeAll Change = "*"
)

// notify tells every watcher of the database that tx changed what c names,
// once tx commits and never if it rolls back. On PostgreSQL it is a
// pg_notify inside tx, which the server delivers on commit to every
// listening process, this one included; on SQLite, which has no
// notifications and one serving process, inTx tells this process's
// watchers after the commit.
func (db *DB) notify(ctx context.Context, tx *sqlx.Tx, c Change) error {
	if db.dialect != Postgres {
		db.local.hold(tx, c)
		return nil
	}
	if _, err := db.txExec(ctx, tx, `SELECT pg_notify($1, $2)`, ChangesChannel, string(c)); err != nil {
		return fmt.Errorf("store: unable to notify a change of %s: %w", c, err)
	}
	return nil
}

// localChanges carries SQLite's changes from their transaction to this
// process's watchers.
type localChanges struct {
	mu       sync.Mutex
	pending  map[*sqlx.Tx][]Change
	watchers map[int]func(Change)
	next     int
}

func (l *localChanges) hold(tx *sqlx.Tx, c Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		l.pending = map[*sqlx.Tx][]Change{}
	}
	l.pending[tx] = append(l.pending[tx], c)
}

// ended tells the watchers of the changes tx held when it committed, and
// forgets them either way.
func (l *localChanges) ended(tx *sqlx.Tx, committed bool) {
	l.mu.Lock()
	changes := l.pending[tx]
	delete(l.pending, tx)
	var watchers []func(Change)
	if committed && len(changes) > 0 {
		for _, w := range l.watchers {
			watchers = append(watchers, w)
		}
	}
	l.mu.Unlock()
	for _, c := range changes {
		for _, w := range watchers {
			w(c)
		}
	}
}

func (l *localChanges) watch(w func(Change)) (stop func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.watchers == nil {
		l.watchers = map[int]func(Change){}
	}
	id := l.next
	l.next++
	l.watchers[id] = w
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.watchers, id)
	}
}

// WatchChanges calls changed with each committed Change, until ctx ends; it
// returns nil then. changed must not block.
//
// On PostgreSQL it listens on ChangesChannel over a dedicated connection
// that reconnects by itself (with a ping every 90 s to notice a dead one):
// a change committed by any process on the database arrives within
// milliseconds of its commit, and after each reconnection changed is
// called with ChangeAll, since notifications sent while it was away are
// lost.
//
// On SQLite, the changes committed by this process arrive as their
// transaction commits; another process on the same file (the command
// line importing paper forms, say) is seen by reading the highest response
// id every poll, which reports ChangeResponses when it moved. Other changes
// by another process are not seen: SQLite serves from one process (the
// caches that hold them say how long they may be behind).
func (db *DB) WatchChanges(ctx context.Context, poll time.Duration, log *slog.Logger, changed func(Change)) error {
	if db.dialect == Postgres {
		return db.listenChanges(ctx, log, changed)
	}
	stop := db.local.watch(changed)
	defer stop()
	last, err := db.LatestResponseID(ctx)
	if err != nil && ctx.Err() == nil {
		log.Warn("store: reading the latest response id", slog.String("error", err.Error()))
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		id, err := db.LatestResponseID(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("store: polling for new responses", slog.String("error", err.Error()))
			continue
		}
		if id != last {
			last = id
			changed(ChangeResponses)
		}
	}
}

func (db *DB) listenChanges(ctx context.Context, log *slog.Logger, changed func(Change)) error {
	if db.dsn == "" {
		return errors.New("store: no connection string to listen for changes")
	}
	l := pq.NewListener(db.dsn, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		if err != nil && ctx.Err() == nil {
			log.Warn("store: change listener", slog.String("event", ev.String()), slog.String("error", err.Error()))
		}
	})
	defer l.Close()
	// Listen blocks until a connection is up; Close (at the end of ctx)
	// releases it.
	listening := make(chan error, 1)
	go func() { listening <- l.Listen(ChangesChannel) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-listening:
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("store: unable to listen on %s: %w", ChangesChannel, err)
		}
	}
	ping := time.NewTicker(90 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			// A nil notification follows a reconnection: something may
			// have been missed, so everything counts as changed.
			if n == nil || n.Extra == "" {
				changed(ChangeAll)
			} else {
				changed(Change(n.Extra))
			}
		case <-ping.C:
			if err := l.Ping(); err != nil {
				log.Warn("store: change listener ping", slog.String("error", err.Error()))
			}
		}
	}
}
