package store_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

func TestSnapshotsFreezeWhenPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		idx, rounded := 72.315, 72.32
		s := &parindex.Snapshot{FrameworkCode: "fw-2026", FrameworkHash: "abc", Year: 2026, Inputs: []byte(`{"agencies":[]}`),
			Results: []byte(`{"framework":"fw-2026"}`), Seed: 42, Note: "chạy thử",
			Units: []parindex.SnapshotUnit{
				{UnitCode: "SNV", UnitName: "Sở Nội vụ", Points: 71.23, MaxPoints: 98.5, Index: &idx, IndexRounded: &rounded, Rank: 1, Band: "C"},
				{UnitCode: "STP", UnitName: "Sở Tư pháp", MaxPoints: 0},
			}}
		if err := db.CreateSnapshot(ctx, cli, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.Snapshot(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != parindex.StatusDraft || string(got.Results) != `{"framework":"fw-2026"}` || got.Seed != 42 || len(got.Units) != 2 ||
			got.Units[0].UnitCode != "SNV" || *got.Units[0].Index != idx || got.Units[1].Index != nil || got.Units[1].Rank != 0 {
			t.Fatalf("read back %+v", got)
		}
		if err := db.PublishSnapshot(ctx, cli, s.ID, parindex.PublicationFinal, nil, "công bố kết quả"); err != nil {
			t.Fatal(err)
		}
		if err := db.PublishSnapshot(ctx, cli, s.ID, parindex.PublicationFinal, nil, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("second publish: %v", err)
		}
		// The database itself refuses to change a published snapshot.
		for _, q := range []string{
			`UPDATE score_snapshots SET results = 'x'`,
			`DELETE FROM score_snapshots`,
			`UPDATE snapshot_units SET band = 'A'`,
			`DELETE FROM snapshot_units`,
		} {
			if _, err := db.SQL().Exec(q); err == nil {
				t.Errorf("%s succeeded on a published snapshot", q)
			}
		}
		list, _ := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: "fw-2026", Status: parindex.StatusPublished})
		if len(list) != 1 || list[0].PublishedBy != "test" || list[0].Results != nil {
			t.Errorf("published list = %+v", list)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "snapshot"})
		if len(audit) != 2 || audit[0].Action != "snapshot.publish" || audit[0].Reason != "công bố kết quả" {
			t.Errorf("audit = %+v", audit)
		}
		if _, err := db.Snapshot(ctx, 999); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown snapshot: %v", err)
		}
	})
}
