package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
)

// importDepartments stores the province P, Tỉnh Thử, and a department of
// it for each name given: D1, D2, … in that order.
func importDepartments(t *testing.T, db *store.DB, names ...string) {
	t.Helper()
	rows := []parindex.OrgRow{{Row: 2, Code: "P", Name: "Tỉnh Thử", Type: "province", ValidFrom: "2000-01-01"}}
	for i, name := range names {
		rows = append(rows, parindex.OrgRow{Row: 3 + i, Code: fmt.Sprintf("D%d", i+1), Name: name, Type: "department", Parent: "P", ValidFrom: "2000-01-01"})
	}
	if _, err := db.ImportOrgUnits(context.Background(), parindex.Actor{Name: "test"}, "", rows, ""); err != nil {
		t.Fatal(err)
	}
}

// integrityDataDir holds five honest counters and one where a clerk taps 60
// five-star forms at 22:00 on one phone, each in a department of its own.
func integrityDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db := openTestDB(t, dir)
	defer db.Close() // before the command line opens it
	actor := parindex.Actor{Name: "test"}
	importDepartments(t, db, "Sở 1", "Sở 2", "Sở 3", "Sở 4", "Sở 5", "Sở 6")
	in := &parindex.StoredInstrument{Code: "mini-2026", Name: "Thử", Year: 2026, Source: "code: mini-2026", Hash: "abc"}
	if err := db.SaveInstrument(ctx, actor, in); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishInstrument(ctx, actor, in.Code); err != nil {
		t.Fatal(err)
	}
	var specs []store.LinkSpec
	for i := 1; i <= 6; i++ {
		specs = append(specs, store.LinkSpec{Token: fmt.Sprintf("t%d", i), InstrumentCode: in.Code, UnitCode: fmt.Sprintf("D%d", i), CounterLabel: "Quầy 1"})
	}
	links, err := db.CreateLinks(ctx, actor, specs)
	if err != nil {
		t.Fatal(err)
	}
	var rs []*parindex.Response
	add := func(link *parindex.SurveyLink, hour time.Time, device, answers string) {
		rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: link.UnitID, LinkID: link.ID, SubmittedHour: hour,
			Day: parindex.DateOf(hour.Add(7 * time.Hour)), IdempotencyKey: fmt.Sprintf("k%d", len(rs)),
			DeviceHash: device, DeviceKey: device, Answers: answers, Source: parindex.SourceQR})
	}
	honest := []string{"55", "54", "45", "44", "53", "35", "43", "34", "52", "25"}
	for _, link := range links[:5] {
		day, n := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 0
		for ; n < 40; day = day.AddDate(0, 0, 1) {
			if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
				continue
			}
			for _, utcHour := range []int{2, 6} { // 09:00 and 13:00 in Vietnam
				add(link, day.Add(time.Duration(utcHour)*time.Hour), fmt.Sprintf("%s-%d", link.UnitCode, n), honest[n%len(honest)])
				n++
			}
		}
	}
	for range 60 {
		add(links[5], time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC), "clerk-phone", "55")
	}
	if _, err := db.InsertResponses(ctx, rs, map[int64][]string{in.ID: {"A1", "A2"}}, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSurveyIntegrityCommand(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": integrityDataDir(t), "PARINDEX_DATABASE_URL": ""}
	out := cliOK(t, env, "survey", "integrity", "--instrument", "mini-2026", "--year", "2026", "--json")
	var report struct {
		PolicyVersion int `json:"policy_version"`
		Units         []struct {
			Code  string `json:"code"`
			Label string `json:"label"`
			Links []struct {
				Label   string `json:"label"`
				Reasons []struct {
					Indicator string `json:"indicator"`
					Flag      string `json:"flag"`
					TextVI    string `json:"text_vi"`
					TextEN    string `json:"text_en"`
				} `json:"reasons"`
			} `json:"links"`
		} `json:"units"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if report.PolicyVersion != 1 || len(report.Units) != 6 {
		t.Fatalf("policy %d, %d units", report.PolicyVersion, len(report.Units))
	}
	clerk := report.Units[0]
	if clerk.Code != "D6" || clerk.Label != "doubtful" || clerk.Links[0].Label != "doubtful" {
		t.Fatalf("first unit %s %s, want D6 doubtful:\n%s", clerk.Code, clerk.Label, out)
	}
	// The hour is all the store keeps, so no burst: four reasons that ask
	// for a check, three of which make the counter doubtful by the policy,
	// and the repeat-device flag that ingestion set on 59 of the 60 forms.
	var reasons []string
	for _, r := range clerk.Links[0].Reasons {
		reasons = append(reasons, r.Indicator+r.Flag)
		if r.TextVI == "" || r.TextEN == "" || strings.Contains(r.TextVI+r.TextEN, "%!") {
			t.Errorf("reason %s reads %q / %q", r.Indicator, r.TextVI, r.TextEN)
		}
	}
	want := []string{"outside_hours", "top_devices", "repeated_answers", "flagsduplicate_device", "top_box"}
	if !slices.Equal(reasons, want) {
		t.Errorf("clerk's reasons %v, want %v", reasons, want)
	}
	for _, u := range report.Units[1:] {
		if u.Label != "credible" || len(u.Links[0].Reasons) != 0 {
			t.Errorf("honest unit %s is %s: %+v", u.Code, u.Label, u.Links[0].Reasons)
		}
	}

	code, out, errOut := cli(t, env, "survey", "integrity", "--instrument", "mini-2026", "--year", "2026", "--unit", "D2")
	if code != 0 || !strings.Contains(out, "D2 Sở 2") || !strings.Contains(out, "Đáng tin cậy") || strings.Contains(out, "D6") {
		t.Errorf("one unit's table: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli(t, env, "survey", "integrity", "--instrument", "mini-2026", "--year", "2026")
	if code != 0 || !strings.Contains(out, "Đáng nghi ngờ") || !strings.Contains(out, "ngoài giờ làm việc") {
		t.Errorf("the table: exit %d\n%s", code, out)
	}
	if code, _, _ := cli(t, env, "survey", "integrity", "--instrument", "mini-2026"); code != 2 {
		t.Errorf("without --year: exit %d, want 2", code)
	}
}

// The API answers the document `survey integrity --json` prints, for the
// province and for one unit, over the same data.
func TestSurveyIntegrityJSONIsTheAPIDocument(t *testing.T) {
	dir := integrityDataDir(t)
	env := map[string]string{"PARINDEX_DATA_DIR": dir, "PARINDEX_DATABASE_URL": ""}
	dbURL := "sqlite:" + filepath.Join(dir, "parindex.db")
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := db.CreateAPIToken(context.Background(), parindex.Actor{Name: "test"}, store.APITokenSpec{Name: "Báo cáo"})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mustRun(t, dbURL)
	for _, tc := range []struct{ path, unit string }{
		{"/api/v1/survey/integrity?instrument=mini-2026&year=2026", ""},
		{"/api/v1/units/D6/survey/integrity?instrument=mini-2026&year=2026", "D6"},
	} {
		args := []string{"survey", "integrity", "--instrument", "mini-2026", "--year", "2026", "--json"}
		if tc.unit != "" {
			args = append(args, "--unit", tc.unit)
		}
		out := cliOK(t, env, args...)
		var printed any
		if err := json.Unmarshal([]byte(out), &printed); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", m.URL+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var answer struct{ Data any }
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s = %d, %v", tc.path, resp.StatusCode, err)
		}
		if !reflect.DeepEqual(printed, answer.Data) {
			a, _ := json.MarshalIndent(answer.Data, "", "  ")
			t.Errorf("%s answers another document than %v:\n%s\nprinted:\n%s", tc.path, args, a, out)
		}
		if units, _ := answer.Data.(map[string]any)["units"].([]any); len(units) == 0 {
			t.Errorf("%s: no unit", tc.path)
		}
	}
}
