package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"parindex"
)

// Backup writes a consistent copy of a SQLite database to path with VACUUM
// INTO: one read transaction, so the server may keep serving and writing
// while it runs (copying the file and its write-ahead log by hand is not
// safe then). The copy is a complete database that opens on its own. path
// must not exist yet.
//
// PostgreSQL has its own tools, pg_dump and pg_restore (docs/deploy.md): a
// PostgreSQL database answers with an error saying so.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return &parindex.Error{Code: parindex.ECodeInvalid,
			Message: "Với PostgreSQL hãy sao lưu bằng pg_dump -Fc (xem docs/deploy.md) (on PostgreSQL, back up with pg_dump -Fc; see docs/deploy.md)"}
	}
	if _, err := os.Stat(path); err == nil {
		return &parindex.Error{Code: parindex.ECodeConflict,
			Message: fmt.Sprintf("Tệp %s đã có, không ghi đè (%s exists; a backup never overwrites a file)", path, path)}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: unable to check %s: %w", path, err)
	}
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: unable to back up into %s: %w", path, err)
	}
	return nil
}
