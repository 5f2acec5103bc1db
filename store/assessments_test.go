package store_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/store"
	"parindex/store/storetest"
)

// assessFramework has one leaf of each kind the agency enters, a survey
// leaf, and a bonus/penalty block, in three areas.
const assessFramework = `
code: test-assess-2026
name: "Bộ thử nghiệm tự đánh giá 2026"
year: 2026
agency_types: [department]
rounding: 2
missing: zero
bands:
  - {code: A, name: "Tốt", min: 90}
  - {code: D, name: "Yếu", min: 0}
nodes:
  - code: "1"
    name: "Lĩnh vực 1"
    children:
      - {code: "1.1", name: "Kế hoạch", max: 1, method: boolean}
      - {code: "1.2", name: "Tổ chức thực hiện", max: 3, method: assessed}
      - {code: "1.3", name: "Hoàn thành nhiệm vụ", max: 2, method: ratio, numerator: tasks_done, denominator: tasks_total}
  - code: "2"
    name: "Lĩnh vực 2"
    children:
      - {code: "2.1", name: "Văn bản", max: 2, method: assessed, step: 0.5}
      - {code: "2.2", name: "Sáng kiến", max: 1, method: count, metric: initiatives, per_unit: 0.5}
      - {code: "2.3", name: "Xin lỗi", max: 1, method: ratio, numerator: late_apologised, denominator: late, missing: exclude}
  - code: "8"
    name: "Khảo sát"
    children:
      - {code: "8.1", name: "Hài lòng", max: 1, method: survey, instrument: sipas-2026}
  - code: "T"
    name: "Thưởng, trừ"
    adjustment: true
    children:
      - {code: "T.1", name: "Thưởng", method: bonus, cap: 2}
      - {code: "T.2", name: "Trừ", method: penalty, cap: 3}
`

var (
	assessActor = parindex.Actor{Name: "test"}
	assessRef   = assessment.Ref{Framework: "test-assess-2026", Unit: "SNV"}
)

func fptr(x float64) *float64 { return &x }
func bptr(b bool) *bool       { return &b }

// assessClock is a settable store clock.
type assessClock struct{ t time.Time }

func (c *assessClock) now() time.Time { return c.t }
func (c *assessClock) day(t *testing.T, s string) {
	t.Helper()
	d, err := time.Parse("2006-01-02 15:04", s+" 10:00")
	if err != nil {
		t.Fatal(err)
	}
	c.t = d.Add(-7 * time.Hour) // 10:00 in Vietnam
}

// setUpAssessments stores a province, two departments, a commune and the
// published test framework.
func setUpAssessments(t *testing.T, db *store.DB) *assessClock {
	t.Helper()
	ctx := context.Background()
	clock := &assessClock{}
	clock.day(t, "2026-12-01")
	db.Now = clock.now
	rows := []parindex.OrgRow{
		{Row: 2, Code: "MG", Name: "Tỉnh Minh Giang", Type: parindex.OrgTypeProvince, ValidFrom: "1997-01-01"},
		{Row: 3, Code: "SNV", Name: "Sở Nội vụ", Type: parindex.OrgTypeDepartment, Parent: "MG", ValidFrom: "1997-01-01"},
		{Row: 4, Code: "STP", Name: "Sở Tư pháp", Type: parindex.OrgTypeDepartment, Parent: "MG", ValidFrom: "1997-01-01"},
		{Row: 5, Code: "X001", Name: "Xã Tân Lộc", Type: parindex.OrgTypeCommune, Parent: "MG", ValidFrom: "2025-07-01"},
	}
	if _, err := db.ImportOrgUnits(ctx, assessActor, "", rows, ""); err != nil {
		t.Fatal(err)
	}
	f, _, err := criteria.Parse("test.yaml", []byte(assessFramework))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportFramework(ctx, assessActor, f, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishFramework(ctx, assessActor, f.Code, ""); err != nil {
		t.Fatal(err)
	}
	return clock
}

func assessmentAudit(t *testing.T, db *store.DB) []parindex.AuditEntry {
	t.Helper()
	entries, err := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: "assessment", ObjectID: assessRef.ObjectID(), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// oldest first
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	return entries
}

func actions(entries []parindex.AuditEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Action
	}
	return out
}

