package survey_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/demo/demotest"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
	"parindex/tabular"
)

var paperToday = parindex.Date{Year: 2026, Month: 3, Day: 20}

func mustDate(s string) parindex.Date {
	d, err := parindex.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// paperUnits: a current department, a current ward and an old commune
// merged into the ward on 2025-07-01.
func paperUnits() []*parindex.OrgUnit {
	return []*parindex.OrgUnit{
		{ID: 1, Code: "SNV", Name: "Sở Nội vụ", Type: "department", ValidFrom: mustDate("2000-01-01")},
		{ID: 2, Code: "P001", Name: "Phường Một", Type: "ward", ValidFrom: mustDate("2025-07-01")},
		{ID: 3, Code: "X-CU", Name: "Xã Cũ", Type: "commune", ValidFrom: mustDate("2000-01-01"), ValidTo: mustDate("2025-06-30"), SuccessorCode: "P001"},
	}
}

func sipas(t *testing.T) (*survey.Instrument, *parindex.StoredInstrument) {
	t.Helper()
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	return in, &parindex.StoredInstrument{ID: 7, Code: in.Code, Status: parindex.StatusPublished}
}

// publishedSipas gives db the demo province's units and the published
// sipas-2026, with db's clock set to now, and returns the stored instrument.
func publishedSipas(tb testing.TB, db *store.DB, now func() time.Time) *parindex.StoredInstrument {
	tb.Helper()
	ctx := context.Background()
	db.Now = now
	actor := parindex.Actor{Name: "test"}
	demotest.Units(tb, db, actor)
	stored, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
	if err != nil {
		tb.Fatal(err)
	}
	return stored
}

// importedPaper is publishedSipas on 30 March 2026 with the paper forms of
// the CSV text data imported.
func importedPaper(t *testing.T, db *store.DB, data string) survey.PaperResult {
	t.Helper()
	publishedSipas(t, db, func() time.Time { return time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC) })
	res, err := survey.ImportPaper(context.Background(), db, parindex.Actor{Name: "test"}, csvFile("phieu.csv", data), "sipas-2026", false)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func minimal(t *testing.T) (*survey.Instrument, *parindex.StoredInstrument) {
	t.Helper()
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, err := survey.ParseInstrument("minimal.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return in, &parindex.StoredInstrument{ID: 8, Code: in.Code, Status: parindex.StatusPublished}
}

// sipasHeader lists unit, date and the 22 question codes, then extra columns.
func sipasHeader(in *survey.Instrument, extra ...string) string {
	return strings.Join(append(append([]string{"unit", "date"}, survey.QuestionCodes(in)...), extra...), ",")
}

// answers22 is one row's 22 answer cells with some cells replaced.
func answers22(fill string, replace map[int]string) string {
	cells := make([]string, 22)
	for i := range cells {
		cells[i] = fill
		if v, ok := replace[i]; ok {
			cells[i] = v
		}
	}
	return strings.Join(cells, ",")
}

func readCSV(t *testing.T, name, data string) *tabular.Table {
	t.Helper()
	tab, err := tabular.Read(name, strings.NewReader(data), tabular.Upload)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// csvFile opens a CSV text afresh each time it is called, as ImportPaper
// reads its file twice.
func csvFile(name, data string) func() (*tabular.Reader, error) {
	return func() (*tabular.Reader, error) { return tabular.Open(name, strings.NewReader(data), tabular.Upload) }
}

func inputErrors(t *testing.T, err error) parindex.InputErrors {
	t.Helper()
	var ie parindex.InputErrors
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want InputErrors", err)
	}
	return ie
}

// hasProblem reports whether some problem sits at row and column and its
// English message contains want.
func hasProblem(ie parindex.InputErrors, row int, column, want string) bool {
	for _, e := range ie {
		if e.Row == row && e.Column == column && strings.Contains(e.EN, want) && e.VI != "" {
			return true
		}
	}
	return false
}

func TestParsePaperValidRows(t *testing.T) {
	in, stored := sipas(t)
	// A BOM, a header in another case with spaces, columns in another order,
	// a quoted comment with a comma, quotes and a line break, NA and empty
	// answers, a unit code typed in lower case, a profile choice in capitals.
	header := "\xef\xbb\xbf Comment ,Gender," + strings.ToUpper(sipasHeader(in)) + ",age_group"
	data := header + "\n" +
		`"Cần thêm ghế, quạt ""mát""` + "\n" + `ở phòng chờ",FEMALE,SNV,2026-03-14,` + answers22("4", map[int]string{0: "5", 2: "NA", 3: "", 21: "na"}) + ",age_30_44\n" +
		",,p001,2026-03-20," + answers22("3", nil) + ",\n" +
		",,X-CU,2025-06-30," + answers22("", map[int]string{5: "1"}) + ",\n"
	tab := readCSV(t, "giay.csv", data)
	batch, err := survey.ParsePaper(tab, in, stored, paperUnits(), paperToday)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Responses) != 3 || batch.Hash != survey.TableHash(tab) || len(batch.Hash) != 64 {
		t.Fatalf("batch = %+v", batch)
	}
	r := batch.Responses[0]
	if r.Answers != "5400444444444444444440" {
		t.Errorf("answers = %s", r.Answers)
	}
	if r.UnitID != 1 || r.InstrumentID != 7 || r.LinkID != 0 || r.Source != parindex.SourcePaper || r.FillSeconds != 0 || len(r.Flags) != 0 ||
		r.DeviceHash != "" || r.DossierHash != "" {
		t.Errorf("response = %+v", r)
	}
	if r.Day != mustDate("2026-03-14") || !r.SubmittedHour.Equal(time.Date(2026, 3, 14, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("day %s, hour %s; want 2026-03-14 at 12:00 in Vietnam", r.Day, r.SubmittedHour)
	}
	if r.Profile != "gender=female;age_group=age_30_44" {
		t.Errorf("profile = %q", r.Profile)
	}
	if r.Comment != "Cần thêm ghế, quạt \"mát\"\nở phòng chờ" {
		t.Errorf("comment = %q", r.Comment)
	}
	if r.IdempotencyKey != survey.PaperKey(batch.Hash, 2) {
		t.Errorf("key = %q", r.IdempotencyKey)
	}
	// The row numbers follow the spreadsheet: the comment spans two lines.
	if k := batch.Responses[1].IdempotencyKey; k != survey.PaperKey(batch.Hash, 4) {
		t.Errorf("second key = %q", k)
	}
	if batch.Responses[1].UnitID != 2 || batch.Responses[1].Profile != "" || batch.Responses[1].Day != paperToday {
		t.Errorf("second response = %+v", batch.Responses[1])
	}
	// An old unit is fine on a date when it still existed.
	if r := batch.Responses[2]; r.UnitID != 3 || r.Answers != "0000010000000000000000" {
		t.Errorf("third response = %+v", r)
	}

	// The same content gives the same keys; one changed cell changes them all.
	again, err := survey.ParsePaper(readCSV(t, "copy.csv", data), in, stored, paperUnits(), paperToday)
	if err != nil || again.Responses[0].IdempotencyKey != r0Key(batch) {
		t.Errorf("re-read keys differ: %v", err)
	}
	changed, err := survey.ParsePaper(readCSV(t, "giay.csv", strings.Replace(data, "2026-03-20", "2026-03-19", 1)), in, stored, paperUnits(), paperToday)
	if err != nil || changed.Hash == batch.Hash {
		t.Errorf("a changed table kept its hash: %v", err)
	}
}

func r0Key(b *survey.PaperBatch) string { return b.Responses[0].IdempotencyKey }

// The hash names the content: the same forms as CSV and as .xlsx import as
// the same table.
func TestTableHashIgnoresTheFileFormat(t *testing.T) {
	rows := [][]any{{"unit", "date", "A1"}, {"SNV", "2026-03-14", "5"}, {"SNV", "2026-03-15", "NA"}}
	var csv strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&csv, "%s,%s,%s\n", r...)
	}
	f := excelize.NewFile()
	for i, r := range rows {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	xlsx, err := tabular.Read("phieu.xlsx", &buf, tabular.Upload)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := survey.TableHash(readCSV(t, "phieu.csv", csv.String())), survey.TableHash(xlsx); a != b {
		t.Errorf("CSV hash %s != XLSX hash %s", a, b)
	}
}

func TestParsePaperReportsEveryBadCell(t *testing.T) {
	in, stored := sipas(t)
	long := strings.Repeat("ý", 1001)
	data := sipasHeader(in, "gender", "comment") + "\n" +
		"KHONGCO,2026-03-14," + answers22("4", nil) + ",,\n" + // row 2: unknown unit
		"X-CU,2026-03-14," + answers22("4", nil) + ",,\n" + // row 3: unit merged away by then
		"SNV,14/03/2026," + answers22("4", nil) + ",,\n" + // row 4: date in the wrong form
		"SNV,2026-03-21," + answers22("4", nil) + ",,\n" + // row 5: tomorrow
		"SNV,2026-02-30," + answers22("4", map[int]string{1: "6", 4: "x", 7: "4.0", 8: "0"}) + ",,\n" + // row 6: impossible date, four bad answers
		"SNV,2026-03-14," + answers22("4", nil) + ",robot," + long + "\n" + // row 7: bad choice, comment too long
		",," + answers22("", nil) + ",,chỉ có ý kiến\n" + // row 8: no unit, no date, no answer
		"P001,2026-03-14," + answers22("5", nil) + ",male,Tốt\n" // row 9: fine
	_, err := survey.ParsePaper(readCSV(t, "loi.csv", data), in, stored, paperUnits(), paperToday)
	ie := inputErrors(t, err)
	want := []struct {
		row          int
		column, text string
	}{
		{2, "unit", `unknown unit code "KHONGCO"`},
		{3, "unit", "not valid on 2026-03-14"},
		{3, "unit", "successor: P001"},
		{4, "date", "yyyy-mm-dd"},
		{5, "date", "in the future"},
		{6, "date", `"2026-02-30" is not a date`},
		{6, "A2", `"6" is not a valid answer`},
		{6, "B1", `"x" is not a valid answer`},
		{6, "B4", `"4.0" is not a valid answer`},
		{6, "B5", `"0" is not a valid answer`},
		{7, "gender", `"robot" is not a choice; allowed: male, female, other`},
		{7, "comment", "1001 characters; at most 1000"},
		{8, "unit", "missing"},
		{8, "date", "missing"},
		{8, "", "answers no question"},
	}
	for _, w := range want {
		if !hasProblem(ie, w.row, w.column, w.text) {
			t.Errorf("no problem at row %d, column %q: %q", w.row, w.column, w.text)
		}
	}
	if len(ie) != len(want)-1 { // row 3's two texts are one problem
		t.Errorf("%d problems, want %d:\n%v", len(ie), len(want)-1, ie)
	}
	for _, e := range ie {
		if e.File != "loi.csv" || e.Row == 9 {
			t.Errorf("problem %+v", e)
		}
	}
}

func TestParsePaperHeaderProblems(t *testing.T) {
	in, stored := minimal(t)
	tests := []struct {
		name, data string
		row        int
		column     string
		want       string
	}{
		{"missing question", "unit,date\nSNV,2026-03-14\n", 1, "A1", `missing column "A1"`},
		{"missing date", "unit,a1\nSNV,5\n", 1, "date", `missing column "date"`},
		{"unknown column", "unit,date,A1,B9\nSNV,2026-03-14,5,1\n", 1, "b9", `unknown column "b9"`},
		{"no comment field", "unit,date,A1,comment\nSNV,2026-03-14,5,tốt\n", 1, "comment", "has no comment field"},
		{"duplicate", "unit,date,A1,a1\nSNV,2026-03-14,5,4\n", 1, "a1", "appears twice"},
		{"unnamed data", "unit,date,A1,\nSNV,2026-03-14,5,4\n", 1, "#4", "no name"},
		{"data beyond the header", "unit,date,A1\nSNV,2026-03-14,5,4\n", 1, "#4", "no name"},
		{"only a header", "unit,date,A1\n", 0, "", "no forms"},
		{"NA without the choice", "unit,date,A1\nSNV,2026-03-14,NA\n", 2, "A1", "has no NA"},
		{"profile of another instrument", "unit,date,A1,gender\nSNV,2026-03-14,5,male\n", 1, "gender", "unknown column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := survey.ParsePaper(readCSV(t, "h.csv", tt.data), in, stored, paperUnits(), paperToday)
			ie := inputErrors(t, err)
			if !hasProblem(ie, tt.row, tt.column, tt.want) {
				t.Errorf("problems = %v; want row %d column %q %q", ie, tt.row, tt.column, tt.want)
			}
		})
	}
	// An empty, unnamed column is harmless.
	if _, err := survey.ParsePaper(readCSV(t, "h.csv", "unit,,date,A1\nSNV,,2026-03-14,5\n"), in, stored, paperUnits(), paperToday); err != nil {
		t.Errorf("an empty unnamed column: %v", err)
	}
	// A draft is refused before any cell is read.
	draft := *stored
	draft.Status = parindex.StatusDraft
	_, err := survey.ParsePaper(readCSV(t, "h.csv", "unit,date,A1\nSNV,2026-03-14,5\n"), in, &draft, paperUnits(), paperToday)
	if parindex.ErrorCode(err) != parindex.ECodeInvalid || !strings.Contains(err.Error(), "not published") {
		t.Errorf("draft: %v", err)
	}
}

