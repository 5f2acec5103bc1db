package criteria

import (
	"maps"
	"slices"
	"testing"
)

// A metric is optional only when every leaf reading it leaves the
// denominator when it is missing; the check sorts what a unit lacks into
// missing (costs points), optional and unknown to the catalogue.
func TestMetricNeedsAndCheck(t *testing.T) {
	f, _, err := Parse("needs.yaml", []byte(`code: needs-2026
name: Bộ thử
year: 2026
agency_types: [department, ward]
bands: [{code: A, name: Tốt, min: 0}]
nodes:
  - code: "1"
    name: Chỉ đạo
    children:
      - {code: "1.1", name: Kế hoạch, max: 2, method: ratio, numerator: plan_tasks_done, denominator: plan_tasks_total}
      - {code: "1.2", name: Đúng hạn, max: 2, method: ratio, numerator: records_on_time, denominator: records_total, missing: exclude}
      - {code: "1.3", name: Trực tuyến, max: 2, method: ratio, numerator: records_online, denominator: records_total}
      - {code: "1.4", name: Sáng kiến, max: 1, method: count, metric: initiatives_adopted, per_unit: 0.25, missing: exclude}
  - code: T
    name: Thưởng
    adjustment: true
    children:
      - {code: T.1, name: Thưởng, method: bonus, cap: 2}
`))
	if err != nil {
		t.Fatal(err)
	}
	n := f.MetricNeeds()
	want := map[string]bool{"plan_tasks_done": false, "plan_tasks_total": false, "records_on_time": true,
		"records_total": false, "records_online": false, "initiatives_adopted": true}
	if n.Code != "needs-2026" || n.Name != "Bộ thử" || !maps.Equal(n.Optional, want) {
		t.Errorf("needs = %+v, want optional %v", n, want)
	}
	if !n.AppliesTo("ward") || n.AppliesTo("commune") {
		t.Errorf("applies to ward %v, commune %v", n.AppliesTo("ward"), n.AppliesTo("commune"))
	}

	catalogued := map[string]bool{"plan_tasks_done": true, "plan_tasks_total": true, "records_on_time": true, "records_total": true,
		"initiatives_adopted": true, "staff_total": true}
	c := n.Check(map[string]bool{"plan_tasks_total": true, "records_total": true, "staff_total": true}, catalogued)
	if c.Framework != "needs-2026" || c.Needed != 6 ||
		!slices.Equal(c.Missing, []string{"plan_tasks_done"}) ||
		!slices.Equal(c.Optional, []string{"initiatives_adopted", "records_on_time"}) ||
		!slices.Equal(c.Unknown, []string{"records_online"}) || c.Complete() {
		t.Errorf("check = %+v", c)
	}
	// Only optional metrics lacking: complete.
	all := map[string]bool{"plan_tasks_done": true, "plan_tasks_total": true, "records_total": true, "records_online": true}
	if c := n.Check(all, catalogued); !c.Complete() || len(c.Optional) != 2 || c.Missing != nil || c.Unknown != nil {
		t.Errorf("with only optional metrics lacking: %+v", c)
	}
}

// A metric two frameworks of a type read is optional only when both leave
// the denominator without it; a framework for another type does not count.
func TestNeededBy(t *testing.T) {
	needs := []*MetricNeeds{
		{Code: "a", AgencyTypes: []string{"department"}, Optional: map[string]bool{"records_total": true, "records_on_time": true}},
		{Code: "b", AgencyTypes: []string{"department", "commune"}, Optional: map[string]bool{"records_total": false, "staff_total": true}},
		{Code: "c", AgencyTypes: []string{"commune"}, Optional: map[string]bool{"records_on_time": false, "plan_tasks_total": false}},
	}
	want := map[string]bool{"records_total": false, "records_on_time": true, "staff_total": true}
	if got := NeededBy(needs, "department"); !maps.Equal(got, want) {
		t.Errorf("department needs %v, want %v", got, want)
	}
	want = map[string]bool{"records_total": false, "staff_total": true, "records_on_time": false, "plan_tasks_total": false}
	if got := NeededBy(needs, "commune"); !maps.Equal(got, want) {
		t.Errorf("commune needs %v, want %v", got, want)
	}
	if got := NeededBy(needs, "ward"); len(got) != 0 {
		t.Errorf("ward needs %v, want none", got)
	}
}
