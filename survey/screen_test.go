package survey_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/stats"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// honestForm is one citizen's 22 answers as CSV cells: a latent
// contentment shared by all questions (correlation 0.5), levels 4–5 with
// probability share, some "not applicable".
func honestForm(random *rand.Rand, share float64) string {
	cut := stats.NormalQuantile(1 - share)
	latent := random.NormFloat64()
	cells := make([]string, 22)
	for q := range cells {
		y := math.Sqrt(0.5)*latent + math.Sqrt(0.5)*random.NormFloat64()
		level := 1 + random.IntN(3)
		if y > cut {
			level = 4 + random.IntN(2)
		}
		cells[q] = fmt.Sprint(level)
		if random.Float64() < 0.1 {
			cells[q] = "NA"
		}
	}
	return strings.Join(cells, ",")
}

// background is a month of honest forms from three units, about 25 a day
// each (the demo's SNV, P001 and STP).
func background(random *rand.Rand, b *strings.Builder) int {
	n := 0
	for _, unit := range []string{"SNV", "STP", "STC"} {
		for day := 1; day <= 28; day++ {
			for range 20 + random.IntN(10) {
				fmt.Fprintf(b, "%s,2026-02-%02d,%s\n", unit, day, honestForm(random, 0.85))
				n++
			}
		}
	}
	return n
}

