package survey_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// One rule for unit codes: they ignore case in the import, offline
// (parindex survey stats) and in lookups by code (the API). The same file,
// whose rows spell one unit "SNV" and "snv", gives the same figures
// imported and read back as computed offline.
func TestUnitCodesIgnoreCaseInEveryPath(t *testing.T) {
	in, _ := survey.ReferenceInstrument("sipas-2026")
	var b strings.Builder
	b.WriteString(sipasHeader(in) + "\n")
	for i := range 40 {
		code := "SNV"
		if i%3 == 0 {
			code = "snv"
		}
		fill := []string{"5", "4", "3", "5", "2"}[i%5]
		fmt.Fprintf(&b, "%s,2026-03-%02d,%s\n", code, 1+i%20, answers22(fill, map[int]string{i % 22: "4", (i + 7) % 22: "NA"}))
	}
	data := b.String()

	rd, err := csvFile("phieu.csv", data)()
	if err != nil {
		t.Fatal(err)
	}
	offline, err := survey.TableResults(rd, in, true, survey.ResultOptions{})
	rd.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(offline.Groups) != 1 || !strings.EqualFold(offline.Groups[0].Unit, "SNV") || offline.Groups[0].Respondents != 40 {
		t.Fatalf("offline: %d groups, first %s with %d respondents", len(offline.Groups), offline.Groups[0].Unit, offline.Groups[0].Respondents)
	}

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if res := importedPaper(t, db, data); res.Inserted != 40 {
			t.Fatalf("import: %+v", res)
		}
		svc := survey.NewService(db, survey.ResultOptions{})
		for _, code := range []string{"SNV", "snv", "Snv"} {
			got, err := svc.Unit(ctx, "sipas-2026", code, survey.Year(2026), false)
			if err != nil {
				t.Fatalf("unit %s: %v", code, err)
			}
			want := offline.Groups[0]
			if got.Respondents != want.Respondents || got.Overall.Index != want.Overall.Index ||
				*got.Overall.CI95 != *want.Overall.CI95 || got.Adequacy != want.Adequacy {
				t.Errorf("unit %s from the database: %d, %v %v %s; offline: %d, %v %v %s", code,
					got.Respondents, got.Overall.Index, *got.Overall.CI95, got.Adequacy,
					want.Respondents, want.Overall.Index, *want.Overall.CI95, want.Adequacy)
			}
		}
	})
}

// Two units whose codes differ only in case are refused.
func TestOrgCodesDifferingOnlyInCaseAreRefused(t *testing.T) {
	rows := []parindex.OrgRow{
		{Row: 2, Code: "P", Name: "Tỉnh", Type: "province", ValidFrom: "2000-01-01"},
		{Row: 3, Code: "snv", Name: "Sở", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
		{Row: 4, Code: "SNV", Name: "Sở", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
	}
	_, errs := parindex.PlanOrgImport("donvi.csv", rows, nil, map[string]bool{"province": true, "department": true})
	found := false
	for _, e := range errs {
		found = found || (e.Row == 4 && strings.Contains(e.EN, "only in case"))
	}
	if !found {
		t.Errorf("problems %v, want row 4 refused", errs)
	}
}
