package criteria

import (
	"strings"
	"testing"
)

func TestDiffIdentical(t *testing.T) {
	a := mustReference(t, "province-departments-2026")
	b := mustReference(t, "province-departments-2026")
	// Layout does not matter: the line numbers differ after a round trip.
	data, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err = Parse("b.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if changes := Diff(a, b); len(changes) != 0 {
		t.Errorf("changes between equal frameworks: %v", changes)
	}
}

func TestDiffYearToYear(t *testing.T) {
	a := mustReference(t, "province-departments-2026")
	b := mustReference(t, "province-departments-2026")

	b.Code = "province-departments-2027"
	b.Year = 2027
	b.Bands[0].Min = 92
	// A leaf renamed and re-weighted, with the area's maximum following.
	b.Find("1.1").Name = "Ban hành kế hoạch CCHC"
	*b.Find("1.1").Max = 1.5
	*b.Find("1").Max = 8.5
	// A method change: boolean becomes tiers.
	leaf := b.Find("4.1")
	leaf.Method = MethodTiers
	leaf.Numerator, leaf.Denominator = "units_inspected", "units_total"
	leaf.Tiers = []Tier{{Min: 0.5, Points: 3}, {Min: 0, Points: 0}}
	// A parameter change.
	b.Find("7.2").Target = 0.9
	// A node removed and one added elsewhere, keeping the total at 100.
	area6 := b.Find("6")
	area6.Children = area6.Children[:2] // drops 6.3 (2 points)
	*area6.Max = 4
	five := 1.5
	b.Find("7").Children = append(b.Find("7").Children,
		&Node{Code: "7.7", Name: "Bảo đảm an toàn thông tin mạng", Max: &five, Method: MethodBoolean})
	*b.Find("7").Max = 15.5
	b.Find("T.2").Cap = 5

	if err := Validate(b); err != nil {
		t.Fatalf("edited framework is invalid: %v", err)
	}
	checkChanges(t, Diff(a, b), []string{
		"changed framework code: province-departments-2026 → province-departments-2027",
		"changed framework year: 2026 → 2027",
		"changed framework bands: A Tốt ≥ 90; B Khá ≥ 80; C Trung bình ≥ 70; D Yếu ≥ 0 → A Tốt ≥ 92; B Khá ≥ 80; C Trung bình ≥ 70; D Yếu ≥ 0",
		"removed node 6.3: Quản lý, sử dụng tài sản công và thực hiện kết luận thanh tra, kiểm toán (max 2)",
		"changed node 1 max: 8 → 8.5",
		"changed node 1.1 name: Ban hành kế hoạch cải cách hành chính năm kịp thời, đúng yêu cầu → Ban hành kế hoạch CCHC",
		"changed node 1.1 max: 1 → 1.5",
		"changed node 4.1 method: assessed → tiers",
		"changed node 4.1 numerator: (none) → units_inspected",
		"changed node 4.1 denominator: (none) → units_total",
		"changed node 4.1 tiers: (none) → ≥ 0.5: 3; ≥ 0: 0",
		"changed node 4.1 step: 0.25 → (none)",
		"changed node 6 max: 6 → 4",
		"changed node 7 max: 14 → 15.5",
		"changed node 7.2 target: 0.8 → 0.9",
		"added node 7.7: Bảo đảm an toàn thông tin mạng (max 1.5)",
		"changed node T.2 cap: 3 → 5",
	})
}

func TestDiffTotalAndMoves(t *testing.T) {
	a := mustReference(t, "service-index-766")
	b := mustReference(t, "service-index-766")
	// Move 2.3 under group 5 and change its weight: the total changes too.
	moved := b.Find("2.3")
	b.Find("2").Children = b.Find("2").Children[:2]
	b.Find("2").Max = nil
	b.Find("5").Children = append(b.Find("5").Children, moved)
	b.Find("5").Max = nil
	*moved.Max = 5

	changes := Diff(a, b)
	checkChanges(t, changes, []string{
		"changed framework total_max: 100 → 101",
		"changed node 2 max: 20 → 16",
		"changed node 5 max: 18 → 23",
		"changed node 2.3 parent: 2 → 5",
		"changed node 2.3 max: 4 → 5",
	})
	if c := changes[0]; c.Kind != Changed || c.Node != "" || c.Field != "total_max" || c.Old != "100" || c.New != "101" {
		t.Errorf("first change %+v", c)
	}
}

func TestDiffNil(t *testing.T) {
	b := mustReference(t, "service-index-766")
	changes := Diff(nil, b)
	added := 0
	for _, c := range changes {
		if c.Kind == Added {
			added++
		}
	}
	if added != len(b.All()) {
		t.Errorf("%d nodes added, want %d", added, len(b.All()))
	}
	if len(Diff(b, nil)) == 0 {
		t.Error("no changes to nil")
	}
}

// checkChanges compares changes, as their String and in order, with want.
func checkChanges(t *testing.T, changes []Change, want []string) {
	t.Helper()
	var got []string
	for _, c := range changes {
		got = append(got, c.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
