package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ResponsesChannel is the PostgreSQL notification channel told about every
// committed batch of survey responses. Channels are per database, not per
// schema: two installations sharing a database wake each other, which costs
// a recount and nothing else.
const ResponsesChannel = "parindex_responses"

// notifyResponses tells listeners that a batch of responses is being
// stored. On PostgreSQL it runs inside the batch's transaction, so the
// notification is delivered on commit and never for a rolled-back batch;
// SQLite has no notifications (WatchResponses polls there).
func (db *DB) notifyResponses(ctx context.Context, tx *sqlx.Tx) error {
	if db.dialect != Postgres {
		return nil
	}
	if _, err := db.txExec(ctx, tx, `SELECT pg_notify($1, '')`, ResponsesChannel); err != nil {
		return fmt.Errorf("store: unable to notify new responses: %w", err)
	}
	return nil
}

// WatchResponses calls changed whenever survey responses may have been
// stored, until ctx ends; it returns nil then. On PostgreSQL it listens on
// ResponsesChannel over a dedicated connection that reconnects by itself
// (with a ping every 90 s to notice a dead one), and calls changed after
// each notification and after each reconnection, since notifications sent
// while it was away are lost. On SQLite, where there is one server process
// and no notifications, it reads the highest response id every poll and
// calls changed when it moved. changed must not block.
func (db *DB) WatchResponses(ctx context.Context, poll time.Duration, log *slog.Logger, changed func()) error {
	if db.dialect == Postgres {
		return db.listenResponses(ctx, log, changed)
	}
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
			changed()
		}
	}
}

func (db *DB) listenResponses(ctx context.Context, log *slog.Logger, changed func()) error {
	if db.dsn == "" {
		return errors.New("store: no connection string to listen for responses")
	}
	l := pq.NewListener(db.dsn, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		if err != nil && ctx.Err() == nil {
			log.Warn("store: response listener", slog.String("event", ev.String()), slog.String("error", err.Error()))
		}
	})
	defer l.Close()
	// Listen blocks until a connection is up; Close (at the end of ctx)
	// releases it.
	listening := make(chan error, 1)
	go func() { listening <- l.Listen(ResponsesChannel) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-listening:
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("store: unable to listen on %s: %w", ResponsesChannel, err)
		}
	}
	ping := time.NewTicker(90 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.Notify:
			// A nil notification follows a reconnection: something may
			// have been missed, so it counts as a change too.
			changed()
		case <-ping.C:
			if err := l.Ping(); err != nil {
				log.Warn("store: response listener ping", slog.String("error", err.Error()))
			}
		}
	}
}
