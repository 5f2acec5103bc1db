package parindex

import "time"

// AuditEntry is one row of the append-only audit log: who changed what, from
// what, to what, and why. Before and After hold JSON documents of the object
// ("" when the object did not exist before or does not exist after).
type AuditEntry struct {
	ID         int64
	At         time.Time
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	Before     string
	After      string
	Reason     string
	RequestID  string
}

// Actor identifies who acts in an official change: a user, a token or the
// command line. RequestID ties the change to the request log line.
type Actor struct {
	Name      string
	RequestID string
}
