package export_test

import (
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/demo/demotest"
	"parindex/export"
	"parindex/integrity/integritytest"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// The survey workbook's integrity sheet: the policy's version, the clerk's
// unit first and doubtful in red with its counter's reasons, the honest unit
// credible in green; a workbook of one unit shows that unit alone; a period
// that is not a calendar year says why the sheet is empty.
func TestSurveyWorkbookIntegritySheet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		demotest.Units(t, db, parindex.Actor{Name: "test"})
		integritytest.PlantClerk(t, db)
		svc := survey.NewService(db, survey.ResultOptions{})
		sheet := func(p survey.Period, parent string) (*excelize.File, [][]string) {
			t.Helper()
			f := surveyBook(t, sipasResults(t, db, svc, export.SurveyQuery{Period: p, Parent: parent}))
			return f, cells(t, f, export.SheetSurveyIntegrity)
		}
		f, rows := sheet(survey.Year(2026), "")
		if got := field(rows, export.LabelPolicyVersion); got != "1" {
			t.Errorf("policy version %q, want 1", got)
		}
		if !strings.Contains(rows[0][0], "năm 2026") {
			t.Errorf("title %q", rows[0][0])
		}
		// The table: header, STP, its counter, SNV, its counter.
		header := -1
		for i, r := range rows {
			if len(r) > 0 && r[0] == export.ColumnCode {
				header = i
			}
		}
		if header < 0 || len(rows) != header+5 {
			t.Fatalf("no table of two units with a link each:\n%q", rows)
		}
		want := [][]string{
			{integritytest.ClerkUnit, "Sở Tư pháp", "Đáng nghi ngờ", "60"},
			{integritytest.ClerkUnit, integritytest.ClerkCounter, "Đáng nghi ngờ", "60"},
			{integritytest.HonestUnit, "Sở Nội vụ", "Đáng tin cậy", "48"},
			{integritytest.HonestUnit, integritytest.HonestCounter, "Đáng tin cậy", "48"},
		}
		for i, w := range want {
			r := append(rows[header+1+i], "", "", "", "", "")
			if strings.Join(r[:4], "|") != strings.Join(w, "|") {
				t.Errorf("row %d = %q, want %q", header+2+i, r[:5], w)
			}
		}
		clerkReasons := rows[header+2][4]
		for _, want := range []string{"100,0% số phiếu gửi ngoài giờ làm việc", "3 thiết bị", "cùng một bộ câu trả lời", "Tỉ lệ 5 sao 100,0%"} {
			if !strings.Contains(clerkReasons, want) {
				t.Errorf("the clerk's counter's reasons lack %q:\n%s", want, clerkReasons)
			}
		}
		if len(rows[header+4]) > 4 && rows[header+4][4] != "" {
			t.Errorf("the honest counter has reasons: %q", rows[header+4][4])
		}
		// The label's cell is filled as a band is: red for doubtful, green
		// for credible, the word written in it.
		fill := func(row int) string {
			cell, _ := excelize.CoordinatesToCellName(3, row)
			id, err := f.GetCellStyle(export.SheetSurveyIntegrity, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil || len(st.Fill.Color) == 0 {
				return ""
			}
			return strings.ToUpper(st.Fill.Color[0])
		}
		if red, green := fill(header+2), fill(header+4); red != "F8696B" || green != "63BE7B" {
			t.Errorf("label fills: doubtful %q, credible %q; want F8696B and 63BE7B", red, green)
		}

		// The workbook of SNV alone.
		_, rows = sheet(survey.Year(2026), integritytest.HonestUnit)
		var codes []string
		for _, r := range rows[header+1:] {
			codes = append(codes, r[0])
		}
		if strings.Join(codes, ",") != "SNV,SNV" {
			t.Errorf("SNV's workbook shows the integrity rows of %v", codes)
		}

		// A quarter: integrity is judged over a calendar year.
		_, rows = sheet(survey.Period{From: parindex.Date{Year: 2026, Month: 1, Day: 1}, To: parindex.Date{Year: 2026, Month: 3, Day: 31}}, "")
		if len(rows) != 2 || !strings.Contains(rows[1][0], "năm dương lịch") {
			t.Errorf("a quarter's integrity sheet:\n%q", rows)
		}
	})
}
