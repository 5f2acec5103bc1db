package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

func TestSurveyAdminQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC) }
		in, links := miniLinks(t, db, "SNV/Quầy 1", "XN/Quầy 1")
		day := parindex.Date{Year: 2026, Month: 3, Day: 10}
		var rs []*parindex.Response
		add := func(unit string, d parindex.Date, key string, link int64) {
			rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: storetest.Unit(t, db, unit).ID, Day: d, IdempotencyKey: key, Answers: "50", LinkID: link,
				SubmittedHour: time.Date(d.Year, d.Month, d.Day, 5, 0, 0, 0, time.UTC), Source: parindex.SourceQR})
		}
		add("SNV", day, "k1", links[0].ID)
		add("SNV", day, "k2", 0) // a paper form: no link
		add("XN", day, "k3", links[1].ID)
		add("XN", day.AddDays(-1), "k4", links[1].ID)
		add("XN", day.AddDays(-2), "k5", links[1].ID)
		storeMini(t, db, in, rs)

		counts, err := db.ResponsesByUnitOn(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 2 || counts[0].UnitCode != "SNV" || counts[0].Count != 2 || counts[0].UnitName != "Sở Nội vụ" ||
			counts[1].UnitCode != "XN" || counts[1].Count != 1 {
			t.Errorf("counts of %s = %+v", day, counts)
		}
		if counts, err := db.ResponsesByUnitOn(ctx, day.AddDays(1)); err != nil || len(counts) != 0 {
			t.Errorf("counts of an empty day = %+v, %v", counts, err)
		}

		byLink, err := db.LinkResponseCounts(ctx, day, 0)
		if err != nil || len(byLink) != 2 || byLink[links[0].ID] != (store.LinkCount{Today: 1, Total: 1}) ||
			byLink[links[1].ID] != (store.LinkCount{Today: 1, Total: 3}) {
			t.Errorf("LinkResponseCounts = %+v, %v", byLink, err)
		}
		xn, _ := db.OrgUnitByCode(ctx, "XN")
		byLink, err = db.LinkResponseCounts(ctx, day.AddDays(-1), xn.ID)
		if err != nil || len(byLink) != 1 || byLink[links[1].ID] != (store.LinkCount{Today: 1, Total: 3}) {
			t.Errorf("LinkResponseCounts of XN = %+v, %v", byLink, err)
		}
		// The same figures as FindLinks' own counts.
		found, _ := db.FindLinks(ctx, store.LinkFilter{CountsOn: day})
		for _, l := range found {
			if c := (store.LinkCount{Today: l.ResponsesToday, Total: l.ResponsesTotal}); c != byLinkAll(t, db, day)[l.ID] {
				t.Errorf("link %d: FindLinks %+v, LinkResponseCounts %+v", l.ID, c, byLinkAll(t, db, day)[l.ID])
			}
		}

		// More keys than one IN list holds, two of them stored.
		keys := []string{"k1"}
		for i := 0; i < 1100; i++ {
			keys = append(keys, fmt.Sprintf("paper-none-%d", i))
		}
		keys = append(keys, "k4", "x' OR '1'='1")
		if got, err := db.StoredResponseKeys(ctx, keys); err != nil || len(got) != 2 || !got["k1"] || !got["k4"] {
			t.Errorf("StoredResponseKeys = %v, %v; want k1 and k4", got, err)
		}
		if got, err := db.StoredResponseKeys(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no keys = %v, %v", got, err)
		}

		// Paper forms and the audit row of their import commit together:
		// three new forms and one already stored (k1).
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		var paper []*parindex.Response
		for _, key := range []string{"k1", "paper-1", "paper-2", "paper-3"} {
			paper = append(paper, &parindex.Response{InstrumentID: in.ID, UnitID: snv.ID, SubmittedHour: time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC),
				Day: day, IdempotencyKey: key, Answers: "45", Source: parindex.SourcePaper})
		}
		// The forms come in batches; a failure while reading them, after a
		// batch was stored, leaves nothing stored.
		batches := func(fail error, bs ...[]*parindex.Response) func() ([]*parindex.Response, error) {
			return func() ([]*parindex.Response, error) {
				if len(bs) == 0 {
					return nil, fail
				}
				b := bs[0]
				bs = bs[1:]
				return b, nil
			}
		}
		questions := map[int64][]string{in.ID: {"A1", "A2"}}
		before, _ := db.CountResponses(ctx, store.ResponseFilter{})
		if _, err := db.ImportPaperResponses(ctx, parindex.Actor{Name: "admin", RequestID: "r0"}, batches(errors.New("disk read"), paper[1:3]), questions,
			store.PaperImport{File: "phieu.csv", FileHash: "ff", Instrument: in.Code, Rows: 4}); err == nil {
			t.Fatal("a failing batch reader gave no error")
		}
		if after, _ := db.CountResponses(ctx, store.ResponseFilter{}); after != before {
			t.Fatalf("a failed import left %d responses stored", after-before)
		}
		p, err := db.ImportPaperResponses(ctx, parindex.Actor{Name: "admin", RequestID: "r1"}, batches(nil, paper[:2], paper[2:]), questions,
			store.PaperImport{File: "phieu.csv", FileHash: "ff", Instrument: in.Code, Rows: 4})
		if err != nil || p.Inserted != 3 || p.Duplicates != 1 {
			t.Fatalf("import = %+v, %v; want 3 inserted, 1 already stored", p, err)
		}
		audit, err := db.FindAudit(ctx, store.AuditFilter{ObjectType: "instrument", ObjectID: in.Code})
		if err != nil || len(audit) == 0 || audit[0].Action != "responses.import_paper" || audit[0].Actor != "admin" ||
			audit[0].After == "" {
			t.Fatalf("audit = %+v, %v", audit, err)
		}
		if want := `"inserted":3`; !strings.Contains(audit[0].After, want) {
			t.Errorf("audit after = %s, want %s", audit[0].After, want)
		}
	})
}

func byLinkAll(t *testing.T, db *store.DB, day parindex.Date) map[int64]store.LinkCount {
	t.Helper()
	m, err := db.LinkResponseCounts(context.Background(), day, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
