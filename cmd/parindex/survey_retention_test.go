package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// survey retention on both dialects: the dry run lists what would go and
// removes nothing; the run removes the forms of 2014 and 2020, keeps 2026's
// and every count, and the table says how each year went.
func TestSurveyRetention(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, url string) {
		db := storetest.MustOpen(t, url)
		ctx := context.Background()
		actor := parindex.Actor{Name: "test"}
		importDepartments(t, db, "Sở 1")
		unit := storetest.Unit(t, db, "D1")
		in := &parindex.StoredInstrument{Code: "mini-2026", Name: "Thử", Year: 2026, Source: "code: mini-2026", Hash: "abc"}
		if err := db.SaveInstrument(ctx, actor, in); err != nil {
			t.Fatal(err)
		}
		var rs []*parindex.Response
		for _, year := range []int{2014, 2020, 2026} {
			for i := range year % 10 { // 4, 0, 6 forms: 2020 has none
				rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, Day: parindex.Date{Year: year, Month: 5, Day: 1 + i},
					SubmittedHour: time.Date(year, 5, 1+i, 2, 0, 0, 0, time.UTC), IdempotencyKey: fmt.Sprintf("k-%d-%d", year, i),
					Answers: "45", Source: parindex.SourcePaper})
			}
		}
		rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, Day: parindex.Date{Year: 2020, Month: 12, Day: 31},
			SubmittedHour: time.Date(2020, 12, 31, 2, 0, 0, 0, time.UTC), IdempotencyKey: "k-2020", Answers: "12", Source: parindex.SourcePaper})
		if _, err := db.InsertResponses(ctx, rs, map[int64][]string{in.ID: {"A1", "A2"}}, 0); err != nil {
			t.Fatal(err)
		}
		counts := storetest.CountTotals(t, db)
		env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir(), "PARINDEX_DATABASE_URL": url}

		out := cliOK(t, env, "survey", "retention", "--keep-years", "5", "--dry-run")
		if !strings.Contains(out, "sẽ xoá 5 phiếu gốc") || !strings.Contains(out, "2014") || !strings.Contains(out, "2020") || strings.Contains(out, "2026 ") {
			t.Errorf("dry run printed:\n%s", out)
		}
		if n := len(storetest.Rows(t, db, `SELECT id FROM responses`)); n != 11 {
			t.Errorf("%d responses after the dry run, want 11", n)
		}

		out = cliOK(t, env, "survey", "retention", "--keep-years", "5", "--reason", "Quy chế lưu trữ")
		if !strings.Contains(out, "Đã xoá 5 phiếu gốc") || !strings.Contains(out, "(removed 5 raw responses") {
			t.Errorf("retention printed:\n%s", out)
		}
		if db.Dialect() == store.Postgres && !strings.Contains(out, "responses_2014 (partition dropped)") {
			t.Errorf("2014 not dropped as a partition on PostgreSQL:\n%s", out)
		}
		left := storetest.Rows(t, db, `SELECT MIN(day) AS first, COUNT(*) AS n FROM responses`)
		if left[0]["n"] != "6" || !strings.HasPrefix(left[0]["first"], "2026-05-01") {
			t.Errorf("left %v, want the 6 forms of 2026", left[0])
		}
		if got := storetest.CountTotals(t, db); got != counts {
			t.Errorf("counts %v after retention, %v before", got, counts)
		}
		code, _, errOut := cli(t, env, "survey", "retention")
		if code != 2 || !strings.Contains(errOut, "--keep-years") {
			t.Errorf("without --keep-years: exit %d: %s", code, errOut)
		}
	})
}
