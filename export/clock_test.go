package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/export"
)

// The scorecard's snapshot times are read by people: in the province's
// zone as dd/mm/yyyy HH:MM, never UTC; another configured zone moves them.
func TestScorecardTimesAreInTheProvinceZone(t *testing.T) {
	db, id := seeded(t)
	sc, err := export.LoadSnapshot(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	// 21:23 UTC on 6 December is 04:23 on 7 December in Vietnam and 22:23
	// on 6 December in Paris.
	sc.Snapshot.CreatedAt = time.Date(2026, 12, 6, 21, 23, 0, 0, time.UTC)
	sc.Snapshot.PublishedAt = time.Date(2026, 12, 6, 21, 53, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone                       string
		created, published, before string
	}{
		{"Asia/Ho_Chi_Minh", "07/12/2026 04:23", "07/12/2026 04:53", "công bố ngày 07/12/2026"},
		{"Europe/Paris", "06/12/2026 22:23", "06/12/2026 22:53", "công bố ngày 06/12/2026"},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := export.WriteScorecard(&buf, sc, sc.Result.Agencies[0].Code, nil, parindex.NewClock(loc)); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		method := cells(t, f, export.SheetMethod)
		if got := field(method, "Ngày tạo bản chốt"); !strings.HasPrefix(got, tc.created+", ") {
			t.Errorf("%s: created = %q, want %s, …", tc.zone, got, tc.created)
		}
		if got := field(method, "Công bố"); !strings.HasPrefix(got, tc.published+", ") {
			t.Errorf("%s: published = %q, want %s, …", tc.zone, got, tc.published)
		}
		var all strings.Builder
		for _, r := range append(cells(t, f, export.SheetSummary), method...) {
			all.WriteString(strings.Join(r, "|") + "\n")
		}
		if strings.Contains(all.String(), "UTC") {
			t.Errorf("%s: the workbook still says UTC:\n%s", tc.zone, all.String())
		}
		if !strings.Contains(all.String(), tc.before) {
			t.Errorf("%s: the summary's snapshot line lacks %q", tc.zone, tc.before)
		}
		f.Close()
	}
}
