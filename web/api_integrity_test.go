package web_test

import (
	"math"
	"strings"
	"testing"

	"parindex/integrity/integritytest"
)

// The counter-integrity endpoints: the planted clerk's counter is doubtful
// with its figures, the honest one credible; a token scoped to a unit reads
// that unit only; unknown units, instruments and years are answered with
// the field at fault.
func TestAPISurveyIntegrity(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		honest, _ := integritytest.PlantClerk(t, ts.DB)
		c, all := ts.apiClient(t, "Báo cáo", "", false)

		r := c.api("GET", "/api/v1/survey/integrity?instrument=sipas-2026&year=2026", all, nil)
		d := r.data()
		if r.Status != 200 || d["instrument"] != "sipas-2026" || d["year"] != 2026.0 || d["policy_version"] != 1.0 {
			t.Fatalf("report = %d %s", r.Status, r.Body)
		}
		units, _ := d["units"].([]any)
		if len(units) != 2 {
			t.Fatalf("%d units, want STP and SNV: %s", len(units), r.Body)
		}
		stp, snv := units[0].(map[string]any), units[1].(map[string]any)
		if stp["code"] != "STP" || stp["label"] != "doubtful" || stp["responses"] != 60.0 {
			t.Errorf("first unit %v %v %v, want STP doubtful with 60 responses", stp["code"], stp["label"], stp["responses"])
		}
		if snv["code"] != "SNV" || snv["label"] != "credible" || snv["responses"] != 48.0 || len(snv["reasons"].([]any)) != 0 {
			t.Errorf("second unit %v %v %v %v, want SNV credible with 48 responses and no reason", snv["code"], snv["label"], snv["responses"], snv["reasons"])
		}
		links := snv["links"].([]any)
		if len(links) != 1 || links[0].(map[string]any)["id"] != float64(honest.ID) || links[0].(map[string]any)["counter"] != "Quầy 1" ||
			links[0].(map[string]any)["label"] != "credible" {
			t.Errorf("SNV's links: %v", links)
		}

		// The clerk's counter: every form at 22:00, where the policy
		// expects a tenth outside office hours; a bound's p-value and no
		// interval. Every form from one phone, where a fifth is allowed,
		// judged by the lower end of its interval.
		clerk := stp["links"].([]any)[0].(map[string]any)
		reasons := map[string]map[string]any{}
		for _, x := range clerk["reasons"].([]any) {
			reason := x.(map[string]any)
			reasons[reason["indicator"].(string)] = reason
		}
		out := reasons["outside_hours"]
		if out == nil || out["label"] != "check" || out["value"] != 1.0 || out["limit"] != 0.1 || out["lower"] != nil {
			t.Errorf("outside_hours: %v", out)
		} else if p, ok := out["p_value"].(float64); !ok || p <= 0 || p > 1e-50 { // 0.1^60
			t.Errorf("outside_hours p-value %v, want 1e-60", out["p_value"])
		}
		if !strings.Contains(out["text_vi"].(string), "ngoài giờ làm việc") || !strings.Contains(out["text_en"].(string), "outside office hours") {
			t.Errorf("outside_hours reads %q / %q", out["text_vi"], out["text_en"])
		}
		dev := reasons["top_devices"]
		if dev == nil || dev["value"] != 1.0 || dev["limit"] != 0.2 || dev["p_value"] != nil {
			t.Errorf("top_devices: %v", dev)
		} else if lo, _ := dev["lower"].(float64); lo < 0.9 || lo >= 1 || math.IsNaN(lo) {
			t.Errorf("top_devices' lower end %v, want the Wilson bound of 60/60 (0.94)", dev["lower"])
		}

		// One unit, with its links.
		r = c.api("GET", "/api/v1/units/STP/survey/integrity?instrument=sipas-2026&year=2026", all, nil)
		if one := r.data(); r.Status != 200 || len(one["units"].([]any)) != 1 || one["units"].([]any)[0].(map[string]any)["label"] != "doubtful" {
			t.Errorf("STP alone = %d %s", r.Status, r.Body)
		}

		// A token of SNV reads SNV only.
		own := mustToken(t, ts.DB, "Sở Nội vụ", "SNV", false)
		r = c.api("GET", "/api/v1/survey/integrity?instrument=sipas-2026&year=2026", own, nil)
		if units, _ := r.data()["units"].([]any); r.Status != 200 || len(units) != 1 || units[0].(map[string]any)["code"] != "SNV" {
			t.Errorf("SNV's token reads the province = %d %s", r.Status, r.Body)
		}
		if r := c.api("GET", "/api/v1/units/STP/survey/integrity?instrument=sipas-2026&year=2026", own, nil); r.Status != 403 {
			t.Errorf("SNV's token reads STP: %d", r.Status)
		}

		for _, tc := range []struct {
			path, field string
			status      int
		}{
			{"/api/v1/survey/integrity?year=2026", "instrument", 400},
			{"/api/v1/survey/integrity?instrument=sipas-2026&year=hai", "year", 400},
			{"/api/v1/survey/integrity?instrument=khong-co&year=2026", "instrument", 404},
			{"/api/v1/units/KHONGCO/survey/integrity?instrument=sipas-2026&year=2026", "unit", 404},
			{"/api/v1/units/SYT/survey/integrity?instrument=sipas-2026&year=2026", "unit", 404}, // no QR link
		} {
			r := c.api("GET", tc.path, all, nil)
			e, _ := r.JSON["error"].(map[string]any)
			if r.Status != tc.status || e["field"] != tc.field || e["message"] == "" {
				t.Errorf("%s = %d %s, want %d on field %s", tc.path, r.Status, r.Body, tc.status, tc.field)
			}
		}
	})
}
