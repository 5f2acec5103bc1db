package assessments

import (
	"sync/atomic"

	"parindex"
	"parindex/store"
	"parindex/web/kit"
)

// Handler serves the assessment pages. The server that mounts it is its
// kit.Host: the layout, the answers, the session and the policy are the
// server's.
type Handler struct {
	kit.Host
	db      *store.DB
	clock   parindex.Clock // every time people read, in the province's zone
	dataDir string         // evidence files live under it
	// maxEvidence is the limit of one evidence file, in bytes.
	maxEvidence atomic.Int64
}

// New builds the handler; maxEvidence is the limit of one evidence file in
// bytes (0: the default).
func New(host kit.Host, db *store.DB, clock parindex.Clock, dataDir string, maxEvidence int64) *Handler {
	h := &Handler{Host: host, db: db, clock: clock, dataDir: dataDir}
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
