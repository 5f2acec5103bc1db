package survey

import (
	"testing"
	"time"
)

func TestNextNightlyScreen(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 12, 7, 10, 0, 0, 0, ict), time.Date(2026, 12, 8, 2, 0, 0, 0, ict)},
		{time.Date(2026, 12, 7, 1, 59, 0, 0, ict), time.Date(2026, 12, 7, 2, 0, 0, 0, ict)},
		{time.Date(2026, 12, 7, 2, 0, 0, 0, ict), time.Date(2026, 12, 8, 2, 0, 0, 0, ict)},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, ict), time.Date(2027, 1, 1, 2, 0, 0, 0, ict)},
		// Given in UTC: 19:30 UTC is 02:30 the next day in Vietnam.
		{time.Date(2026, 12, 7, 19, 30, 0, 0, time.UTC), time.Date(2026, 12, 9, 2, 0, 0, 0, ict)},
	} {
		if got := nextNightlyScreen(c.now, ict); !got.Equal(c.want) {
			t.Errorf("after %v: %v, want %v", c.now, got, c.want)
		}
	}
}
