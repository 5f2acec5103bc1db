package integritytest

// PlantClerk plants counters in a database for the tests of what shows the
// counter-integrity report: the pages, the API and the survey results
// workbook.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/survey"
)

// Honest and clerk counters planted by PlantClerk.
const (
	HonestUnit, HonestCounter, HonestForms = "SNV", "Quầy 1", 48
	ClerkUnit, ClerkCounter, ClerkForms    = "STP", "Quầy 2", 60
)

// PlantClerk publishes the reference instrument sipas-2026 (when it is not
// yet) on a database holding the demo's units (demo.OrgRows), and gives
// SNV an honest counter of 48 forms in weekday office hours of March 2026,
// each from a device of its own with varied answers (credible under the
// default policy), and STP a counter where a clerk taps sixty five-star
// forms on one phone on a Saturday at 22:00 (doubtful). It returns the two
// links.
func PlantClerk(tb testing.TB, db *store.DB) (honest, clerk *parindex.SurveyLink) {
	tb.Helper()
	ctx := context.Background()
	actor := parindex.Actor{Name: "test"}
	in, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
	if err != nil {
		tb.Fatal(err)
	}
	links, err := db.CreateLinks(ctx, actor, []store.LinkSpec{
		{Token: survey.NewLinkToken(), InstrumentCode: in.Code, UnitCode: HonestUnit, CounterLabel: HonestCounter},
		{Token: survey.NewLinkToken(), InstrumentCode: in.Code, UnitCode: ClerkUnit, CounterLabel: ClerkCounter},
	})
	if err != nil {
		tb.Fatal(err)
	}
	honest, clerk = links[0], links[1]
	var rs []*parindex.Response
	add := func(l *parindex.SurveyLink, hour time.Time, answers, device string) {
		rs = append(rs, &parindex.Response{InstrumentID: in.ID, LinkID: l.ID, UnitID: l.UnitID, SubmittedHour: hour,
			Day: parindex.DateOf(hour.Add(7 * time.Hour)), IdempotencyKey: fmt.Sprintf("integritytest-%d", len(rs)),
			Answers: answers, DeviceHash: device, DeviceKey: device, Source: parindex.SourceQR})
	}
	levels := []string{"3", "4", "4", "5", "4", "2", "5", "4"}
	for i := range HonestForms {
		// Monday 2 to Friday 6 March, 09:00 to 15:00 in Vietnam.
		add(honest, time.Date(2026, 3, 2+i%5, 2+i%7, 0, 0, 0, time.UTC),
			strings.Repeat(levels[i%len(levels)], 11)+strings.Repeat(levels[(i+3)%len(levels)], 11), fmt.Sprintf("honest-%d", i))
	}
	for range ClerkForms {
		add(clerk, time.Date(2026, 3, 7, 15, 0, 0, 0, time.UTC), strings.Repeat("5", 22), "clerk-phone") // Saturday 22:00
	}
	codes := make([]string, 22)
	for i := range codes {
		codes[i] = fmt.Sprintf("Q%d", i)
	}
	if _, err := db.InsertResponses(ctx, rs, map[int64][]string{in.ID: codes}, 0); err != nil {
		tb.Fatal(err)
	}
	return honest, clerk
}