func mustState(t *testing.T, db *store.DB, want assessment.State) *assessment.Assessment {
	t.Helper()
	a, _, err := db.Assessment(context.Background(), assessRef)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != want {
		t.Fatalf("state %s, want %s", a.State, want)
	}
	return a
}

func TestAssessmentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := setUpAssessments(t, db)

		a := mustState(t, db, assessment.StateDraft)
		if a.ID != 0 || a.UnitName != "Sở Nội vụ" || a.FrameworkYear != 2026 {
			t.Fatalf("fresh assessment = %+v", a)
		}
		if _, _, err := db.Assessment(ctx, assessment.Ref{Framework: assessRef.Framework, Unit: "X001"}); parindex.ErrorCode(err) != parindex.ECodeInvalid ||
			!strings.Contains(err.Error(), "không được đánh giá") {
			t.Errorf("a commune against a departments framework: %v", err)
		}

		// Three bad values: all reported, nothing written.
		_, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{
			{Node: "1.2", Value: assessment.LeafValue{Points: fptr(3.5)}},
			{Node: "2.1", Value: assessment.LeafValue{Points: fptr(0.75)}},
			{Node: "1.3", Metrics: map[string]*float64{"tasks_done": fptr(-1)}},
		}, "")
		var ee assessment.EntryErrors
		if !errors.As(err, &ee) || len(ee) != 3 {
			t.Fatalf("three bad values: %v", err)
		}
		for i, want := range []string{"nằm ngoài khoảng 0 đến 3", "không phải bội số của 0,5", "phải là số không âm"} {
			if !strings.Contains(ee[i].VI, want) {
				t.Errorf("problem %d = %q, want %q", i, ee[i].VI, want)
			}
		}
		if a := mustState(t, db, assessment.StateDraft); a.ID != 0 || len(assessmentAudit(t, db)) != 0 {
			t.Fatal("a refused save wrote something")
		}

		n, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{
			{Node: "1.1", Value: assessment.LeafValue{Answer: bptr(true)}, Note: "Kế hoạch số 12/KH-SNV"},
			{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.5)}},
			{Node: "1.3", Metrics: map[string]*float64{"tasks_done": fptr(9), "tasks_total": fptr(10)}},
			{Node: "2.1", Value: assessment.LeafValue{Points: fptr(1.5)}},
			{Node: "T.1", Value: assessment.LeafValue{Points: fptr(1)}},
		}, "")
		if err != nil || n != 6 {
			t.Fatalf("save = %d, %v", n, err)
		}
		// Saving the same again changes nothing.
		if n, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.5)}}}, ""); n != 0 || err != nil {
			t.Errorf("same value again = %d, %v", n, err)
		}
		// 2.2 is missing: the leader cannot submit yet (2.3 may stay empty: exclude).
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionSubmit, ""); err == nil || !strings.Contains(err.Error(), "2.2") || strings.Contains(err.Error(), "2.3") {
			t.Fatalf("submit with 2.2 missing: %v", err)
		}
		if _, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "2.2", Metrics: map[string]*float64{"initiatives": fptr(1)}}}, ""); err != nil {
			t.Fatal(err)
		}

		// The deadline passes: the sheet locks; DoHA reopens one agency.
		if err := db.SetDeadline(ctx, assessActor, assessRef.Framework, assessment.StageSelfAssessment, parindex.Date{Year: 2027, Month: 1, Day: 15}, "Công văn 15/SNV"); err != nil {
			t.Fatal(err)
		}
		clock.day(t, "2027-01-16")
		if a := mustState(t, db, assessment.StateDraft); !a.Locked || a.Deadline.String() != "2027-01-15" {
			t.Fatalf("after the deadline: locked %v, deadline %s", a.Locked, a.Deadline)
		}
		if _, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(3)}}}, ""); parindex.ErrorCode(err) != parindex.ECodeConflict || !strings.Contains(err.Error(), "đã khóa") {
			t.Fatalf("a locked sheet accepted a change: %v", err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionSubmit, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Fatalf("a locked sheet was submitted: %v", err)
		}
		if err := db.Reopen(ctx, assessActor, assessRef, parindex.Date{Year: 2027, Month: 1, Day: 18}, ""); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("reopen without a reason: %v", err)
		}
		if err := db.Reopen(ctx, assessActor, assessRef, parindex.Date{Year: 2027, Month: 1, Day: 18}, "đơn vị xin gia hạn do sự cố mạng"); err != nil {
			t.Fatal(err)
		}
		if a, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionSubmit, ""); err != nil || a.State != assessment.StateSubmitted || a.SubmittedBy != "test" {
			t.Fatalf("submit = %+v, %v", a, err)
		}
		if _, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(3)}}}, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Fatalf("a submitted sheet accepted a change: %v", err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionReturn, ""); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("return without a reason: %v", err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionStartAppraisal, ""); err != nil {
			t.Fatal(err)
		}

		// Round 1.
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2)}}); parindex.ErrorCode(err) != parindex.ECodeInvalid ||
			!strings.Contains(err.Error(), "Cần ghi ý kiến") {
			t.Fatalf("an adjustment without a comment: %v", err)
		}
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "8.1", Accept: true}); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("a survey leaf was appraised: %v", err)
		}
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2)}, Comment: "Chưa có báo cáo quý IV"}); err != nil {
			t.Fatal(err)
		}
		// Setting the same points as the agency's is an acceptance: no comment needed.
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "2.1", Value: assessment.LeafValue{Points: fptr(1.5)}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "1.3", Metrics: map[string]float64{"tasks_done": 8}, Comment: "Nhiệm vụ 9 chưa hoàn thành"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionSendResults, ""); parindex.ErrorCode(err) != parindex.ECodeConflict || !strings.Contains(err.Error(), "1.1") {
			t.Fatalf("send results with leaves pending: %v", err)
		}
		a, f, _ := db.Assessment(ctx, assessRef)
		pending := a.PendingLeaves(f)
		if want := []string{"1.1", "2.2", "2.3", "T.1", "T.2"}; !reflect.DeepEqual(pending, want) {
			t.Errorf("pending = %v, want %v", pending, want)
		}
		if n, err := db.AcceptPending(ctx, assessActor, assessRef, pending); err != nil || n != 5 {
			t.Fatalf("accept pending = %d, %v", n, err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionSendResults, ""); err != nil {
			t.Fatal(err)
		}

		// The agency explains 1.2 only; 1.1 has nothing to explain.
		if err := db.Explain(ctx, assessActor, assessRef, "1.1", "?"); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("explained an accepted leaf without comment: %v", err)
		}
		if err := db.Explain(ctx, assessActor, assessRef, "1.2", "Báo cáo quý IV gửi ngày 20/12, kèm theo"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionSubmitExplanation, ""); err != nil {
			t.Fatal(err)
		}

		// Round 2 decides the explained leaf only.
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "2.1", Accept: true}); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("round 2 on a leaf not explained: %v", err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionFinalise, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("finalised with round 2 pending: %v", err)
		}
		if err := db.Appraise(ctx, assessActor, assessRef, assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.75)}, Comment: "Chấp nhận một phần giải trình"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, assessActor, assessRef, assessment.TransitionFinalise, ""); err != nil {
			t.Fatal(err)
		}

		final, err := db.FinalAssessments(ctx, assessRef.Framework)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]assessment.Inputs{"SNV": {
			State:   "final",
			Points:  map[string]float64{"1.2": 2.75, "2.1": 1.5, "T.1": 1},
			Answers: map[string]bool{"1.1": true},
			Metrics: map[string]float64{"tasks_done": 8, "tasks_total": 10, "initiatives": 1},
		}}
		if !reflect.DeepEqual(final, want) {
			t.Errorf("final = %+v\nwant    %+v", final, want)
		}

		got := actions(assessmentAudit(t, db))
		wantActions := []string{
			"assessment.score", "assessment.score", "assessment.score", "assessment.score", // 1.1, 1.2, 2.1, T.1
			"assessment.metric", "assessment.metric", // tasks_done, tasks_total
			"assessment.metric",                    // initiatives
			"assessment.reopen",                    // DoHA
			"assessment.transition",                // submit
			"assessment.transition",                // start appraisal
			"appraisal.decide", "appraisal.decide", // 1.2, 2.1
			"appraisal.metric", "appraisal.decide", // 1.3
			"appraisal.decide", "appraisal.decide", "appraisal.decide", "appraisal.decide", "appraisal.decide", // accept pending
			"assessment.transition", // send results
			"assessment.explain",
			"assessment.transition", // submit explanation
			"appraisal.decide",      // round 2
			"assessment.transition", // finalise
		}
		if !reflect.DeepEqual(got, wantActions) {
			t.Errorf("audit actions\n got %v\nwant %v", got, wantActions)
		}
		entries := assessmentAudit(t, db)
		if e := entries[10]; !strings.Contains(e.Before, `"points":2.5`) || !strings.Contains(e.After, `"points":2`) || e.Reason != "Chưa có báo cáo quý IV" {
			t.Errorf("the round-1 adjustment of 1.2 is audited as %+v", e)
		}
		if e := entries[len(entries)-1]; !strings.Contains(e.Before, `"appraisal_2"`) || !strings.Contains(e.After, `"final"`) {
			t.Errorf("the finalisation is audited as %+v", e)
		}
		deadline, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "framework", ObjectID: assessRef.Framework})
		if len(deadline) == 0 || deadline[0].Action != "assessment.deadline" || deadline[0].Reason != "Công văn 15/SNV" {
			t.Errorf("the deadline is audited as %+v", deadline)
		}
	})
}

