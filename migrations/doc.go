// Package migrations embeds the SQL migrations, one folder per dialect
// (postgres/ and sqlite/), applied by store with goose's Provider.
//
// Both folders hold the same numbered files and must end with the same tables
// and columns (store tests check it). It imports nothing but embed and io/fs.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var all embed.FS

// FS returns the migrations of one dialect: "postgres" or "sqlite".
func FS(dialect string) (fs.FS, error) {
	return fs.Sub(all, dialect)
}