func parseFlags(t *testing.T, data string) (*survey.PaperBatch, *survey.Instrument) {
	t.Helper()
	in, stored := sipas(t)
	units := []*parindex.OrgUnit{
		{ID: 1, Code: "SNV", Name: "Sở Nội vụ", Type: "department", ValidFrom: mustDate("2000-01-01")},
		{ID: 2, Code: "STP", Name: "Sở Tư pháp", Type: "department", ValidFrom: mustDate("2000-01-01")},
		{ID: 3, Code: "STC", Name: "Sở Tài chính", Type: "department", ValidFrom: mustDate("2000-01-01")},
	}
	b, err := survey.ParsePaper(readCSV(t, "phieu.csv", data), in, stored, units, mustDate("2026-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	return b, in
}

// Forty identical forms typed for one unit on one day, among a month of
// honest forms, are flagged batch_duplicate; the honest forms are not
// (none of about 2,000 in this seeded file).
func TestPaperBatchDuplicatesAreFlagged(t *testing.T) {
	random := rand.New(rand.NewPCG(21, 5))
	var b strings.Builder
	in, _ := sipas(t)
	b.WriteString(sipasHeader(in) + "\n")
	honest := background(random, &b)
	fake := answers22("4", map[int]string{3: "2", 9: "3", 17: "3", 20: "5"})
	for range 40 {
		fmt.Fprintf(&b, "STP,2026-02-14,%s\n", fake)
	}
	batch, _ := parseFlags(t, b.String())
	falseAlarms, caught := 0, 0
	for i, r := range batch.Responses {
		dup := slices.Contains(r.Flags, parindex.FlagBatchDuplicate)
		if i < honest && r.Flagged() {
			falseAlarms++
		}
		if i >= honest && dup {
			caught++
		}
	}
	if caught != 40 || falseAlarms != 0 {
		t.Errorf("batch duplicates caught %d of 40, honest forms flagged %d of %d", caught, falseAlarms, honest)
	}

	// Alone in a file, the forty forms are still beyond chance: nothing
	// else in the file explains them, and answering independently would
	// make two such forms rare, forty impossible.
	b.Reset()
	b.WriteString(sipasHeader(in) + "\n")
	for range 40 {
		fmt.Fprintf(&b, "STP,2026-02-14,%s\n", fake)
	}
	batch, _ = parseFlags(t, b.String())
	for _, r := range batch.Responses {
		if !slices.Contains(r.Flags, parindex.FlagBatchDuplicate) {
			t.Fatalf("a form of forty identical ones alone: flags %v", r.Flags)
		}
	}
	// Three identical forms alone in a file are not flagged: nothing to
	// compare them with.
	b.Reset()
	b.WriteString(sipasHeader(in) + "\n")
	for range 3 {
		fmt.Fprintf(&b, "STP,2026-02-14,%s\n", answers22("5", nil))
	}
	batch, _ = parseFlags(t, b.String())
	for _, r := range batch.Responses {
		if r.Flagged() {
			t.Fatalf("three equal forms alone: flags %v", r.Flags)
		}
	}
	// Two identical forms among honest ones are chance.
	b.Reset()
	b.WriteString(sipasHeader(in) + "\n")
	background(rand.New(rand.NewPCG(21, 5)), &b)
	for range 2 {
		fmt.Fprintf(&b, "STP,2026-02-14,%s\n", fake)
	}
	batch, _ = parseFlags(t, b.String())
	for _, r := range batch.Responses {
		if r.Flagged() {
			t.Fatalf("two identical forms: flags %v", r.Flags)
		}
	}
}

// Straight-lined paper forms are flagged only in a batch beyond chance: a
// counter whose citizens often give all fives is not flagged for another
// such day; thirty all-five forms in one day where the province and that
// unit rarely straight-line are.
func TestPaperStraightLiningInBatches(t *testing.T) {
	in, _ := sipas(t)
	random := rand.New(rand.NewPCG(22, 5))
	allFive := answers22("5", nil)
	var b strings.Builder
	b.WriteString(sipasHeader(in) + "\n")
	honest := background(random, &b)
	// SNV: a good counter, a third of its forms all fives every day.
	for day := 1; day <= 28; day++ {
		for range 8 {
			fmt.Fprintf(&b, "SNV,2026-02-%02d,%s\n", day, allFive)
		}
	}
	good := 28 * 8
	// STC: thirty all-five forms on one day.
	for range 30 {
		fmt.Fprintf(&b, "STC,2026-02-20,%s\n", allFive)
	}
	batch, _ := parseFlags(t, b.String())
	var flaggedHonest, flaggedGood, flaggedBurst int
	for i, r := range batch.Responses {
		switch {
		case i < honest:
			if r.Flagged() {
				flaggedHonest++
			}
		case i < honest+good:
			if r.Flagged() {
				flaggedGood++
			}
		default:
			if slices.Contains(r.Flags, parindex.FlagStraightline) {
				flaggedBurst++
			}
		}
	}
	if flaggedHonest != 0 || flaggedGood != 0 || flaggedBurst != 30 {
		t.Errorf("flagged: honest %d, the good counter's all-five forms %d of %d, the burst %d of 30", flaggedHonest, flaggedGood, good, flaggedBurst)
	}
}

// withAndWithoutFlagged is unit's sipas-2026 result of 2026 without the
// flagged responses (clean) and with them (all).
func withAndWithoutFlagged(t *testing.T, svc *survey.Service, unit string) (clean, all survey.GroupResult) {
	t.Helper()
	clean, err := svc.Unit(context.Background(), "sipas-2026", unit, survey.Year(2026), false)
	if err != nil {
		t.Fatal(err)
	}
	all, err = svc.Unit(context.Background(), "sipas-2026", unit, survey.Year(2026), true)
	if err != nil {
		t.Fatal(err)
	}
	return clean, all
}

// Imported paper forms carry their flags into the database; results leave
// them out by default and take them in when asked.
func TestImportedFlagsShowWithAndWithout(t *testing.T) {
	in, _ := sipas(t)
	var b strings.Builder
	b.WriteString(sipasHeader(in) + "\n")
	random := rand.New(rand.NewPCG(23, 5))
	for day := 1; day <= 10; day++ {
		for range 10 {
			fmt.Fprintf(&b, "SNV,2026-02-%02d,%s\n", day, honestForm(random, 0.8))
		}
	}
	fake := answers22("5", map[int]string{3: "4", 9: "4"})
	for range 40 {
		fmt.Fprintf(&b, "SNV,2026-02-14,%s\n", fake)
	}
	data := b.String()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importedPaper(t, db, data)
		svc := survey.NewService(db, survey.ResultOptions{})
		clean, all := withAndWithoutFlagged(t, svc, "SNV")
		if clean.Forms != 100 || clean.Flagged != 40 || all.Forms != 140 || !(all.Overall.Index > clean.Overall.Index) {
			t.Errorf("without flagged: %d forms, %d flagged, overall %v; with: %d forms, overall %v",
				clean.Forms, clean.Flagged, clean.Overall.Index, all.Forms, all.Overall.Index)
		}
		units, err := svc.Units(ctx, "sipas-2026", survey.Year(2026), false)
		if err != nil {
			t.Fatal(err)
		}
		if u := units["SNV"]; u.Forms != 100 || u.Flagged != 40 {
			t.Errorf("from counts: %d forms, %d flagged", u.Forms, u.Flagged)
		}
	})
}

