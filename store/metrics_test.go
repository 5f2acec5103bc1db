package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/store/storetest"
)

// The catalogue seeded by the migration is criteria.ReferenceMetrics with a
// combine rule and a self-report flag: a metric added there needs a
// migration adding it here.
func TestCatalogueIsTheReferenceMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ms, err := db.Metrics(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]*parindex.Metric{}
		for _, m := range ms {
			byCode[m.Code] = m
			if !m.Combine.Valid() {
				t.Errorf("%s: combine %q", m.Code, m.Combine)
			}
			// One-stop-shop figures come from the system, never from the agency.
			oneStop := strings.HasPrefix(m.Code, "records_") || strings.HasPrefix(m.Code, "procedures_") ||
				strings.HasPrefix(m.Code, "feedback_") || strings.HasPrefix(m.Code, "ratings_") || m.Code == "results_digitised"
			if oneStop == m.SelfReport {
				t.Errorf("%s: self_report = %v", m.Code, m.SelfReport)
			}
		}
		if len(ms) != len(criteria.ReferenceMetrics) {
			t.Errorf("catalogue has %d metrics, criteria.ReferenceMetrics %d", len(ms), len(criteria.ReferenceMetrics))
		}
		for i, r := range criteria.ReferenceMetrics {
			m := byCode[r.Code]
			if m == nil || m.NameVI != r.Name || m.NameEN != r.NameEN || m.Unit != r.Unit {
				t.Errorf("reference metric %s: catalogue has %+v", r.Code, m)
				continue
			}
			if ms[i].Code != r.Code {
				t.Errorf("catalogue order: %s at %d, want %s", ms[i].Code, i, r.Code)
			}
		}
		for code, want := range map[string]parindex.Combine{"records_received": parindex.CombineSum, "procedures_total": parindex.CombineLast,
			"plan_tasks_total": parindex.CombineLast, "budget_disbursed": parindex.CombineSum} {
			if byCode[code].Combine != want {
				t.Errorf("%s combines by %s, want %s", code, byCode[code].Combine, want)
			}
		}
		// Every metric a reference framework reads is in the catalogue.
		for _, code := range criteria.References() {
			f, err := criteria.Reference(code)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range f.Metrics() {
				if byCode[m] == nil {
					t.Errorf("framework %s reads %s, which the catalogue lacks", code, m)
				}
			}
		}
	})
}

func TestSaveMetric(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := &parindex.Metric{Code: "records_by_post", NameVI: "Số hồ sơ nhận qua bưu chính", NameEN: "Records received by post", Unit: "hồ sơ", Combine: parindex.CombineSum}
		if err := db.SaveMetric(ctx, cli, m, "QĐ 5"); err != nil {
			t.Fatal(err)
		}
		m2 := *m
		m2.SelfReport = true
		if err := db.SaveMetric(ctx, cli, &m2, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveMetric(ctx, cli, &m2, ""); err != nil { // unchanged: no audit row
			t.Fatal(err)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "metric", ObjectID: "records_by_post"})
		if len(audit) != 2 || audit[0].Action != "metric.update" || audit[1].Action != "metric.create" || audit[1].Reason != "QĐ 5" {
			t.Errorf("audit: %+v", audit)
		}
		ms, _ := db.Metrics(ctx)
		if last := ms[len(ms)-1]; last.Code != "records_by_post" || !last.SelfReport {
			t.Errorf("new metric: %+v", last)
		}
		for _, bad := range []*parindex.Metric{
			{Code: "Records", NameVI: "a", NameEN: "a", Combine: parindex.CombineSum},
			{Code: "x", NameVI: "", NameEN: "a", Combine: parindex.CombineSum},
			{Code: "x", NameVI: "a", NameEN: "a", Combine: "median"},
		} {
			if err := db.SaveMetric(ctx, cli, bad, ""); parindex.ErrorCode(err) != parindex.ECodeInvalid {
				t.Errorf("SaveMetric(%+v) = %v", bad, err)
			}
		}
	})
}