func TestFinalAssessmentsOfUnfinishedAgencies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setUpAssessments(t, db)
		if _, err := db.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(1)}}}, ""); err != nil {
			t.Fatal(err)
		}
		final, err := db.FinalAssessments(ctx, assessRef.Framework)
		if err != nil {
			t.Fatal(err)
		}
		// SNV is a draft: its state and no values; STP never started: absent.
		if want := map[string]assessment.Inputs{"SNV": {State: "draft"}}; !reflect.DeepEqual(final, want) {
			t.Errorf("final = %+v", final)
		}
		list, _, err := db.ListAssessments(ctx, assessRef.Framework)
		if err != nil || len(list) != 2 || list[0].UnitCode != "SNV" || list[1].UnitCode != "STP" || list[1].ID != 0 {
			t.Errorf("list = %v, %v", list, err)
		}
		if _, err := db.FinalAssessments(ctx, "no-such"); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown framework: %v", err)
		}
	})
}

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if n == "mimetype" {
			f.Write([]byte(store.TypeODT))
		} else {
			f.Write([]byte("<x/>"))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetectEvidenceType(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)
	for _, c := range []struct {
		name string
		data []byte
		want string // "" refused
	}{
		{"pdf", []byte("%PDF-1.7\n1 0 obj"), store.TypePDF},
		{"png", png, store.TypePNG},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), store.TypeJPEG},
		{"docx", zipOf(t, "[Content_Types].xml", "word/document.xml"), store.TypeDOCX},
		{"xlsx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), store.TypeXLSX},
		{"pptx", zipOf(t, "[Content_Types].xml", "ppt/presentation.xml"), store.TypePPTX},
		{"odt", zipOf(t, "mimetype", "content.xml"), store.TypeODT},
		{"doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...), store.TypeOLE},
		{"plain zip named .docx", zipOf(t, "readme.txt"), ""},
		{"text named .pdf", []byte("not a pdf at all"), ""},
		{"html", []byte("<!doctype html><script>alert(1)</script>"), ""},
		{"empty", nil, ""},
	} {
		got, err := store.DetectEvidenceType(c.data)
		if c.want == "" {
			if err == nil || parindex.ErrorCode(err) != parindex.ECodeInvalid {
				t.Errorf("%s: accepted as %s", c.name, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %s", c.name, got, err, c.want)
		}
	}
	if _, err := store.DetectEvidenceType(nil); !strings.Contains(err.Error(), "trống") {
		t.Errorf("empty file message: %v", err)
	}
}

func TestEvidenceFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setUpAssessments(t, db)
		dir := t.TempDir()
		pdf := []byte("%PDF-1.4\n% bằng chứng\n")
		if _, err := db.AddEvidence(ctx, assessActor, assessRef, "1.2", "big.pdf", pdf, dir, 10); err == nil || !strings.Contains(err.Error(), "Tệp quá lớn") {
			t.Errorf("a file above the limit: %v", err)
		}
		if _, err := db.AddEvidence(ctx, assessActor, assessRef, "1.2", "x.pdf", []byte("MZ\x90\x00 not a pdf"), dir, 0); err == nil || !strings.Contains(err.Error(), "Loại tệp không được nhận") {
			t.Errorf("a refused type: %v", err)
		}
		if _, err := db.AddEvidence(ctx, assessActor, assessRef, "8.1", "x.pdf", pdf, dir, 0); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("evidence on a survey leaf: %v", err)
		}
		ev, err := db.AddEvidence(ctx, assessActor, assessRef, "1.2", `C:\Users\a\Báo cáo quý IV.pdf`, pdf, dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Name != "Báo cáo quý IV.pdf" || ev.ContentType != store.TypePDF || ev.Size != int64(len(pdf)) || len(ev.SHA256) != 64 {
			t.Errorf("evidence = %+v", ev)
		}
		got, ref, err := db.EvidenceFile(ctx, ev.ID)
		if err != nil || ref != assessRef || got.Name != ev.Name {
			t.Fatalf("evidence file = %+v %+v %v", got, ref, err)
		}
		f, err := db.OpenEvidence(ctx, dir, got)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(data, pdf) {
			t.Error("stored bytes differ")
		}
		// Without a data directory the bytes are kept in the row.
		inDB, err := db.AddEvidence(ctx, assessActor, assessRef, "1.1", "ke-hoach.pdf", []byte("%PDF-1.4\nke hoach"), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		f, err = db.OpenEvidence(ctx, t.TempDir(), inDB)
		if err != nil {
			t.Fatal(err)
		}
		data, _ = io.ReadAll(f)
		f.Close()
		if string(data) != "%PDF-1.4\nke hoach" {
			t.Errorf("bytes kept in the database = %q", data)
		}
		a, _, _ := db.Assessment(ctx, assessRef)
		if len(a.Evidence["1.2"]) != 1 {
			t.Errorf("assessment evidence = %v", a.Evidence)
		}
		if err := db.RemoveEvidence(ctx, assessActor, assessRef, ev.ID, "nhầm tệp"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.EvidenceFile(ctx, ev.ID); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("a removed file is still served: %v", err)
		}
		got2 := actions(assessmentAudit(t, db))
		if !reflect.DeepEqual(got2, []string{"evidence.add", "evidence.add", "evidence.remove"}) {
			t.Errorf("evidence audit = %v", got2)
		}
	})
}
