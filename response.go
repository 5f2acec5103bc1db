package parindex

import "time"

// Quality flags stored with a response. Flagged responses are kept and, by
// default, left out of official results.
const (
	FlagSpeeder         = "speeder"          // filled faster than a person can read
	FlagStraightline    = "straightline"     // every scale answer equal, and fast (QR); in a batch beyond chance (imported forms)
	FlagDuplicateDevice = "duplicate_device" // same device and unit within ten minutes (some up to 70: the store keeps the hour)
	FlagBot             = "bot"              // the hidden honeypot field was filled
	// FlagBatchDuplicate: one of more identical forms of one unit and day
	// than chance explains (imported forms; survey/screen.go).
	FlagBatchDuplicate = "batch_duplicate"
)

// ArrivalSlotLength is the resolution at which QR arrivals are counted per
// link (Response.ArrivalSlot), and SlotKeptMinimum the fewest arrivals a
// closed slot must hold to be kept: a kept slot speaks of that many
// citizens together, never of one (docs/integrity.md).
const (
	ArrivalSlotLength = 5 * time.Minute
	SlotKeptMinimum   = 3
)

// Response sources.
const (
	SourceQR    = "qr"
	SourcePaper = "paper"
	SourceDemo  = "demo"
)

// Response is one anonymous answered survey form. It holds nothing that
// identifies a person: no address, no user agent, the time only to the hour,
// the device and the dossier code only as keyed hashes.
type Response struct {
	ID            int64
	LinkID        int64 // 0 for paper forms
	InstrumentID  int64
	UnitID        int64
	SubmittedHour time.Time
	// ArrivalSlot is the start of the five-minute slot the form arrived in
	// (QR forms; zero for paper). It is never stored with the response:
	// the store counts it per link (link_slots) for the burst indicator.
	ArrivalSlot    time.Time
	Day            Date // the day in Vietnam time
	IdempotencyKey string
	DeviceHash     string // keyed hash of the device cookie, stored
	DeviceKey      string // another keyed hash, only for the repeat check; never stored with the response
	DossierHash    string
	Answers        string // one digit per question in instrument order: 0 not applicable, 1..5
	Profile        string // "code=choice;…"
	Comment        string
	FillSeconds    int
	Flags          []string
	Source         string
}

// Flagged reports whether the response carries any quality flag.
func (r *Response) Flagged() bool { return len(r.Flags) > 0 }

// SurveyLink is a QR link: an instrument at one counter of one unit.
type SurveyLink struct {
	ID             int64
	Token          string
	InstrumentID   int64
	InstrumentCode string
	UnitID         int64
	UnitCode       string
	UnitName       string
	CounterLabel   string
	CreatedAt      time.Time
	CreatedBy      string
	ExpiresAt      time.Time // zero: never
	RevokedAt      time.Time // zero: active
	ResponsesToday int64
	ResponsesTotal int64
}

// Active reports whether the link accepts answers at time t.
func (l *SurveyLink) Active(t time.Time) bool {
	return l.RevokedAt.IsZero() && (l.ExpiresAt.IsZero() || t.Before(l.ExpiresAt))
}

// StoredInstrument is a survey instrument as kept in the database.
type StoredInstrument struct {
	ID          int64
	Code        string
	Name        string
	Year        int
	Source      string // canonical YAML
	Hash        string
	Status      string // "draft" or "published"
	CreatedAt   time.Time
	CreatedBy   string
	PublishedAt time.Time
	PublishedBy string
}

// Statuses of versioned documents (instruments, frameworks).
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)
