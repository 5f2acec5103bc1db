package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// Every change a server may cache reaches a watcher of the database when
// its transaction commits, named by what changed; a transaction that
// changes nothing says nothing.
func TestWatchChangesTellsCommittedChanges(t *testing.T) {
	// Notices go to every listener of a database, and the other tests'
	// schemas share one: on PostgreSQL this watcher has a database of its
	// own, so that it hears only this test's changes.
	urls := map[string]func(testing.TB) string{store.SQLite: storetest.SQLiteURL, store.Postgres: storetest.PostgresDatabaseURL}
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) { watchChanges(t, storetest.MustOpen(t, urls[dialect](t))) })
	}
}

func watchChanges(t *testing.T, db *store.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, links := miniLinks(t, db, "SNV/Quầy 1", "SNV/Quầy 2")
	told := make(chan store.Change, 100)
	done := make(chan error, 1)
	go func() {
		done <- db.WatchChanges(ctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)), func(c store.Change) { told <- c })
	}()
	// The listener's connection takes a moment: mark and unmark the
	// second link until one change arrives, then forget the rest.
	for listening, mark := false, true; !listening; mark = !mark {
		if err := db.MarkLinkIndependent(ctx, cli, links[1].ID, mark, ""); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-told:
			listening = c == store.ChangeLinks
		case <-time.After(100 * time.Millisecond):
		}
	}
	drain := func() []store.Change {
		var got []store.Change
		for {
			select {
			case c := <-told:
				got = append(got, c)
			case <-time.After(300 * time.Millisecond):
				return got
			}
		}
	}
	drain()
	expect := func(what string, want ...store.Change) {
		t.Helper()
		if got := drain(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: told %q, want %q", what, got, want)
		}
	}

	if err := db.RevokeLink(ctx, cli, links[0].ID, "thử"); err != nil {
		t.Fatal(err)
	}
	expect("a link revoked", store.ChangeLinks)
	if err := db.RevokeLink(ctx, cli, links[0].ID, "thử"); err == nil {
		t.Fatal("a revoked link was revoked again")
	}
	expect("a refused revocation")

	unit := storetest.Unit(t, db, "SNV")
	var rs []*parindex.Response
	for i, a := range []string{"51", "42", "33"} {
		r := miniForm(in, unit.ID, parindex.Date{Year: 2026, Month: 3, Day: 10}, fmt.Sprintf("watch-%d", i), a, parindex.SourceQR)
		r.LinkID = links[1].ID
		rs = append(rs, r)
	}
	storeMini(t, db, in, rs)
	expect("responses stored", store.ChangeResponses)

	var ids []int64
	if err := db.EachScreenedResponse(ctx, in.ID, parindex.Date{}, parindex.Date{}, func(r store.ScreenedResponse) error {
		ids = append(ids, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	add := map[int64][]string{ids[0]: {parindex.FlagBatchDuplicate}}
	if n, err := db.AddResponseFlags(ctx, in.ID, add); err != nil || n != 1 {
		t.Fatalf("flagged %d, %v", n, err)
	}
	expect("a response flagged", store.ChangeFlags)
	if _, err := db.AddResponseFlags(ctx, in.ID, add); err != nil {
		t.Fatal(err)
	}
	expect("flags it already had")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("WatchChanges ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("WatchChanges did not end with its context")
	}
}

// Two servers screen the same responses at the same night hour: each
// response gains its flags once and its answers move from the clean to the
// flagged counts once, so the count table still equals a recount of the
// rows.
func TestConcurrentScreensMoveCountsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		unit := storetest.Unit(t, db, "SNV")
		var rs []*parindex.Response
		for i := 0; i < 300; i++ {
			rs = append(rs, miniForm(in, unit.ID, parindex.Date{Year: 2026, Month: 3, Day: 10 + i%3}, fmt.Sprintf("twice-%d", i),
				fmt.Sprintf("%d%d", 1+i%5, 5-i%5), parindex.SourceQR))
		}
		storeMini(t, db, in, rs)
		add := map[int64][]string{}
		if err := db.EachScreenedResponse(ctx, in.ID, parindex.Date{}, parindex.Date{}, func(r store.ScreenedResponse) error {
			if r.ID%2 == 0 {
				add[r.ID] = []string{parindex.FlagBatchDuplicate}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		const screens = 4
		var wg sync.WaitGroup
		changed := make([]int, screens)
		errs := make([]error, screens)
		for i := range screens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				changed[i], errs[i] = db.AddResponseFlags(ctx, in.ID, add)
			}()
		}
		wg.Wait()
		total := 0
		for i := range screens {
			if errs[i] != nil {
				t.Fatalf("screen %d: %v", i, errs[i])
			}
			total += changed[i]
		}
		if total != len(add) {
			t.Errorf("%d screens flagged %d responses together, want %d", screens, total, len(add))
		}
		rows, err := db.FindResponses(ctx, store.ResponseFilter{InstrumentID: in.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		byDay := map[[3]string][]string{}
		for _, r := range rows {
			a := r.Answers
			if r.Flags != "" {
				a = "f" + a
			}
			k := [3]string{fmt.Sprint(in.ID), fmt.Sprint(unit.ID), r.Day.String()}
			byDay[k] = append(byDay[k], a)
		}
		if want, got := countsOf(2, byDay), countTable(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("count table %v, recounted from the rows %v", got, want)
		}
	})
}
