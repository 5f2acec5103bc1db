package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// A batch goes to PostgreSQL as one array per column and to SQLite as a
// VALUES list: text that means something inside an array literal or SQL
// (quotes, backslashes, braces, commas, the word NULL), empty and absent
// values, and the hour must all come back exactly as they were sent.
func TestInsertResponsesKeepsAwkwardText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		unit := storetest.Unit(t, db, "SNV")
		comments := []string{
			`"quoted" and \backslash\ and {braces}, commas`,
			`NULL`,
			``,
			"dòng một\ndòng hai 'nháy đơn' ; DROP TABLE responses; --",
			`\"}{,`,
		}
		day := parindex.Date{Year: 2026, Month: 3, Day: 10}
		hour := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC) // 09:00 in Vietnam
		var rs []*parindex.Response
		for i, c := range comments {
			r := &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, Day: day, SubmittedHour: hour,
				IdempotencyKey: "key-" + string(rune('a'+i)), Answers: "5" + string(rune('0'+i)), Comment: c,
				Profile: `gender="f",age={30}`, Source: parindex.SourcePaper}
			if i == 0 {
				r.DossierHash = `dossier "hash"`
				r.Flags = []string{parindex.FlagSpeeder, parindex.FlagBot}
			}
			rs = append(rs, r)
		}
		storeMiniNew(t, db, in, rs)
		rows, err := db.FindResponses(ctx, store.ResponseFilter{UnitID: unit.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(comments) {
			t.Fatalf("%d rows stored, want %d", len(rows), len(comments))
		}
		got := map[string]store.ResponseRow{}
		for _, r := range rows {
			got[r.Comment] = r
		}
		for i, c := range comments {
			r, ok := got[c]
			if !ok {
				t.Errorf("comment %q was not stored as sent; stored: %+v", c, rows)
				continue
			}
			if r.Answers != rs[i].Answers || r.Profile != `gender="f",age={30}` || r.Day != day || r.Hour != 9 || r.Source != parindex.SourcePaper {
				t.Errorf("response %d came back as %+v", i, r)
			}
			if want := map[bool]string{true: "speeder,bot", false: ""}[i == 0]; r.Flags != want {
				t.Errorf("response %d flags %q, want %q", i, r.Flags, want)
			}
		}
		// The export reads the same rows its own way (SQLite's day and hour
		// as text).
		exported := 0
		err = db.EachResponse(ctx, store.ResponseFilter{UnitID: unit.ID}, func(r store.ResponseRow) error {
			exported++
			if want, ok := got[r.Comment]; !ok || r.Day != day || !r.Submitted.Equal(hour) || r.Submitted.Location() != time.UTC || r.Hour != 9 || r.Answers != want.Answers {
				t.Errorf("exported %+v", r)
			}
			return nil
		})
		if err != nil || exported != len(comments) {
			t.Errorf("exported %d rows, %v", exported, err)
		}
		// The dossier hash went in as text, the others as NULL: a second
		// response with the same dossier is refused, one without is not.
		again := []*parindex.Response{
			{InstrumentID: in.ID, UnitID: unit.ID, Day: day, SubmittedHour: hour, IdempotencyKey: "key-x", Answers: "11", DossierHash: `dossier "hash"`, Source: parindex.SourcePaper},
			{InstrumentID: in.ID, UnitID: unit.ID, Day: day, SubmittedHour: hour, IdempotencyKey: "key-y", Answers: "11", Source: parindex.SourcePaper},
		}
		if outcomes := storeMini(t, db, in, again); outcomes[0] != store.DuplicateDossier || outcomes[1] != store.Inserted {
			t.Errorf("outcomes %v, want [dossier repeat, inserted]", outcomes)
		}
		// Counts: seven responses, A1 all fives then two ones, A2 0..4 and two ones.
		c := storetest.CountTotals(t, db)
		if n5, n1, na := c[storetest.FlaggedNA+5]+c[5], c[1], c[storetest.FlaggedNA]+c[storetest.NA]; n5 != 5 || n1 != 3 || na != 1 {
			t.Errorf("counts n5 %d, n1 %d, na %d; want 5, 3, 1", n5, n1, na)
		}
	})
}

// miniInstrument stores the test organisation tree and a draft instrument,
// mini-2026, whose responses have two answers.
func miniInstrument(t *testing.T, db *store.DB) *parindex.StoredInstrument {
	t.Helper()
	ctx := context.Background()
	importTree(t, db)
	in := &parindex.StoredInstrument{Code: "mini-2026", Name: "Thử", Year: 2026, Source: "code: mini-2026", Hash: "abc"}
	if err := db.SaveInstrument(ctx, cli, in); err != nil {
		t.Fatal(err)
	}
	return in
}

// miniLinks stores the test tree and mini-2026, published, with a QR link
// at each counter given as "UNIT/Counter label", in that order.
func miniLinks(t *testing.T, db *store.DB, counters ...string) (*parindex.StoredInstrument, []*parindex.SurveyLink) {
	t.Helper()
	ctx := context.Background()
	in := miniInstrument(t, db)
	if err := db.PublishInstrument(ctx, cli, in.Code); err != nil {
		t.Fatal(err)
	}
	var specs []store.LinkSpec
	for i, c := range counters {
		unit, label, _ := strings.Cut(c, "/")
		specs = append(specs, store.LinkSpec{Token: fmt.Sprintf("t-%d", i), InstrumentCode: in.Code, UnitCode: unit, CounterLabel: label})
	}
	links, err := db.CreateLinks(ctx, cli, specs)
	if err != nil {
		t.Fatal(err)
	}
	return in, links
}

