package web

import (
	"context"

	"parindex/store"
)

// watchChanges keeps what this server holds in memory in step with the
// database, which other servers on it change too (docs/architecture.md,
// "Several servers"): every committed change that a cache or the live
// counter depends on is told through the database (store.WatchChanges:
// PostgreSQL's NOTIFY on store.ChangesChannel, sent by the changing
// transaction), and the server forgets or refreshes what it concerns. After
// the listener reconnects everything counts as changed.
func (s *Server) watchChanges(ctx context.Context) {
	if err := s.db.WatchChanges(ctx, s.live.options().Poll, s.log, s.changed); err != nil {
		s.log.Error("watching the database's changes", "error", err.Error())
	}
}

// changed is told one change; it never blocks.
func (s *Server) changed(c store.Change) {
	all := c == store.ChangeAll
	if all || c == store.ChangeResponses {
		s.live.changed()
	}
	if all || c == store.ChangeLinks {
		s.survey.ForgetLinks()
	}
	// The dashboards' figures notice new responses by themselves
	// (LatestResponseID); flags and links they are told.
	if all || c == store.ChangeFlags || c == store.ChangeLinks {
		s.dashboards.Outdate()
	}
}
