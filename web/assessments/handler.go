package assessments

import (
	"sync/atomic"

	"parindex"
	"parindex/snapshot"
	"parindex/store"
	"parindex/web/kit"
)

// Handler serves the assessment pages. The server that mounts it is its
// kit.Host: the layout, the answers, the session and the policy are the
// server's.
type Handler struct {
	kit.Host
	db    *store.DB
	clock parindex.Clock // every time people read, in the province's zone
	// figures gathers the survey figures of a framework's agencies as a
	// score snapshot does (its Build, under the framework's
	// survey_responses and the integrity policy in force).
	figures *snapshot.Runner
	dataDir string // evidence files live under it
	// maxEvidence is the limit of one evidence file, in bytes.
	maxEvidence atomic.Int64
}

// New builds the handler; figures gathers survey figures as a snapshot
// does; maxEvidence is the limit of one evidence file in bytes (0: the
// default).
func New(host kit.Host, db *store.DB, clock parindex.Clock, figures *snapshot.Runner, dataDir string, maxEvidence int64) *Handler {
	h := &Handler{Host: host, db: db, clock: clock, figures: figures, dataDir: dataDir}
	h.SetMaxEvidenceSize(maxEvidence)
	return h
}

// SetMaxEvidenceSize sets the limit of one evidence file in bytes (0 or
// less restores the default of 20 MB). The server starts with the limit of
// its configuration (PARINDEX_EVIDENCE_MAX_MB); tests lower it.
func (s *Handler) SetMaxEvidenceSize(n int64) {
	if n <= 0 {
		n = store.DefaultMaxEvidenceSize
	}
	s.maxEvidence.Store(n)
}
