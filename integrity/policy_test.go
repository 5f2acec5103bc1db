package integrity

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var hcm = time.FixedZone("ICT", 7*3600)

func TestDefaultPolicyReadsAsDocumented(t *testing.T) {
	p := DefaultPolicy()
	if p.Version != 1 || p.MinimumResponses != 30 || p.Significance != 0.001 {
		t.Errorf("version %d, minimum %d, significance %g", p.Version, p.MinimumResponses, p.Significance)
	}
	if p.OfficeStart != 7*60+30 || p.OfficeEnd != 17*60 || len(p.OfficeDays) != 5 {
		t.Errorf("office hours %d–%d on %v", p.OfficeStart, p.OfficeEnd, p.OfficeDays)
	}
	if p.Labels[Burst] != Doubtful || p.Labels[OutsideHours] != Check || len(p.Labels) != len(Indicators) {
		t.Errorf("labels %v", p.Labels)
	}
	cases := []struct {
		at     time.Time
		office bool
	}{
		{time.Date(2026, 12, 7, 9, 0, 0, 0, hcm), true},   // a Monday morning
		{time.Date(2026, 12, 7, 7, 0, 0, 0, hcm), true},   // the hour the counters open in
		{time.Date(2026, 12, 7, 6, 0, 0, 0, hcm), false},  // before opening
		{time.Date(2026, 12, 7, 17, 0, 0, 0, hcm), false}, // after closing
		{time.Date(2026, 12, 5, 9, 0, 0, 0, hcm), false},  // a Saturday
		{time.Date(2026, 9, 2, 9, 0, 0, 0, hcm), false},   // National Day, a Wednesday
		{time.Date(2026, 2, 17, 10, 0, 0, 0, hcm), false}, // Tết
	}
	for _, c := range cases {
		if got := p.IsOfficeHour(c.at); got != c.office {
			t.Errorf("IsOfficeHour(%s) = %v, want %v", c.at.Format("Mon 2006-01-02 15:04"), got, c.office)
		}
	}
}

// A policy with one fault, and the line the fault must be reported at.
func TestParsePolicyRefusesWithTheLine(t *testing.T) {
	base := string(defaultPolicy)
	lineOf := func(s, needle string) int {
		i := strings.Index(s, needle)
		if i < 0 {
			t.Fatalf("%q is not in the policy", needle)
		}
		return strings.Count(s[:i], "\n") + 1
	}
	cases := []struct {
		name, from, to, want string
	}{
		{"unknown key", "minimum_responses: 30", "minimum_responses: 30\ncolour: red", "colour"},
		{"share above one", "significance: 0.001", "significance: 1.5", "significance"},
		{"bad time", `start: "07:30"`, `start: "7h30"`, "office_hours.start"},
		{"bad weekday", "days: [monday,", "days: [mondey,", "mondey"},
		{"bad holiday", "- 2025-04-07", "- 2025-04-31", "2025-04-31"},
		{"unknown indicator", "doubtful: [response_rate,", "doubtful: [response_rates,", "response_rates"},
		{"unknown flag", "    bot: 0.02", "    robot: 0.02", "robot"},
		{"text for a number", "minimum_responses: 30", "minimum_responses: thirty", "thirty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(base, c.from, c.to, 1)
			_, err := ParsePolicy("p.yaml", strings.NewReader(text))
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("want a PolicyError, got %v", err)
			}
			wantLine := lineOf(text, strings.Split(c.to, "\n")[len(strings.Split(c.to, "\n"))-1])
			for _, p := range pe.Problems {
				if strings.Contains(p.Error(), c.want) && p.Line == wantLine && p.MessageVI != "" {
					return
				}
			}
			t.Errorf("no problem naming %q at line %d: %v", c.want, wantLine, err)
		})
	}
}

func TestParsePolicyNeedsEveryIndicatorLabelled(t *testing.T) {
	text := strings.Replace(string(defaultPolicy), "top_box]", "]", 1)
	_, err := ParsePolicy("p.yaml", strings.NewReader(text))
	if err == nil || !strings.Contains(err.Error(), "top_box is in neither list") {
		t.Errorf("got %v", err)
	}
}

// Users read the Vietnamese first and the English beside it.
func TestPolicyProblemsReadVietnameseFirst(t *testing.T) {
	text := strings.Replace(string(defaultPolicy), "minimum_responses: 30", "minimum_responses: 30\ncolour: red", 1)
	_, err := ParsePolicy("p.yaml", strings.NewReader(text))
	var pe *PolicyError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 {
		t.Fatalf("got %v", err)
	}
	line := strings.Count(text[:strings.Index(text, "colour")], "\n") + 1
	if got, want := pe.Problems[0].Error(), "p.yaml:"+strconv.Itoa(line)+": khoá không có trong chính sách: colour (unknown key colour)"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
