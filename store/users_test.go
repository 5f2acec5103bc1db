package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

func TestUsersAndGrants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importTree(t, db)
		u := &parindex.User{Username: " Can.Bo ", DisplayName: "Cán bộ", Grants: []parindex.RoleGrant{
			{Role: parindex.RoleAgencyEditor, UnitCode: "SNV", IncludeDescendants: true},
			{Role: parindex.RoleAppraiser, Framework: "fw", Area: "2"},
		}}
		if err := db.CreateUser(ctx, cli, u, "hash-1"); err != nil {
			t.Fatal(err)
		}
		got, hash, err := db.UserCredentials(ctx, "CAN.BO")
		if err != nil {
			t.Fatal(err)
		}
		if hash != "hash-1" || got.Username != "can.bo" || got.Lang != "vi" || len(got.Grants) != 2 ||
			got.Grants[0].UnitCode != "SNV" || !got.Grants[0].IncludeDescendants || got.Grants[1].Area != "2" {
			t.Fatalf("read back %+v, hash %q", got, hash)
		}
		if err := db.CreateUser(ctx, cli, &parindex.User{Username: "can.bo", DisplayName: "x"}, "h"); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("duplicate username: err = %v", err)
		}

		// A grant that fails (unknown unit, missing area) leaves no trace.
		before := countRows(t, db, "audit_log")
		for _, g := range []parindex.RoleGrant{
			{Role: parindex.RoleAgencyLeader, UnitCode: "NOPE"},
			{Role: parindex.RoleAgencyLeader},
			{Role: parindex.RoleAppraiser},
			{Role: "superuser"},
		} {
			if err := db.AddGrant(ctx, cli, got.ID, g); err == nil {
				t.Errorf("grant %+v accepted", g)
			}
		}
		if err := db.CreateUser(ctx, cli, &parindex.User{Username: "x", DisplayName: "bad name"}, "h"); err == nil {
			t.Error("a two-letter username was accepted")
		}
		if n := countRows(t, db, "audit_log"); n != before {
			t.Errorf("failed changes wrote %d audit rows", n-before)
		}

		if err := db.RemoveGrant(ctx, cli, got.ID, got.Grants[1].ID); err != nil {
			t.Fatal(err)
		}
		yes := true
		if err := db.UpdateUser(ctx, cli, got.ID, store.UserUpdate{Disabled: &yes}, "left the agency"); err != nil {
			t.Fatal(err)
		}
		after, _ := db.UserByID(ctx, got.ID)
		if !after.Disabled || len(after.Grants) != 1 || after.SessionEpoch != got.SessionEpoch+1 {
			t.Errorf("after revoke and disable: %+v", after)
		}
		if err := db.SetPassword(ctx, cli, got.ID, "hash-2", ""); err != nil {
			t.Fatal(err)
		}
		after2, hash2, _ := db.UserCredentials(ctx, "can.bo")
		if hash2 != "hash-2" || after2.SessionEpoch != after.SessionEpoch+1 {
			t.Errorf("after password change: epoch %d, hash %q", after2.SessionEpoch, hash2)
		}

		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "user", ObjectID: "can.bo"})
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action)
			if strings.Contains(e.Before+e.After, "hash-") {
				t.Errorf("audit row %s shows a password hash", e.Action)
			}
		}
		if got := strings.Join(actions, ","); got != "user.password,user.update,user.revoke,user.grant,user.grant,user.create" {
			t.Errorf("audit actions = %s", got)
		}
		if audit[1].Reason != "left the agency" || !strings.Contains(audit[1].After, `"disabled":true`) {
			t.Errorf("disable audit = %+v", audit[1])
		}
	})
}

func TestSessionStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := db.Sessions()
		if err := s.CommitCtx(ctx, "tok", []byte("one"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "tok", []byte("two"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "old", []byte("x"), now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		data, found, err := s.FindCtx(ctx, "tok")
		if err != nil || !found || string(data) != "two" {
			t.Errorf("Find(tok) = %q, %v, %v", data, found, err)
		}
		if _, found, _ := s.FindCtx(ctx, "old"); found {
			t.Error("an expired session was found")
		}
		if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
			t.Errorf("DeleteExpired = %d, %v", n, err)
		}
		if err := s.DeleteCtx(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.FindCtx(ctx, "tok"); found {
			t.Error("a deleted session was found")
		}
	})
}
