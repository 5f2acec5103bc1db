package parindex

import "time"

// Snapshot is one scoring run over the database: a framework, the year, the
// exact inputs scored and the engine's output (both JSON), and a summary row
// per unit. Publishing makes it immutable.
type Snapshot struct {
	ID            int64
	FrameworkCode string
	FrameworkHash string
	Year          int
	Status        string // StatusDraft or StatusPublished
	Inputs        []byte // scoring inputs, JSON
	Results       []byte // scoring output, JSON
	Seed          uint64 // of the rank-uncertainty draws
	Note          string
	CreatedAt     time.Time
	CreatedBy     string
	PublishedAt   time.Time
	PublishedBy   string
	// Publication is what a published snapshot was published as (one of
	// the Publication constants); "" for a draft.
	Publication Publication
	// Exceptions are the keys of the incomplete items (PreflightItem.Key)
	// that a final publication accepted; empty otherwise.
	Exceptions      []string
	PublicationNote string // why it was published so, as DoHA wrote it
	// Record is everything the outputs show beside Results (JSON, package
	// snapshot's Record); empty for snapshots scored before it existed.
	Record []byte
	Units  []SnapshotUnit
}

// Publication is the decision under which a snapshot was published.
type Publication string

const (
	// PublicationFinal: nothing was incomplete.
	PublicationFinal Publication = "final"
	// PublicationFinalWithExceptions: final although some items were
	// incomplete; the accepted items are listed in Snapshot.Exceptions.
	PublicationFinalWithExceptions Publication = "final_with_exceptions"
	// PublicationProvisional: published while items are incomplete, to be
	// replaced by a later snapshot; every output says "provisional".
	PublicationProvisional Publication = "provisional"
)

// Valid reports whether p is one of the publication decisions.
func (p Publication) Valid() bool {
	return p == PublicationFinal || p == PublicationFinalWithExceptions || p == PublicationProvisional
}

// Provisional reports whether the snapshot was published as provisional.
func (s *Snapshot) Provisional() bool { return s.Publication == PublicationProvisional }

// SnapshotUnit is one unit's headline figures in a snapshot. Index is nil
// when the unit has no applicable maximum.
type SnapshotUnit struct {
	UnitCode     string
	UnitName     string
	Points       float64
	MaxPoints    float64
	Index        *float64
	IndexRounded *float64
	Rank         int // 0 when unranked
	Band         string
}
