package kit

import (
	"context"
	"strings"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// What the metric pages and the API share.

// LoadNeeds reads the published frameworks of a year: what each needs.
func LoadNeeds(ctx context.Context, db *store.DB, year int) ([]*criteria.MetricNeeds, error) {
	recs, err := db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkPublished, Year: year})
	if err != nil {
		return nil, err
	}
	var out []*criteria.MetricNeeds
	for _, rec := range recs {
		f, err := rec.Framework()
		if err != nil {
			return nil, err
		}
		out = append(out, f.MetricNeeds())
	}
	return out, nil
}

// PeriodParam reads ?period=, defaulting to the current year in Vietnam.
func PeriodParam(db *store.DB, value string) (parindex.Period, error) {
	if strings.TrimSpace(value) == "" {
		return parindex.YearPeriod(db.Now().In(VietnamTime).Year()), nil
	}
	return parindex.ParsePeriod(value)
}

// ChecksFor returns the completeness of a unit for every framework of the
// year that scores its type.
func ChecksFor(needs []*criteria.MetricNeeds, u *parindex.OrgUnit, values map[string]store.PeriodValue, catalog map[string]*parindex.Metric) []criteria.Completeness {
	present := make(map[string]bool, len(values))
	for m := range values {
		present[m] = true
	}
	catalogued := make(map[string]bool, len(catalog))
	for m := range catalog {
		catalogued[m] = true
	}
	var out []criteria.Completeness
	for _, n := range needs {
		if n.AppliesTo(u.Type) {
			out = append(out, n.Check(present, catalogued))
		}
	}
	return out
}

func CatalogMap(ms []*parindex.Metric) map[string]*parindex.Metric {
	out := make(map[string]*parindex.Metric, len(ms))
	for _, m := range ms {
		out[m.Code] = m
	}
	return out
}
