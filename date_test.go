package parindex

import (
	"testing"
	"time"
)

// String writes yyyy-mm-dd by hand; time.Format is the reference, over
// every day of several years including leap days and small years.
func TestDateString(t *testing.T) {
	for _, start := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 12, 25, 0, 0, 0, 0, time.UTC),
		time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC),
	} {
		for d := start; d.Before(start.AddDate(2, 0, 0)); d = d.AddDate(0, 0, 1) {
			if got, want := DateOf(d).String(), d.Format(DateLayout); got != want {
				t.Fatalf("DateOf(%v).String() = %q, want %q", d, got, want)
			}
			if back, err := ParseDate(DateOf(d).String()); err != nil || back != DateOf(d) {
				t.Fatalf("ParseDate(%q) = %v, %v", DateOf(d).String(), back, err)
			}
		}
	}
	if (Date{}).String() != "" {
		t.Errorf("the zero Date prints %q, want empty", Date{}.String())
	}
}