// ResponseAnswers gives a unit's answers and comments in id order (the
// order the bootstrap resamples rows by) whatever their days, leaves the
// flagged ones out unless asked, and does not mix in another unit's.
func TestResponseAnswersInIDOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		unit := storetest.Unit(t, db, "SNV")
		other := storetest.Unit(t, db, "STC")
		// Days run backwards while ids run forwards; the third is flagged;
		// every second has a comment; one form of another unit between.
		answers := []string{"51", "42", "33", "24", "15", "05"}
		var rs []*parindex.Response
		for i, a := range answers {
			day := parindex.Date{Year: 2026, Month: 3, Day: 20 - i}
			r := miniForm(in, unit.ID, day, fmt.Sprintf("order-%d", i), a, parindex.SourcePaper)
			if i%2 == 0 {
				r.Comment = fmt.Sprintf("ý kiến %d", i)
			}
			if i == 2 {
				r.Flags = []string{parindex.FlagBatchDuplicate}
			}
			rs = append(rs, r)
			if i == 1 {
				rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: other.ID, Day: day, SubmittedHour: r.SubmittedHour,
					IdempotencyKey: "other", Answers: "11", Comment: "khác", Source: parindex.SourcePaper})
			}
		}
		storeMini(t, db, in, rs)
		f := store.ResponseFilter{UnitID: unit.ID, InstrumentID: in.ID, From: parindex.Date{Year: 2026, Month: 1, Day: 1}, To: parindex.Date{Year: 2026, Month: 12, Day: 31}}
		for _, include := range []bool{false, true} {
			got, err := db.ResponseAnswers(ctx, f, include, true)
			if err != nil {
				t.Fatal(err)
			}
			want := store.PackedAnswers{Answers: []byte("5142241505"), Responses: 5, Flagged: 1, Comments: []string{"ý kiến 0", "ý kiến 4"}}
			if include {
				want = store.PackedAnswers{Answers: []byte("514233241505"), Responses: 6, Flagged: 1, Comments: []string{"ý kiến 0", "ý kiến 2", "ý kiến 4"}}
			}
			if string(got.Answers) != string(want.Answers) || got.Responses != want.Responses || got.Flagged != want.Flagged ||
				strings.Join(got.Comments, "|") != strings.Join(want.Comments, "|") {
				t.Errorf("flagged included %v: %q, %d responses, %d flagged, comments %q; want %q, %d, %d, %q", include,
					got.Answers, got.Responses, got.Flagged, got.Comments, want.Answers, want.Responses, want.Flagged, want.Comments)
			}
		}
		// Without a unit: both units' forms, still in id order.
		both, err := db.ResponseAnswers(ctx, store.ResponseFilter{InstrumentID: in.ID}, true, true)
		if err != nil || string(both.Answers) != "51421133241505" || strings.Join(both.Comments, "|") != "ý kiến 0|khác|ý kiến 2|ý kiến 4" {
			t.Errorf("without a unit: %q, comments %q, %v", both.Answers, both.Comments, err)
		}
		// In any order: the same forms, the comments still in id order.
		anyOrder, err := db.ResponseAnswers(ctx, store.ResponseFilter{InstrumentID: in.ID}, true, false)
		if err != nil || strings.Join(forms(anyOrder.Answers, 2), " ") != strings.Join(forms(both.Answers, 2), " ") ||
			strings.Join(anyOrder.Comments, "|") != strings.Join(both.Comments, "|") || anyOrder.Responses != both.Responses {
			t.Errorf("in any order: %q, comments %q, %v; want the forms of %q", anyOrder.Answers, anyOrder.Comments, err, both.Answers)
		}
		// Days cut on both sides: the forms of 18 and 17 March (the third
		// and the fourth).
		cut, err := db.ResponseAnswers(ctx, store.ResponseFilter{UnitID: unit.ID, InstrumentID: in.ID,
			From: parindex.Date{Year: 2026, Month: 3, Day: 17}, To: parindex.Date{Year: 2026, Month: 3, Day: 18}}, true, true)
		if err != nil || string(cut.Answers) != "3324" || cut.Responses != 2 {
			t.Errorf("17–18 March: %q, %d responses, %v; want \"3324\", 2", cut.Answers, cut.Responses, err)
		}
		none, err := db.ResponseAnswers(ctx, store.ResponseFilter{UnitID: unit.ID, InstrumentID: in.ID, From: parindex.Date{Year: 2027, Month: 1, Day: 1}}, false, true)
		if err != nil || len(none.Answers) != 0 || none.Responses != 0 || len(none.Comments) != 0 {
			t.Errorf("no response: %+v, %v", none, err)
		}
	})
}

// forms splits packed answers into forms of questions digits, sorted.
func forms(packed []byte, questions int) []string {
	var out []string
	for start := 0; start+questions <= len(packed); start += questions {
		out = append(out, string(packed[start:start+questions]))
	}
	slices.Sort(out)
	return out
}
