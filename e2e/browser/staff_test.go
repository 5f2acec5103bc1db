package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/demo"
)

// userContext opens a tab in a browser context of its own (its own cookies)
// in the test's browser, for a second person at the same time.
func userContext(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	do(t, c, "open a new browser context")
	return c
}

const (
	assessedFramework = "province-departments-2026"
	agencyEditor      = "demo.snv.canbo"
	agencyLeader      = "demo.snv.lanhdao"
	provinceOffice    = "demo.sonoivu"
)

// appraiserOf names the demo appraiser of an area.
var appraiserOf = map[string]string{"2": "demo.thamdinh.tuphap", "6": "demo.thamdinh.taichinh"}

// chooseLeaf picks a points leaf of SNV's draft in an area a demo appraiser
// holds, preferring one the agency has not scored yet.
func chooseLeaf(t *testing.T, a *assessment.Assessment, f *criteria.Framework) *criteria.Node {
	t.Helper()
	unscored := map[string]bool{}
	for _, code := range a.Unscored(f, nil) {
		unscored[code] = true
	}
	var pick *criteria.Node
	for _, n := range f.Leaves() {
		if n.Method != criteria.MethodAssessed || appraiserOf[assessment.AreaOf(f, n.Code)] == "" || n.MaxPoints() < 2*n.InputStep() {
			continue
		}
		if pick == nil || (unscored[n.Code] && !unscored[pick.Code]) {
			pick = n
		}
	}
	if pick == nil {
		t.Fatalf("%s has no assessed leaf in areas 2 or 6", f.Code)
	}
	return pick
}