// parindex survey stats screens a file as the import does: the same file
// gives the same flags and the same figures, with and without the flagged
// forms, offline and imported (both databases), by unit and as one group.
func TestOfflineStatsScreenAsTheImport(t *testing.T) {
	in, _ := sipas(t)
	random := rand.New(rand.NewPCG(24, 5))
	var b strings.Builder
	b.WriteString(sipasHeader(in) + "\n")
	background(random, &b)
	// A good counter's all-five forms every day (not flagged), forty copies
	// of one form for STP on one day and thirty all-five forms for STC on
	// another (flagged), the last two interleaved with the honest forms
	// rather than in a block.
	for day := 1; day <= 28; day++ {
		for range 8 {
			fmt.Fprintf(&b, "SNV,2026-02-%02d,%s\n", day, answers22("5", nil))
		}
	}
	fake := answers22("4", map[int]string{3: "2", 9: "3", 17: "3", 20: "5"})
	for i := range 40 {
		fmt.Fprintf(&b, "STP,2026-02-14,%s\n", fake)
		if i < 30 {
			fmt.Fprintf(&b, "STC,2026-02-20,%s\n", answers22("5", nil))
		}
	}
	data := b.String()
	offline := func(byUnit, include bool) map[string]survey.GroupResult {
		rd, err := csvFile("phieu.csv", data)()
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		res, err := survey.TableResults(rd, in, byUnit, survey.ResultOptions{IncludeFlagged: include})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]survey.GroupResult{}
		for _, g := range res.Groups {
			out[g.Unit] = g
		}
		return out
	}
	clean, all := offline(true, false), offline(true, true)
	for unit, want := range map[string]int{"SNV": 0, "STP": 40, "STC": 30} {
		if clean[unit].Flagged != want || all[unit].Flagged != want || all[unit].Forms != clean[unit].Forms+want {
			t.Errorf("offline %s: flagged %d (with them: %d), forms %d without and %d with; want %d flagged",
				unit, clean[unit].Flagged, all[unit].Flagged, clean[unit].Forms, all[unit].Forms, want)
		}
	}
	if one := offline(false, false)["*"]; one.Flagged != 70 {
		t.Errorf("offline as one group: %d flagged, want 70", one.Flagged)
	}

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importedPaper(t, db, data)
		svc := survey.NewService(db, survey.ResultOptions{})
		for _, include := range []bool{false, true} {
			want := clean
			if include {
				want = all
			}
			for _, unit := range []string{"SNV", "STP", "STC"} {
				got, err := svc.Unit(ctx, "sipas-2026", unit, survey.Year(2026), include)
				if err != nil {
					t.Fatal(err)
				}
				w := want[unit]
				if got.Forms != w.Forms || got.Flagged != w.Flagged || got.Respondents != w.Respondents ||
					got.Overall.Index != w.Overall.Index || *got.Overall.CI95 != *w.Overall.CI95 {
					t.Errorf("%s, flagged included %v: imported %d forms, %d flagged, overall %v %v; offline %d, %d, %v %v",
						unit, include, got.Forms, got.Flagged, got.Overall.Index, *got.Overall.CI95,
						w.Forms, w.Flagged, w.Overall.Index, *w.Overall.CI95)
				}
			}
		}
	})
}

