package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/assessment"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/export"
	"parindex/store"
	"parindex/survey"
	"parindex/tabular/tabulartest"
)

// shared is one demo database for the tests of this package, seeded once:
// seeding under the race detector is slow, and the tests only read (one
// adds a response to a unit of its own concern).
var shared struct {
	once sync.Once
	dir  string
	db   *store.DB
	id   int64
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.db != nil {
		shared.db.Close()
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func seeded(t *testing.T) (*store.DB, int64) {
	t.Helper()
	shared.once.Do(func() {
		ctx := context.Background()
		if shared.dir, shared.err = os.MkdirTemp("", "parindex-export-"); shared.err != nil {
			return
		}
		if shared.db, shared.err = store.Open(ctx, "sqlite:"+filepath.Join(shared.dir, "parindex.db")); shared.err != nil {
			return
		}
		if _, shared.err = shared.db.Migrate(ctx); shared.err != nil {
			return
		}
		if _, shared.err = demo.Seed(ctx, shared.db, demo.Options{SurveyVolume: 0.05}); shared.err != nil {
			return
		}
		snaps, err := shared.db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: "province-departments-2026", Status: parindex.StatusPublished})
		if err != nil || len(snaps) == 0 {
			shared.err = fmt.Errorf("demo snapshots: %v, %v", snaps, err)
			return
		}
		shared.id = snaps[0].ID
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.db, shared.id
}

// cells reads a sheet back as rows of raw values.
func cells(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// field finds the value next to a label in the first column: the first
// cell filled after it (a label may span merged columns).
func field(rows [][]string, label string) string {
	for _, r := range rows {
		if len(r) > 1 && r[0] == label {
			for _, v := range r[1:] {
				if v != "" {
					return v
				}
			}
		}
	}
	return "<absent>"
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return x
}

func TestScorecardNumbersEqualTheSnapshot(t *testing.T) {
	db, id := seeded(t)
	ctx := context.Background()
	sc, err := export.LoadSnapshot(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	a := sc.Result.Agency("SNV")
	if a == nil {
		t.Fatal("SNV is not in the demo snapshot")
	}
	svc := survey.NewService(db, survey.ResultOptions{})
	surveys, err := export.SurveyFor(ctx, svc, sc, "SNV")
	if err != nil || len(surveys) != 1 {
		t.Fatalf("surveys = %d, %v", len(surveys), err)
	}
	var buf bytes.Buffer
	if err := export.WriteScorecard(&buf, sc, "SNV", surveys, parindex.Clock{}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	f := tabulartest.Open(t, data)
	if got := f.GetSheetList(); len(got) != 4 || got[0] != export.SheetSummary || got[1] != export.SheetDetail || got[2] != export.SheetSurvey || got[3] != export.SheetMethod {
		t.Fatalf("sheets = %q", got)
	}
	if name := export.ScorecardFileName(sc, a); name != "Phiếu điểm CCHC 2026 - "+a.Name+".xlsx" {
		t.Errorf("file name = %q", name)
	}

	sum := cells(t, f, export.SheetSummary)
	if got := number(t, field(sum, export.LabelIndex)); got != *a.IndexRounded {
		t.Errorf("index = %v, snapshot %v", got, *a.IndexRounded)
	}
	if got := number(t, field(sum, export.LabelPoints)); got != a.Points {
		t.Errorf("points = %v, snapshot %v", got, a.Points)
	}
	if got := number(t, field(sum, export.LabelMax)); got != a.Max {
		t.Errorf("max = %v, snapshot %v", got, a.Max)
	}
	if got := field(sum, export.LabelRank); got != strconv.Itoa(a.Rank) {
		t.Errorf("rank = %s, snapshot %d", got, a.Rank)
	}
	if got := field(sum, export.LabelBand); a.Band == "" || got[:len(a.Band)] != a.Band {
		t.Errorf("band = %q, snapshot %q", got, a.Band)
	}
	// The area table: every area's points and maximum.
	areas := 0
	for _, r := range sum {
		if len(r) < 4 {
			continue
		}
		if n, ok := a.Node(r[0]); ok && sc.Framework.Find(r[0]) != nil {
			if number(t, r[2]) != n.Points || number(t, r[3]) != n.Max {
				t.Errorf("area %s: %s / %s, snapshot %v / %v", r[0], r[2], r[3], n.Points, n.Max)
			}
			areas++
		}
	}
	if areas != len(sc.Areas()) {
		t.Errorf("%d area rows, framework has %d areas", areas, len(sc.Areas()))
	}

	// The detail sheet has every node with its final points.
	detail := cells(t, f, export.SheetDetail)
	// Nothing changed since the snapshot was scored, so its self-assessed
	// values are the assessment's.
	as, _, err := db.Assessment(ctx, assessment.Ref{Framework: sc.Snapshot.FrameworkCode, Unit: a.Code})
	if err != nil {
		t.Fatal(err)
	}
	seen, selfChecked := 0, 0
	col := map[string]int{}
	for _, r := range detail {
		if len(r) > 1 && r[0] == "Mã" && r[1] == "Tiêu chí" {
			for i, title := range r {
				col[title] = i
			}
		}
	}
	points, maximum, self := col["Điểm"], col["Tối đa áp dụng"], col["Tự chấm"]
	if points == 0 || maximum == 0 || self == 0 {
		t.Fatalf("detail header: %v", col)
	}
	for _, r := range detail {
		if len(r) <= maximum {
			continue
		}
		n, ok := a.Node(r[0])
		if !ok {
			continue
		}
		seen++
		if number(t, r[points]) != n.Points || number(t, r[maximum]) != n.Max {
			t.Errorf("node %s: %s / %s, snapshot %v / %v", r[0], r[points], r[maximum], n.Points, n.Max)
		}
		// Self-assessed points come from the agency's assessment.
		if as.ID != 0 {
			if v := as.SelfValue(r[0]); v.Points != nil {
				selfChecked++
				if number(t, strings.ReplaceAll(r[self], ",", ".")) != *v.Points {
					t.Errorf("node %s: self-assessed %q, the assessment says %v", r[0], r[self], *v.Points)
				}
			}
		}
	}
	if seen != len(a.Nodes) {
		t.Errorf("detail has %d nodes, snapshot %d", seen, len(a.Nodes))
	}
	if as.ID != 0 && selfChecked == 0 {
		t.Errorf("%s has an assessment but no self-assessed points were checked", a.Code)
	}
	t.Logf("%d self-assessed values checked", selfChecked)

	// The survey sheet: respondents and the overall share equal the
	// survey service's figures.
	sv := cells(t, f, export.SheetSurvey)
	if got := field(sv, export.LabelRespondents); got != strconv.Itoa(surveys[0].Result.Respondents) || surveys[0].Result.Respondents == 0 {
		t.Errorf("respondents = %s, survey %d", got, surveys[0].Result.Respondents)
	}
	for _, r := range sv {
		if len(r) < 5 {
			continue
		}
		if q, ok := surveys[0].Result.Questions[r[0]]; ok {
			if r[2] != strconv.Itoa(q.N) || number(t, r[4]) != float64(q.Satisfaction) {
				t.Errorf("question %s: n %s share %s, survey %d %v", r[0], r[2], r[4], q.N, q.Satisfaction)
			}
		}
	}

	method := cells(t, f, export.SheetMethod)
	if got := field(method, "Mã băm bộ tiêu chí (SHA-256)"); got != sc.Snapshot.FrameworkHash || got != sc.Framework.Hash() {
		t.Errorf("hash = %q, snapshot %q, framework %q", got, sc.Snapshot.FrameworkHash, sc.Framework.Hash())
	}

	// Every sheet prints on A4; the summary is page 1 at full size in
	// portrait; a sheet scaled to the page width is landscape (the scale
	// is planned to stay at 80 % or more, which make verify-xlsx checks on
	// paper).
	for _, name := range f.GetSheetList() {
		pl, err := f.GetPageLayout(name)
		if err != nil {
			t.Fatal(err)
		}
		props, _ := f.GetSheetProps(name)
		fit := props.FitToPage != nil && *props.FitToPage
		if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || fit && *pl.Orientation != "landscape" {
			t.Errorf("sheet %s page layout: %+v", name, pl)
		}
		if name == export.SheetSummary && (*pl.Orientation != "portrait" || fit) {
			t.Errorf("the summary prints %s, fitted %v", *pl.Orientation, fit)
		}
	}
	// The native charts are there: clustered bars of the areas on the
	// summary, bars of the elements on the survey sheet.
	if got := chartKinds(t, data); got != "barChart,barChart" { // sorted
		t.Errorf("charts = %s", got)
	}
}

func TestScorecardOfAnUnscoredUnitIsNotFound(t *testing.T) {
	db, id := seeded(t)
	sc, err := export.LoadSnapshot(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteScorecard(&buf, sc, "X001", nil, parindex.Clock{}); parindex.ErrorCode(err) != parindex.ECodeNotFound {
		t.Errorf("commune in the departments' snapshot: %v", err)
	}
	latest, err := export.LatestPublished(context.Background(), db, "department")
	if err != nil || latest != id {
		t.Errorf("latest for departments = %d, %v; want %d", latest, err, id)
	}
	if _, err := export.LatestPublished(context.Background(), db, "no-such-type"); parindex.ErrorCode(err) != parindex.ECodeNotFound {
		t.Errorf("unknown type: %v", err)
	}
}

// chartKinds lists the kinds of the native charts in an .xlsx file.
func chartKinds(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/charts/chart") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		r.Close()
		for _, k := range []string{"radarChart", "barChart"} {
			if strings.Contains(b.String(), "<"+k+">") || strings.Contains(b.String(), "<c:"+k+">") {
				kinds = append(kinds, k)
			}
		}
	}
	slices.Sort(kinds)
	return strings.Join(kinds, ",")
}

// TestScorecardShowsTheChangeFromLastYear scores a 2027 copy of the
// departments' framework (no survey answers in 2027 yet) and checks the
// scorecard's and the ranking's change against snapshot.CompareWithPrevious.
func TestScorecardShowsTheChangeFromLastYear(t *testing.T) {
	db := demotest.SQLite(t, demo.Options{SurveyVolume: 0.02})
	ctx := context.Background()
	actor := parindex.Actor{Name: "test"}
	s, _ := demotest.ScoreNextYear(t, db, actor, 20)
	sc, err := export.LoadSnapshot(ctx, db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Change == nil {
		t.Fatal("no comparison with 2026")
	}
	want := sc.Change.Units["SNV"].Change
	var buf bytes.Buffer
	if err := export.WriteScorecard(&buf, sc, "SNV", nil, parindex.Clock{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := number(t, field(cells(t, f, export.SheetSummary), export.LabelChange)); got != want {
		t.Errorf("change = %v, comparison %v", got, want)
	}
	types, err := export.UnitTypes(ctx, db, sc)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := export.WriteRanking(&buf, sc, types, parindex.Clock{}); err != nil {
		t.Fatal(err)
	}
	rf, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	for _, r := range cells(t, rf, rf.GetSheetList()[0]) {
		if len(r) > 2 && r[1] == "SNV" {
			if got := number(t, r[len(r)-1]); got != want {
				t.Errorf("ranking change of SNV = %v, comparison %v", got, want)
			}
			return
		}
	}
	t.Error("SNV is not in the ranking")
}
