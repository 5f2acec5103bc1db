package parindex_test

import (
	"testing"
	"time"

	"parindex"
)

func TestClockShowsPeopleTheProvinceTime(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 23, 59, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	for _, tc := range []struct {
		clock          parindex.Clock
		time, day, hms string
	}{
		{parindex.Clock{}, "07/12/2026 04:23", "07/12/2026", "04:23:59"}, // the zero Clock is UTC+7
		{parindex.NewClock(paris), "06/12/2026 22:23", "06/12/2026", "22:23:59"},
	} {
		if got := tc.clock.FormatTime(at); got != tc.time {
			t.Errorf("%v: FormatTime = %q, want %q", tc.clock.Location(), got, tc.time)
		}
		if got := tc.clock.FormatDay(at); got != tc.day {
			t.Errorf("%v: FormatDay = %q, want %q", tc.clock.Location(), got, tc.day)
		}
		if got := tc.clock.FormatTimeOfDay(at); got != tc.hms {
			t.Errorf("%v: FormatTimeOfDay = %q, want %q", tc.clock.Location(), got, tc.hms)
		}
		if got := tc.clock.FormatTime(time.Time{}) + tc.clock.FormatDay(time.Time{}) + tc.clock.FormatDate(parindex.Date{}); got != "" {
			t.Errorf("%v: no time shows as %q", tc.clock.Location(), got)
		}
		// A civil date has no zone: every clock shows it alike.
		if got := tc.clock.FormatDate(parindex.Date{Year: 2026, Month: 9, Day: 9}); got != "09/09/2026" {
			t.Errorf("%v: FormatDate = %q", tc.clock.Location(), got)
		}
	}
}