func obsRows(lines ...string) []parindex.ObservationRow {
	var out []parindex.ObservationRow
	for i, l := range lines {
		f := strings.Split(l, " ")
		out = append(out, parindex.ObservationRow{Row: i + 2, Unit: f[0], Period: f[1], Metric: f[2], Value: f[3]})
	}
	return out
}

func metricsDB(t *testing.T, db *store.DB) context.Context {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC) }
	if _, err := db.ImportOrgUnits(ctx, cli, "tree.csv", treeRows(), ""); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func TestPutObservationsIsIdempotentAndKeepsHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := metricsDB(t, db)
		batch := obsRows("SNV 2026-01 records_received 120", "SNV 2026-02 records_received 80", "XN 2026-Q1 records_online 30", "SNV 2026 plan_tasks_total 12")
		res, err := db.PutObservations(ctx, parindex.Actor{Name: "api:motcua#1", RequestID: "r1"}, batch, store.PutOptions{Source: parindex.MetricSourceAPI})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 4 || res.Updated != 0 || strings.Join(res.Outcomes, ",") != "inserted,inserted,inserted,inserted" {
			t.Errorf("first put: %+v", res)
		}
		auditBefore := countRows(t, db, "audit_log")

		// The same batch again writes nothing, not even an audit row.
		res, err = db.PutObservations(ctx, cli, batch, store.PutOptions{Source: parindex.MetricSourceAPI})
		if err != nil || res.Unchanged != 4 || res.Inserted+res.Updated != 0 {
			t.Fatalf("re-send: %+v %v", res, err)
		}
		if n := countRows(t, db, "audit_log"); n != auditBefore {
			t.Errorf("an unchanged re-send wrote %d audit rows", n-auditBefore)
		}

		// A correction keeps the old value in history and is audited, in one transaction.
		db.Now = func() time.Time { return time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC) }
		res, err = db.PutObservations(ctx, parindex.Actor{Name: "cli:hoa", RequestID: "r2"},
			obsRows("SNV 2026-02 records_received 85", "SNV 2026-03 records_received 90"), store.PutOptions{Source: parindex.MetricSourceImport, File: "t3.xlsx", Reason: "số liệu tháng 2 sai"})
		if err != nil || res.Updated != 1 || res.Inserted != 1 || res.Outcomes[0] != store.ObservationUpdated {
			t.Fatalf("correction: %+v %v", res, err)
		}
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		feb, _ := parindex.ParsePeriod("2026-02")
		hist, err := db.ObservationHistory(ctx, snv.ID, feb, "records_received")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[0].Value != 85 || hist[0].Source != "import" || hist[0].RecordedBy != "cli:hoa" ||
			hist[1].Value != 80 || hist[1].Source != "api" || hist[1].RecordedBy != "api:motcua#1" || hist[1].SupersededBy != "cli:hoa" ||
			!hist[1].SupersededAt.Equal(time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC)) || !hist[1].RecordedAt.Equal(time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)) {
			for _, h := range hist {
				t.Logf("%+v", h)
			}
			t.Error("history is wrong")
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "metric_observation"})
		if len(audit) != 1 || audit[0].ObjectID != "SNV/2026-02/records_received" || !strings.Contains(audit[0].Before, `"value":80`) ||
			!strings.Contains(audit[0].After, `"value":85`) || audit[0].Reason != "số liệu tháng 2 sai" || audit[0].RequestID != "r2" {
			t.Errorf("correction audit: %+v", audit)
		}
		batches, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "metric_batch"})
		if len(batches) != 2 || batches[0].ObjectID != "t3.xlsx" || !strings.Contains(batches[0].After, `"updated":1`) {
			t.Errorf("batch audit: %+v", batches)
		}

		// The history table refuses changes.
		if _, err := db.SQL().Exec(`UPDATE metric_observation_history SET value = 1`); err == nil {
			t.Error("history row updated")
		}
		if _, err := db.SQL().Exec(`DELETE FROM metric_observation_history`); err == nil {
			t.Error("history row deleted")
		}
	})
}

func TestPutObservationsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := metricsDB(t, db)
		before := countRows(t, db, "audit_log")
		_, err := db.PutObservations(ctx, cli, obsRows(
			"SNV 2026-01 records_received 120",
			"XN 2025-03 records_received 5", // XN began on 2025-07-01
			"X1 2025-05 records_received 7", // its predecessor has March–June
			"SNV 2026-12 records_received 1",
			"SNV 2026-01 khong_co 1",
		), store.PutOptions{Source: parindex.MetricSourceImport, File: "bad.csv"})
		var ie parindex.InputErrors
		if !errors.As(err, &ie) || len(ie) != 3 {
			t.Fatalf("err = %v", err)
		}
		for i, row := range []int{3, 5, 6} {
			if ie[i].Row != row || ie[i].File != "bad.csv" {
				t.Errorf("error %d: %+v", i, ie[i])
			}
		}
		if n := countRows(t, db, "metric_observations"); n != 0 {
			t.Errorf("%d values stored from a bad batch", n)
		}
		if countRows(t, db, "audit_log") != before {
			t.Error("a bad batch wrote audit rows")
		}
		// A dry run counts and writes nothing.
		res, err := db.PutObservations(ctx, cli, obsRows("SNV 2026-01 records_received 120"), store.PutOptions{Source: parindex.MetricSourceImport, DryRun: true})
		if err != nil || res.Inserted != 1 || countRows(t, db, "metric_observations") != 0 {
			t.Errorf("dry run: %+v %v", res, err)
		}
	})
}

func TestYearMetricsCombinesByTheCatalogueRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := metricsDB(t, db)
		var lines []string
		for m := 1; m <= 10; m++ {
			lines = append(lines,
				fmt.Sprintf("SNV 2026-%02d records_received %d", m, 100+m),
				fmt.Sprintf("SNV 2026-%02d procedures_total %d", m, 200+m), // a stock: the last month counts
			)
		}
		lines = append(lines,
			"STC 2026 records_received 5000", // a yearly value wins over months
			"STC 2026-01 records_received 10",
			"STC 2026-Q1 records_online 7", // quarters and months mix
			"STC 2026-04 records_online 3",
			"STC 2026-05 records_online 4",
			"SNV 2025-12 records_received 999", // another year
			"XN 2026 plan_tasks_total 12",
		)
		if _, err := db.PutObservations(ctx, cli, obsRows(lines...), store.PutOptions{Source: parindex.MetricSourceImport}); err != nil {
			t.Fatal(err)
		}
		got, err := db.YearMetrics(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[string]float64{
			"SNV": {"records_received": 1055, "procedures_total": 210},
			"STC": {"records_received": 5000, "records_online": 14},
			"XN":  {"plan_tasks_total": 12},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("YearMetrics(2026) = %v\nwant %v", got, want)
		}
		y25, _ := db.YearMetrics(ctx, 2025)
		if len(y25) != 1 || y25["SNV"]["records_received"] != 999 {
			t.Errorf("YearMetrics(2025) = %v", y25)
		}
		// Per period, with how each value was made.
		q1, _ := parindex.ParsePeriod("2026-Q1")
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		vals, err := db.PeriodValues(ctx, q1, snv.ID)
		if err != nil {
			t.Fatal(err)
		}
		v := vals[snv.ID]["records_received"]
		if len(vals) != 1 || v.Value != 101+102+103 || !v.Derived || v.Parts != 3 || v.LastRecorded == nil || v.LastRecorded.Period.String() != "2026-03" {
			t.Errorf("Q1 of SNV: %+v", vals)
		}
		if math.IsNaN(v.Value) {
			t.Error("NaN")
		}
	})
}

func TestFindObservationsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := metricsDB(t, db)
		var lines []string
		for _, u := range []string{"SNV", "STC", "XN"} {
			for m := 1; m <= 4; m++ {
				lines = append(lines, fmt.Sprintf("%s 2026-%02d records_received %d", u, m, m))
			}
		}
		if _, err := db.PutObservations(ctx, cli, obsRows(lines...), store.PutOptions{Source: parindex.MetricSourceImport}); err != nil {
			t.Fatal(err)
		}
		var seen []string
		var after *store.ObservationCursor
		for pages := 0; ; pages++ {
			page, err := db.FindObservations(ctx, store.ObservationFilter{Year: 2026, After: after, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				seen = append(seen, o.Key())
			}
			if len(page) < 5 {
				if pages != 2 {
					t.Errorf("%d pages", pages+1)
				}
				break
			}
			last := page[len(page)-1]
			after = &store.ObservationCursor{UnitID: last.UnitID, Period: last.Period.String(), Metric: last.Metric}
		}
		if len(seen) != 12 || seen[0] != "SNV/2026-01/records_received" || seen[11] != "XN/2026-04/records_received" {
			t.Errorf("pages: %v", seen)
		}
		if n, _ := db.CountObservations(ctx, parindex.MetricSourceImport); n != 12 {
			t.Errorf("count = %d", n)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := metricsDB(t, db)
		secret, tok, err := db.CreateAPIToken(ctx, cli, store.APITokenSpec{Name: "Hệ thống một cửa", UnitCode: "SNV", Write: true})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, store.APITokenPrefix) || len(secret) < len(store.APITokenPrefix)+43 || !strings.HasPrefix(secret, tok.Prefix) {
			t.Errorf("secret %q, prefix %q", secret, tok.Prefix)
		}
		// Only the hash is stored.
		var stored string
		if err := db.SQL().QueryRow(`SELECT token_hash FROM api_tokens`).Scan(&stored); err != nil || strings.Contains(stored, secret[len(store.APITokenPrefix):]) || len(stored) != 64 {
			t.Errorf("stored %q", stored)
		}
		got, err := db.APITokenBySecret(ctx, secret)
		if err != nil || got.ID != tok.ID || got.UnitCode != "SNV" || !got.CanWrite || got.LastUsedAt.IsZero() {
			t.Fatalf("by secret: %+v %v", got, err)
		}
		// Last-used is written at most once a minute.
		db.Now = func() time.Time { return time.Date(2026, 11, 20, 3, 0, 30, 0, time.UTC) }
		got, _ = db.APITokenBySecret(ctx, secret)
		if !got.LastUsedAt.Equal(time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)) {
			t.Errorf("last used moved within the minute: %v", got.LastUsedAt)
		}
		for _, bad := range []string{"", "pix_", secret + "x", "Bearer " + secret, strings.ToUpper(secret)} {
			if _, err := db.APITokenBySecret(ctx, bad); parindex.ErrorCode(err) != parindex.ECodeUnauthorized {
				t.Errorf("secret %q: %v", bad, err)
			}
		}
		if _, _, err := db.CreateAPIToken(ctx, cli, store.APITokenSpec{Name: "x", UnitCode: "KHONGCO"}); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown unit: %v", err)
		}
		if _, _, err := db.CreateAPIToken(ctx, cli, store.APITokenSpec{Name: " "}); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("no name: %v", err)
		}
		if err := db.RevokeAPIToken(ctx, cli, tok.ID, "hết hợp đồng"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.APITokenBySecret(ctx, secret); parindex.ErrorCode(err) != parindex.ECodeUnauthorized {
			t.Errorf("revoked token: %v", err)
		}
		if err := db.RevokeAPIToken(ctx, cli, tok.ID, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("revoke twice: %v", err)
		}
		list, _ := db.FindAPITokens(ctx)
		if len(list) != 1 || list[0].Active() || list[0].RevokedBy != "test" {
			t.Errorf("list: %+v", list)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "api_token"})
		if len(audit) != 2 || audit[0].Action != "api_token.revoke" || strings.Contains(audit[1].After, secret[len(store.APITokenPrefix):]) {
			t.Errorf("audit: %+v", audit)
		}
	})
}
