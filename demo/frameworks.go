package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// seedFrameworks stores and publishes the demo's frameworks that the
// database does not hold yet, and publishes any still left as drafts. A
// published framework is never touched again, so running the demo twice
// changes nothing. It returns how many it published.
//
// The PAR index frameworks come in two years. Last year's are the
// reference frameworks under last year's code and year (the province kept
// its criteria); this year's are copied from them, as DoHA starts a new
// year (store.CopyFramework), then given the reference content: the copy
// maps every criterion to last year's, so dashboards and scorecards show
// each unit's change. The other reference frameworks (the service index)
// are stored as they are.
func seedFrameworks(ctx context.Context, db *store.DB, actor parindex.Actor) (published int, err error) {
	previous := map[string]string{} // this year's code → last year's
	var codes []string
	for _, kind := range []string{departmentsKind, communesKind} {
		for i, year := range demoYears {
			codes = append(codes, frameworkCode(kind, year))
			if i > 0 {
				previous[frameworkCode(kind, year)] = frameworkCode(kind, demoYears[i-1])
			}
		}
	}
	for _, code := range criteria.References() {
		if !strings.HasPrefix(code, departmentsKind) && !strings.HasPrefix(code, communesKind) {
			codes = append(codes, code)
		}
	}
	for _, code := range codes {
		rec, err := db.FrameworkByCode(ctx, code)
		switch {
		case err == nil && rec.Published():
			continue
		case err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound:
			return published, fmt.Errorf("demo: framework %s: %w", code, err)
		}
		f, err := demoFramework(code)
		if err != nil {
			return published, fmt.Errorf("demo: framework %s: %w", code, err)
		}
		if from := previous[code]; rec == nil && from != "" {
			if _, err := db.CopyFramework(ctx, actor, from, code, f.Year, "bộ tiêu chí năm mới (new year's framework)"); err != nil {
				return published, fmt.Errorf("demo: framework %s: %w", code, err)
			}
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

// demoFramework returns the content of a demo framework: a reference
// framework, or, for an earlier demo year, the reference framework of the
// last demo year under that year's code, year and name.
func demoFramework(code string) (*criteria.Framework, error) {
	if f, err := criteria.Reference(code); err == nil {
		return f, nil
	}
	for _, kind := range []string{departmentsKind, communesKind} {
		year, err := strconv.Atoi(strings.TrimPrefix(code, kind+"-"))
		if err != nil || !strings.HasPrefix(code, kind+"-") {
			continue
		}
		f, err := criteria.Reference(frameworkCode(kind, currentYear))
		if err != nil {
			return nil, err
		}
		f.Code, f.Year = code, year
		f.Name = strings.ReplaceAll(f.Name, strconv.Itoa(currentYear), strconv.Itoa(year))
		return f, nil
	}
	return criteria.Reference(code)
}
