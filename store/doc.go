// Package store is the database access of parindex, with sqlx over SQLite
// (modernc.org/sqlite, the zero-set-up default) and PostgreSQL (lib/pq).
//
// It owns opening a database from a URL, applying the embedded migrations
// with goose under a lock, and one file per aggregate (orgs, audit, …) whose
// exported methods own their transaction. SQL sits inside the method that
// runs it, with $n parameters only (both drivers accept them).
//
// The rules of an aggregate with a model package of its own are that
// package's: the assessment files (assessments.go loads; assessment_*.go
// write) keep the SQL and the audit rows, and ask package assessment's rules
// inside their transactions.
//
// It may import migrations, the root domain package, criteria (stored
// frameworks parse back into the model) and assessment; it must never
// import web, survey, gin or the command line.
package store
