package criteria

import (
	"slices"
	"sort"
)

// MetricNeeds is the set of metrics one framework reads, for telling which
// figures a unit still lacks for a period.
type MetricNeeds struct {
	Code, Name  string
	AgencyTypes []string
	// Optional: metric code → true when every leaf reading it leaves the
	// denominator when it is missing (missing: exclude), so its absence
	// costs no points; false when a missing value scores 0.
	Optional map[string]bool
}

// MetricNeeds reads what f needs: the metrics its leaves read, leaves of
// the adjustment part (bonus and penalty) aside.
func (f *Framework) MetricNeeds() *MetricNeeds {
	n := &MetricNeeds{Code: f.Code, Name: f.Name, AgencyTypes: f.AgencyTypes, Optional: map[string]bool{}}
	for _, leaf := range f.Leaves() {
		if f.InAdjustment(leaf.Code) {
			continue
		}
		excluded := f.MissingFor(leaf.Code) == MissingExclude
		for _, m := range leaf.Metrics() {
			addNeed(n.Optional, m, excluded)
		}
	}
	return n
}

// addNeed records that a metric is read, optional only while every reader
// so far leaves the denominator when it is missing.
func addNeed(optional map[string]bool, metric string, excluded bool) {
	if opt, seen := optional[metric]; !seen || opt {
		optional[metric] = excluded
	}
}

// NeededBy merges the needs of the frameworks that score an agency type:
// metric code → true when its absence costs no points in any of them.
func NeededBy(needs []*MetricNeeds, agencyType string) map[string]bool {
	out := map[string]bool{}
	for _, n := range needs {
		if n.AppliesTo(agencyType) {
			for m, opt := range n.Optional {
				addNeed(out, m, opt)
			}
		}
	}
	return out
}

// AppliesTo reports whether the framework scores agencies of the type.
func (n *MetricNeeds) AppliesTo(agencyType string) bool {
	return slices.Contains(n.AgencyTypes, agencyType)
}

// Completeness says which metrics a framework reads that a unit lacks for
// a period.
type Completeness struct {
	Framework, Name string
	Needed          int
	Missing         []string // a missing value scores 0 points
	Optional        []string // missing, but the leaves leave the denominator
	Unknown         []string // read by the framework, absent from the catalogue
}

// Complete reports whether nothing that costs points is missing.
func (c Completeness) Complete() bool { return len(c.Missing) == 0 && len(c.Unknown) == 0 }

// Check compares the needs with what a unit has: present holds the metrics
// the unit has a value for in the period, catalogued the codes of the
// metric catalogue. Each list is sorted.
func (n *MetricNeeds) Check(present, catalogued map[string]bool) Completeness {
	out := Completeness{Framework: n.Code, Name: n.Name, Needed: len(n.Optional)}
	codes := make([]string, 0, len(n.Optional))
	for m := range n.Optional {
		codes = append(codes, m)
	}
	sort.Strings(codes)
	for _, m := range codes {
		switch {
		case present[m]:
		case !catalogued[m]:
			out.Unknown = append(out.Unknown, m)
		case n.Optional[m]:
			out.Optional = append(out.Optional, m)
		default:
			out.Missing = append(out.Missing, m)
		}
	}
	return out
}