func formatPoints(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestSelfAssessmentAndAppraisal: the agency's clerk logs in, self-scores a
// leaf and uploads its evidence; the agency's leader submits; after the
// province office opens round 1, the area's appraiser adjusts the leaf. The
// database holds each step.
func TestSelfAssessmentAndAppraisal(t *testing.T) {
	srv, browserCtx := setup(t)
	bg := context.Background()
	ref := assessment.Ref{Framework: assessedFramework, Unit: "SNV"}

	a, f, err := srv.DB.Assessment(bg, ref)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != assessment.StateDraft {
		t.Fatalf("demo SNV assessment is %s, want a draft", a.State)
	}
	leaf := chooseLeaf(t, a, f)
	area := assessment.AreaOf(f, leaf.Code)
	selfPoints := leaf.MaxPoints()
	appraisedPoints := selfPoints - leaf.InputStep()
	// The rest of the sheet is completed as the clerk would (not applicable
	// where the demo left a gap), so that only the browser's leaf is missing.
	var rest []assessment.EntryUpdate
	for _, code := range a.Unscored(f, nil) {
		if code != leaf.Code {
			rest = append(rest, assessment.EntryUpdate{Node: code, Value: assessment.LeafValue{NotApplicable: true}})
		}
	}
	if len(rest) > 0 {
		if _, err := srv.DB.SaveEntries(bg, parindex.Actor{Name: agencyEditor}, ref, rest, "e2e setup"); err != nil {
			t.Fatal(err)
		}
	}
	leafPath := fmt.Sprintf("/app/assessments/%s/SNV/leaf/%s", assessedFramework, leaf.Code)
	sheetPath := fmt.Sprintf("/app/assessments/%s/SNV", assessedFramework)

	// The clerk: log in through the form, score the leaf, attach evidence.
	clerk := userContext(t, browserCtx)
	navigate(t, clerk, srv.URL+"/login", 200)
	checkAccessibility(t, clerk, "login page")
	login(t, clerk, srv, agencyEditor)
	navigate(t, clerk, srv.URL+leafPath, 200)
	do(t, clerk, "enter the self-score",
		chromedp.SetValue(chromedp.ID("p"), formatPoints(selfPoints)),
		chromedp.SendKeys(chromedp.ID("note"), "Tự chấm qua trình duyệt (e2e)."),
	)
	submit(t, clerk, "save the self-score", chromedp.Click(chromedp.CSS(`form[data-assessment] button[type=submit]`)), 200)
	if flash := run(t, clerk, "flash", chromedp.Text(chromedp.CSS(`.flash`))); flash == "" {
		t.Error("no confirmation after saving")
	}

	evidenceName := "Báo cáo kiểm chứng " + leaf.Code + ".pdf"
	evidencePath := filepath.Join(t.TempDir(), evidenceName)
	pdf := demo.EvidencePDF("Minh chung (browser test)")
	if err := os.WriteFile(evidencePath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, clerk, "choose the evidence file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{evidencePath}))
	submit(t, clerk, "upload the evidence", chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type=submit]`)), 200)
	listed := run(t, clerk, "evidence list", chromedp.Nodes(chromedp.CSSAll(`a[href^="/app/evidence/"]`), chromedp.AtLeast(0)))
	found := false
	for _, n := range listed {
		if len(n.Children) > 0 && n.Children[0].NodeValue == evidenceName {
			found = true
		}
	}
	if !found {
		t.Errorf("the leaf page does not list the uploaded %q", evidenceName)
	}

	a, _, err = srv.DB.Assessment(bg, ref)
	if err != nil {
		t.Fatal(err)
	}
	if v := a.SelfValue(leaf.Code); v.Points == nil || *v.Points != selfPoints {
		t.Fatalf("stored self-score of %s = %v, want %v", leaf.Code, v.Points, selfPoints)
	}
	var storedName, by string
	var size int64
	err = srv.DB.SQL().QueryRow(`SELECT e.file_name, e.size, e.uploaded_by FROM evidence_files e
		JOIN assessments s ON s.id = e.assessment_id JOIN org_units u ON u.id = s.org_unit_id
		WHERE u.code = 'SNV' AND e.node_code = ? AND e.removed_at IS NULL ORDER BY e.id DESC LIMIT 1`, leaf.Code).
		Scan(&storedName, &size, &by)
	if err != nil {
		t.Fatalf("evidence of %s not stored: %v", leaf.Code, err)
	}
	if storedName != evidenceName || size != int64(len(pdf)) || by != agencyEditor {
		t.Errorf("stored evidence %q (%d bytes, by %s), want %q (%d bytes, by %s)", storedName, size, by, evidenceName, len(pdf), agencyEditor)
	}

	// The leader approves and submits from the sheet.
	leader := userContext(t, browserCtx)
	login(t, leader, srv, agencyLeader)
	navigate(t, leader, srv.URL+sheetPath, 200)
	submit(t, leader, "submit the self-assessment",
		chromedp.Click(chromedp.CSS(`form[action$="/transition"]:has(input[name=t][value=submit]) button[type=submit]`)), 200)
	if state := run(t, leader, "state", chromedp.AttributeValue(chromedp.CSS(`[data-state]`), "data-state")).Value; state != string(assessment.StateSubmitted) {
		errText, _ := chromedp.Run(leader, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("after submitting, the sheet says %q\n%s", state, errText)
	}

	// The province office opens round 1 (not the subject of this test).
	if _, err := srv.DB.Transition(bg, parindex.Actor{Name: provinceOffice}, ref, assessment.TransitionStartAppraisal, ""); err != nil {
		t.Fatal(err)
	}

	// The appraiser of the leaf's area adjusts it, with the required comment.
	appraiser := userContext(t, browserCtx)
	login(t, appraiser, srv, appraiserOf[area])
	navigate(t, appraiser, srv.URL+leafPath, 200)
	comment := "Tài liệu kiểm chứng chưa đủ (e2e)."
	do(t, appraiser, "enter the appraised value",
		chromedp.SetValue(chromedp.ID("ap"), formatPoints(appraisedPoints)),
		chromedp.SendKeys(chromedp.ID("comment"), comment),
	)
	submit(t, appraiser, "adjust the leaf", chromedp.Click(chromedp.CSS(`button[name=decision][value=adjust]`)), 200)

	a, _, err = srv.DB.Assessment(bg, ref)
	if err != nil {
		t.Fatal(err)
	}
	r1 := a.Appraisal(leaf.Code, 1)
	switch {
	case r1 == nil:
		t.Fatalf("no round-1 decision stored for %s", leaf.Code)
	case r1.Decision != assessment.DecisionAdjusted || r1.Points == nil || *r1.Points != appraisedPoints:
		t.Errorf("round 1 of %s: %s %v, want adjusted to %v", leaf.Code, r1.Decision, r1.Points, appraisedPoints)
	case r1.Comment != comment || r1.Appraiser != appraiserOf[area]:
		t.Errorf("round 1 of %s: comment %q by %s", leaf.Code, r1.Comment, r1.Appraiser)
	}
	if v, ok := a.AppraisedValue(leaf.Code); !ok || v.Points == nil || *v.Points != appraisedPoints {
		t.Errorf("appraised value of %s = %+v (%v), want %v", leaf.Code, v, ok, appraisedPoints)
	}
	if !strings.HasSuffix(run(t, appraiser, "location", chromedp.Location()), "/app/appraisal") {
		t.Errorf("after the decision the appraiser is not back at the queue")
	}
}
