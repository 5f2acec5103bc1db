package demo

import (
	"context"
	"fmt"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// seedFrameworks stores and publishes the embedded reference frameworks
// that the database does not hold yet, and publishes any still left as
// drafts. A published framework is never touched again, so running the
// demo twice changes nothing. It returns how many it published.
func seedFrameworks(ctx context.Context, db *store.DB, actor parindex.Actor) (published int, err error) {
	for _, code := range criteria.References() {
		rec, err := db.FrameworkByCode(ctx, code)
		switch {
		case err == nil && rec.Published():
			continue
		case err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound:
			return published, fmt.Errorf("demo: framework %s: %w", code, err)
		}
		f, err := criteria.Reference(code)
		if err != nil {
			return published, fmt.Errorf("demo: framework %s: %w", code, err)
		}
		if _, err := db.ImportFramework(ctx, actor, f, "bộ tiêu chí mẫu (reference framework)"); err != nil {
			return published, fmt.Errorf("demo: framework %s: %w", code, err)
		}
		if _, err := db.PublishFramework(ctx, actor, code, "dữ liệu minh họa (demo data)"); err != nil {
			return published, fmt.Errorf("demo: framework %s: %w", code, err)
		}
		published++
	}
	return published, nil
}