// ImportPaper stores all or nothing, once, and keeps response_counts right:
// empty and NA cells both count as na.
func TestImportPaperStoresOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := parindex.Actor{Name: "test"}
		publishedSipas(t, db, func() time.Time { return time.Date(2026, 3, 20, 20, 0, 0, 0, time.UTC) }) // 21 March in Vietnam
		in, _ := survey.ReferenceInstrument("sipas-2026")
		data := sipasHeader(in) + "\n" +
			"SNV,2026-03-21," + answers22("5", map[int]string{0: "NA", 1: ""}) + "\n" +
			"P001,2026-03-14," + answers22("2", nil) + "\n"
		file := csvFile("phieu.csv", data)

		res, err := survey.ImportPaper(ctx, db, actor, file, "sipas-2026", true)
		if err != nil || !res.DryRun || res.Rows != 2 || res.New != 2 || res.Inserted != 0 {
			t.Fatalf("dry run = %+v, %v", res, err)
		}
		if n, _ := db.CountResponses(ctx, store.ResponseFilter{}); n != 0 {
			t.Fatalf("the dry run stored %d responses", n)
		}
		res, err = survey.ImportPaper(ctx, db, actor, file, "sipas-2026", false)
		if err != nil || res.Inserted != 2 || res.AlreadyStored != 0 {
			t.Fatalf("import = %+v, %v", res, err)
		}
		res, err = survey.ImportPaper(ctx, db, actor, csvFile("phieu-lan-2.csv", data), "sipas-2026", false)
		if err != nil || res.Inserted != 0 || res.AlreadyStored != 2 {
			t.Fatalf("second import = %+v, %v", res, err)
		}
		if n, _ := db.CountResponses(ctx, store.ResponseFilter{Source: parindex.SourcePaper}); n != 2 {
			t.Errorf("%d paper responses stored, want 2", n)
		}
		c := storetest.CountTotals(t, db)
		if na, n5, n2 := c[storetest.NA], c[5], c[2]; na != 2 || n5 != 20 || n2 != 22 {
			t.Errorf("response_counts: na %d, n5 %d, n2 %d; want 2, 20, 22", na, n5, n2)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "instrument", ObjectID: "sipas-2026"})
		imports := 0
		for _, a := range audit {
			if a.Action == "responses.import_paper" {
				imports++
			}
		}
		if imports != 1 {
			t.Errorf("%d import audit rows, want 1 (the second import stored nothing)", imports)
		}
		// An unknown instrument is not found; nothing else is read.
		if _, err := survey.ImportPaper(ctx, db, actor, file, "khong-co", true); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown instrument: %v", err)
		}
	})
}

// Rows are no longer held padded to the header's width, but the hash, and so
// the idempotency keys of forms already imported, must not change: it is
// computed here as it was defined, from the file's raw records, each padded
// to the header's width.
func TestTableHashKeepsItsDefinition(t *testing.T) {
	data := "Unit,Date,A1,A2,\nSNV,2026-03-14,5\n\n SNV ,2026-03-15,4,NA,,,\nSTP,2026-03-16,,3,\n"
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	header := records[0]
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	h.Write([]byte(strings.Join(header, "\x1f")))
	lines := []int{2, 4, 5} // the blank line 3 is skipped
	for i, rec := range records[1:] {
		for len(rec) < len(header) {
			rec = append(rec, "")
		}
		for j := range rec {
			rec[j] = strings.TrimSpace(rec[j])
		}
		fmt.Fprintf(h, "\x1e%d\x1f%s", lines[i], strings.Join(rec, "\x1f"))
	}
	want := hex.EncodeToString(h.Sum(nil))
	if got := survey.TableHash(readCSV(t, "phieu.csv", data)); got != want {
		t.Errorf("TableHash = %s, want %s as defined", got, want)
	}
}