// QR forms get the batch test too: forty identical forms stored for one
// unit on one day among a month of honest ones are flagged by a screen of
// the stored responses, the honest ones are not, the results leave the
// forty out by default (from the responses and from the count table alike)
// and take them in when asked, and a second screen changes nothing.
func TestStoredQRFormsAreScreened(t *testing.T) {
	random := rand.New(rand.NewPCG(25, 5))
	digits := func(cells string) string {
		return strings.ReplaceAll(strings.ReplaceAll(cells, "NA", "0"), ",", "")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		stored := publishedSipas(t, db, func() time.Time { return time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC) })
		in, _ := survey.ReferenceInstrument("sipas-2026")
		var rs []*parindex.Response
		form := func(code string, day int, answers string) {
			unit, err := db.OrgUnitByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			n := len(rs)
			rs = append(rs, &parindex.Response{InstrumentID: stored.ID, UnitID: unit.ID, Day: parindex.Date{Year: 2026, Month: 2, Day: day},
				SubmittedHour: time.Date(2026, 2, day, 2, 0, 0, 0, time.UTC), IdempotencyKey: fmt.Sprintf("qr-%d", n),
				DeviceHash: fmt.Sprintf("d%d", n), DeviceKey: fmt.Sprintf("k%d", n), Answers: answers, Source: parindex.SourceQR})
		}
		for _, code := range []string{"SNV", "STP", "STC"} {
			for day := 1; day <= 28; day++ {
				for range 20 + random.IntN(10) {
					form(code, day, digits(honestForm(random, 0.85)))
				}
			}
		}
		honest := len(rs)
		fake := digits(answers22("4", map[int]string{3: "2", 9: "3", 17: "3", 20: "5"}))
		for range 40 {
			form("STP", 14, fake)
		}
		if _, err := db.InsertResponses(ctx, rs, map[int64][]string{stored.ID: survey.QuestionCodes(in)}, 0); err != nil {
			t.Fatal(err)
		}
		svc := survey.NewService(db, survey.ResultOptions{})
		before, err := svc.Unit(ctx, "sipas-2026", "STP", survey.Year(2026), false)
		if err != nil {
			t.Fatal(err)
		}
		// The nightly screen of every published instrument, as serve runs it.
		results, err := survey.ScreenPublished(ctx, db, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 1 || results[0].Instrument != "sipas-2026" || results[0].Responses != honest+40 || results[0].Flagged != 40 {
			t.Errorf("screened %+v; want sipas-2026 alone, %d responses, 40 flagged", results, honest+40)
		}
		flagged, err := db.FindResponses(ctx, store.ResponseFilter{InstrumentID: stored.ID, Flag: "any", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range flagged {
			if r.UnitCode != "STP" || r.Day.Day != 14 || r.Answers != fake || r.Flags != parindex.FlagBatchDuplicate {
				t.Errorf("flagged: %s %v %s %q", r.UnitCode, r.Day, r.Answers, r.Flags)
			}
		}
		clean, all := withAndWithoutFlagged(t, svc, "STP")
		if before.Flagged != 0 || clean.Flagged != 40 || clean.Forms != before.Forms-40 || all.Forms != before.Forms || all.Overall.Index != before.Overall.Index {
			t.Errorf("before the screen %d forms, %d flagged; after, without flagged: %d forms, %d flagged; with them: %d forms (overall %v, before %v)",
				before.Forms, before.Flagged, clean.Forms, clean.Flagged, all.Forms, all.Overall.Index, before.Overall.Index)
		}
		units, err := svc.Units(ctx, "sipas-2026", survey.Year(2026), false)
		if err != nil {
			t.Fatal(err)
		}
		if u := units["STP"]; u.Forms != clean.Forms || u.Flagged != 40 {
			t.Errorf("from the count table: %d forms, %d flagged; from the responses %d, 40", u.Forms, u.Flagged, clean.Forms)
		}
		if again, err := survey.ScreenStored(ctx, db, "sipas-2026", survey.Year(2026)); err != nil || again.Flagged != 0 {
			t.Errorf("a second screen flagged %d more, %v", again.Flagged, err)
		}
	})
}
