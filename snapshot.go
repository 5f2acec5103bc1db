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
	Units         []SnapshotUnit
}

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
