package export_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/export"
	"parindex/integrity"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
	"parindex/tabular/tabulartest"
	"parindex/workbook"
)

func TestRankingEqualsTheSnapshot(t *testing.T) {
	db, id := seeded(t)
	ctx := context.Background()
	sc, err := export.LoadSnapshot(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	types, err := export.UnitTypes(ctx, db, sc)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteRanking(&buf, sc, types, parindex.Clock{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != types["SNV"] {
		t.Fatalf("sheets = %q, want one per agency type (%q)", sheets, types["SNV"])
	}
	// The type is named as the catalogue names it, never by its code.
	if types["SNV"] != "Sở, ban, ngành" {
		t.Errorf("SNV's type reads %q", types["SNV"])
	}
	rows := cells(t, f, sheets[0])
	header := -1
	for i, r := range rows {
		if len(r) > 0 && r[0] == export.ColumnRank {
			header = i
		}
	}
	if header < 0 {
		t.Fatal("no header row")
	}
	col := map[string]int{}
	for i, title := range rows[header] {
		col[title] = i
	}
	body := rows[header+1:]
	if len(body) != len(sc.Result.Agencies) {
		t.Fatalf("%d rows, snapshot %d agencies", len(body), len(sc.Result.Agencies))
	}
	for i, r := range body {
		a := sc.Result.Agencies[i]
		if r[col[export.ColumnCode]] != a.Code || r[0] != strconv.Itoa(a.Rank) {
			t.Errorf("row %d: %s rank %s, snapshot %s rank %d", i, r[col[export.ColumnCode]], r[0], a.Code, a.Rank)
		}
		if got := number(t, r[col[export.ColumnIndex]]); got != *a.IndexRounded {
			t.Errorf("%s index %v, snapshot %v", a.Code, got, *a.IndexRounded)
		}
		for _, area := range sc.Areas() {
			n, _ := a.Node(area.Code)
			if got := number(t, r[col[export.AreaColumn(area.Code)]]); n.Max > 0 && got != n.Points/n.Max {
				t.Errorf("%s area %s: %v, snapshot %v / %v", a.Code, area.Code, got, n.Points, n.Max)
			}
		}
	}
	// One row per unit on A4 landscape, scaled to the width (at 80 % or
	// more, as planned).
	pl, _ := f.GetPageLayout(sheets[0])
	if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
		t.Errorf("ranking print set-up: %+v", pl)
	}
}

func TestResponsesExportStreamsEveryRowAndCutsLongComments(t *testing.T) {
	db, _ := seeded(t)
	ctx := context.Background()
	in, err := db.InstrumentByCode(ctx, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	unit := storetest.Unit(t, db, "SNV")
	long := strings.Repeat("Rất tốt. ", 5000) // 45,000 characters
	parsed, err := survey.NewService(db, survey.ResultOptions{}).Instrument(ctx, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, q := range parsed.Questions() {
		codes = append(codes, q.Code)
	}
	r := &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, Day: parindex.Date{Year: 2026, Month: 12, Day: 30},
		SubmittedHour: time.Date(2026, 12, 30, 3, 0, 0, 0, time.UTC), IdempotencyKey: "long-comment", DeviceHash: "d",
		Answers: strings.Repeat("5", len(codes)), Comment: long, Source: parindex.SourcePaper}
	if _, err := db.InsertResponses(ctx, []*parindex.Response{r}, map[int64][]string{in.ID: codes}, 0); err != nil {
		t.Fatal(err)
	}
	filter := store.ResponseFilter{UnitID: unit.ID}
	want, err := db.CountResponses(ctx, filter)
	if err != nil || want < 2 {
		t.Fatalf("count = %d, %v", want, err)
	}
	var buf bytes.Buffer
	sum, err := export.WriteResponses(ctx, db, filter, parindex.Clock{}, &buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != want || sum.Cut != 1 {
		t.Errorf("summary = %+v, want %d rows and 1 cut", sum, want)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pl, _ := f.GetPageLayout(export.SheetResponses)
	if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" {
		t.Errorf("streamed sheet print set-up: %+v", pl)
	}
	// Every printed page names the unit and the days, never a code.
	hf, err := f.GetHeaderFooter(export.SheetResponses)
	if err != nil || hf == nil || !strings.Contains(hf.OddFooter, "Phiếu khảo sát sự hài lòng · "+unit.Name+" · mọi ngày") || !strings.Contains(hf.OddFooter, "Trang &P / &N") {
		t.Errorf("raw responses footer = %+v, %v; want the unit %q and the days", hf, err, unit.Name)
	}
	rows := cells(t, f, export.SheetResponses)
	if len(rows) != want+1 {
		t.Fatalf("%d rows, want %d and the header", len(rows), want)
	}
	// One column per question, titled with its code and text; the time
	// as an Excel date in the province's zone; the comment last.
	header := rows[0]
	col := map[string]int{}
	for i, title := range header {
		col[title] = i
	}
	for _, q := range parsed.Questions() {
		if _, ok := col[q.Code+". "+q.Text.VI]; !ok {
			t.Errorf("no column for question %s in %q", q.Code, header)
		}
	}
	last := rows[len(rows)-1] // oldest first: the 30 December response is last
	if last[0] != "SNV" {
		t.Errorf("last row = %q", last)
	}
	for _, q := range parsed.Questions() {
		if got := last[col[q.Code+". "+q.Text.VI]]; got != "5" {
			t.Errorf("question %s = %q, answered 5", q.Code, got)
		}
	}
	// 03:00 UTC is 10:00 in Vietnam: 30/12/2026 10:00 as an Excel serial.
	at := time.Date(2026, 12, 30, 10, 0, 0, 0, time.UTC)
	if got, err := strconv.ParseFloat(last[col[export.ColumnResponseTime]], 64); err != nil || time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(got*24*float64(time.Hour))).Round(time.Minute) != at {
		t.Errorf("time = %q, want %v", last[col[export.ColumnResponseTime]], at)
	}
	if c := last[col[export.ColumnComment]]; !strings.HasSuffix(c, workbook.CutMarker) || len([]rune(c)) != workbook.MaxCellText {
		t.Errorf("long comment: %d characters, ends %q", len([]rune(c)), c[max(0, len(c)-40):])
	}
}

func TestSurveyResultsEqualTheService(t *testing.T) {
	db, _ := seeded(t)
	svc := survey.NewService(db, survey.ResultOptions{})
	res := sipasResults(t, db, svc, export.SurveyQuery{Period: survey.Year(2026)})
	if len(res.Units) < 20 {
		t.Fatalf("%d units with responses", len(res.Units))
	}
	f := surveyBook(t, res)
	checked := 0
	for _, r := range cells(t, f, export.SheetSurveyUnits) {
		if len(r) < 5 {
			continue
		}
		g, ok := res.Results[r[0]]
		if !ok {
			continue
		}
		if r[2] != strconv.Itoa(g.Respondents) || number(t, r[4]) != float64(g.Overall.Index) {
			t.Errorf("unit %s: %s respondents, overall %s; service %d, %v", r[0], r[2], r[4], g.Respondents, g.Overall.Index)
		}
		checked++
	}
	if checked != len(res.Units) {
		t.Errorf("%d unit rows, want %d", checked, len(res.Units))
	}
	// The title says "khảo sát" once, though the instrument's name starts
	// with it.
	if title := export.SurveyTitle(res); strings.Contains(strings.ToLower(title), "khảo sát khảo sát") || !strings.HasPrefix(title, "Kết quả khảo sát") {
		t.Errorf("title = %q", title)
	}
	if got := cells(t, f, export.SheetSurveyUnits)[0][0]; got != export.SurveyTitle(res) {
		t.Errorf("first cell = %q", got)
	}
	questions := cells(t, f, export.SheetSurveyQuestions)
	if want := len(res.Units)*len(res.Instrument.Questions()) + 1; len(questions) != want {
		t.Errorf("%d question rows, want %d", len(questions), want)
	}
	// The element column names the element ("Tiếp cận dịch vụ"), not its code.
	if len(questions) > 1 && questions[1][1] != res.Instrument.Elements[0].Name.VI {
		t.Errorf("the first question's element reads %q, want %q", questions[1][1], res.Instrument.Elements[0].Name.VI)
	}

	// With the flagged responses: each unit counts its flagged forms too,
	// and the title, the file's name and the column say so.
	all := sipasResults(t, db, svc, export.SurveyQuery{Period: survey.Year(2026), IncludeFlagged: true})
	flagged := 0
	for code, clean := range res.Results {
		if got := all.Results[code]; got.Forms != clean.Forms+clean.Flagged {
			t.Errorf("unit %s with flagged responses: %d forms; without, %d and %d flagged", code, got.Forms, clean.Forms, clean.Flagged)
		}
		flagged += clean.Flagged
	}
	if flagged == 0 {
		t.Fatal("the demo has no flagged response: nothing to include")
	}
	if title, name := export.SurveyTitle(all), export.SurveyFileName(all); !strings.HasSuffix(title, "(kể cả phiếu bị gắn cờ)") ||
		!strings.Contains(name, "kể cả phiếu bị gắn cờ") || strings.Contains(export.SurveyTitle(res), "gắn cờ") {
		t.Errorf("with flagged: title %q, file %q; without: %q", title, name, export.SurveyTitle(res))
	}
	g := surveyBook(t, all)
	if !slices.ContainsFunc(cells(t, g, export.SheetSurveyUnits), func(r []string) bool { return slices.Contains(r, "Phiếu gắn cờ (đã tính)") }) {
		t.Error("no column says the flagged forms are counted")
	}
}

// sipasResults loads the survey results of sipas-2026 that q asks for, under
// the default integrity policy and the province's zone.
func sipasResults(t *testing.T, db *store.DB, svc *survey.Service, q export.SurveyQuery) *export.SurveyResults {
	t.Helper()
	q.Instrument, q.Policy, q.Location = "sipas-2026", integrity.DefaultPolicy(), time.FixedZone("ICT", 7*3600)
	res, err := export.LoadSurveyResults(context.Background(), db, svc, q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// surveyBook is the survey workbook of res, opened as Excel would.
func surveyBook(t *testing.T, res *export.SurveyResults) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := export.WriteSurveyResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	return tabulartest.Open(t, buf.Bytes())
}
