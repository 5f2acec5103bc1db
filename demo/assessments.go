package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// AssessmentSummary says what the demo's self-assessment year holds.
type AssessmentSummary struct {
	Assessments int // agencies with a stored assessment
	Evidence    int // evidence files
}

// assessmentFramework is the framework the demo's departments are assessed with.
const assessmentFramework = "province-departments-2026"

// assessmentPlan puts every state of the cycle on the demo's departments.
// The demo logins see theirs: SNV (demo.snv.canbo, demo.snv.lanhdao) is a
// draft reopened after the deadline, STP (demo.stp.canbo) has comments to
// explain, and the Justice (area 2) and Finance (area 6) appraisers have
// leaves waiting in round 1 and round 2.
var assessmentPlan = []struct {
	unit  string
	state parindex.AssessmentState
	fill  float64 // share of leaves self-scored by a draft
}{
	{"VPUB", parindex.AssessmentFinal, 1}, {"STC", parindex.AssessmentFinal, 1}, {"SCT", parindex.AssessmentFinal, 1}, {"SXD", parindex.AssessmentFinal, 1},
	{"SKHCN", parindex.AssessmentAppraisal2, 1}, {"SYT", parindex.AssessmentAppraisal2, 1},
	{"STP", parindex.AssessmentExplanation, 1}, {"SGDDT", parindex.AssessmentExplanation, 1}, {"SVHTTDL", parindex.AssessmentExplanation, 1},
	{"SNNMT", parindex.AssessmentAppraisal1, 1}, {"SDTTG", parindex.AssessmentAppraisal1, 1}, {"SNGV", parindex.AssessmentAppraisal1, 1},
	{"TTRA", parindex.AssessmentSubmitted, 1}, {"BQLKCN", parindex.AssessmentSubmitted, 1}, {"BQLDA", parindex.AssessmentSubmitted, 1},
	{"SNV", parindex.AssessmentDraft, 0.9}, {"BHXH", parindex.AssessmentDraft, 0.6}, {"DPTTH", parindex.AssessmentDraft, 0.4},
	{"THUE", parindex.AssessmentDraft, 0.2}, // CATINH has not started
}

// Demo actors: the appraisers of areas 2 and 6 are demo accounts; the rest
// of the board is named but has no login.
const (
	doha           = "demo.sonoivu"
	board          = "demo.tothamdinh"
	justice        = "demo.thamdinh.tuphap"
	finance        = "demo.thamdinh.taichinh"
	demoReasonText = "dữ liệu minh họa (demo data)"
)

// agencyClerk and agencyLeader name an agency's people as the demo logins
// do (demo.snv.canbo, demo.snv.lanhdao); most have no login.
func agencyClerk(unit string) string  { return "demo." + strings.ToLower(unit) + ".canbo" }
func agencyLeader(unit string) string { return "demo." + strings.ToLower(unit) + ".lanhdao" }

func appraiserOf(area string) string {
	switch area {
	case "2":
		return justice
	case "6":
		return finance
	}
	return board
}

// dice is a small deterministic generator per unit, so that the demo is
// the same on every machine.
type dice struct{ state uint64 }

func newDice(seed string) *dice {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return &dice{state: h.Sum64() | 1}
}

func (d *dice) float() float64 {
	d.state ^= d.state << 13
	d.state ^= d.state >> 7
	d.state ^= d.state << 17
	return float64(d.state>>11) / float64(1<<53)
}

func (d *dice) between(lo, hi float64) float64 { return lo + (hi-lo)*d.float() }

var appraisalComments = []string{
	"Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả thực hiện trong năm.",
	"Báo cáo chưa có số liệu quý IV; chấm lại theo kết quả đã kiểm chứng.",
	"Kế hoạch ban hành chậm so với thời hạn của UBND tỉnh.",
	"Số liệu chưa khớp với Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh.",
	"Chưa có văn bản chứng minh việc kiểm tra tại đơn vị trực thuộc.",
}

var explanations = []string{
	"Đơn vị bổ sung báo cáo quý IV (số 112/BC ngày 28/12) kèm theo; đề nghị Tổ thẩm định xem xét lại.",
	"Số liệu đã được đối chiếu với Hệ thống một cửa điện tử; đơn vị gửi kèm bảng đối chiếu.",
	"Kế hoạch đã trình đúng hạn, văn bản ban hành chậm do chờ ý kiến góp ý của các sở; đề nghị giữ nguyên điểm.",
}

// EvidencePDF returns a small, valid one-page PDF whose page reads the
// given lines (ASCII: the standard fonts carry no Vietnamese marks): the
// demo's evidence files, and a test's.
func EvidencePDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 12 Tf 56 780 Td 16 TL\n")
	for _, l := range lines {
		l = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
		content.WriteString("(" + l + ") Tj T*\n")
	}
	content.WriteString("ET")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return []byte(b.String())
}

// selfScores makes a plausible self-assessment: most leaves near their
// maximum, metrics as counts of a year's records.
func selfScores(f *criteria.Framework, unit string, fill float64) []store.EntryUpdate {
	d := newDice(unit + "/self")
	metrics := map[string]float64{}
	// Denominators first, so that each numerator is a share of its own.
	count := func(m string) float64 {
		if v, ok := metrics[m]; ok {
			return v
		}
		v := math.Round(d.between(40, 900))
		if strings.Contains(m, "late") {
			v = math.Round(d.between(0, 6))
		}
		if strings.HasSuffix(m, "_total") || strings.HasSuffix(m, "_planned") || strings.HasSuffix(m, "_target") {
			v = math.Round(d.between(8, 60))
		}
		metrics[m] = v
		return v
	}
	share := func(m string, of float64, lo float64) {
		if _, ok := metrics[m]; !ok {
			metrics[m] = math.Round(of * d.between(lo, 1))
		}
	}
	var out []store.EntryUpdate
	for _, n := range f.Leaves() {
		if d.float() > fill {
			continue
		}
		up := store.EntryUpdate{Node: n.Code}
		switch n.Method {
		case criteria.MethodAssessed:
			step := n.InputStep()
			p := math.Round(n.MaxPoints()*d.between(0.7, 1)/step) * step
			up.Value.Points = &p
		case criteria.MethodBoolean:
			yes := d.float() < 0.85
			up.Value.Answer = &yes
		case criteria.MethodBonus:
			if d.float() < 0.3 {
				p := math.Round(d.between(0.5, n.Cap)*2) / 2
				up.Value.Points = &p
				up.Note = "Mô hình được UBND tỉnh công nhận và nhân rộng."
			}
		case criteria.MethodPenalty:
			if d.float() < 0.1 {
				p := 0.5
				up.Value.Points = &p
				up.Note = "Có 01 trường hợp bị cấp có thẩm quyền kết luận sai phạm."
			}
		case criteria.MethodRatio, criteria.MethodTiers, criteria.MethodRelative:
			share(n.Numerator, count(n.Denominator), 0.75)
		case criteria.MethodCount:
			metrics[n.Metric] = math.Round(d.between(0, 3))
		case criteria.MethodFormula:
			for _, m := range n.Metrics() {
				if _, ok := metrics[m]; !ok {
					share(m, count("records_received"), 0.6)
				}
			}
		default:
			continue
		}
		if n.Method == criteria.MethodAssessed && d.float() < 0.5 {
			up.Note = "Chi tiết tại báo cáo kết quả thực hiện năm 2026 của đơn vị."
		}
		out = append(out, up)
	}
	// Each metric goes on the first leaf that reads it.
	for i := range out {
		n := f.Find(out[i].Node)
		for _, m := range n.Metrics() {
			v, ok := metrics[m]
			if !ok {
				continue
			}
			if out[i].Metrics == nil {
				out[i].Metrics = map[string]*float64{}
			}
			out[i].Metrics[m] = &v
			delete(metrics, m)
		}
	}
	return out
}

// seedAssessments writes the demo's self-assessment year for the
// departments: agencies in every state of the cycle, with evidence files,
// appraisers' comments and explanations, and DoHA's deadlines (the
// self-assessment deadline passed yesterday; two drafts are reopened).
// It does nothing when any demo department already has an assessment.
func seedAssessments(ctx context.Context, db *store.DB, actor parindex.Actor) (AssessmentSummary, error) {
	var sum AssessmentSummary
	list, f, err := db.ListAssessments(ctx, assessmentFramework)
	if err != nil {
		return sum, fmt.Errorf("demo: assessments: %w", err)
	}
	for _, a := range list {
		if a.ID != 0 {
			return sum, nil
		}
	}
	as := func(name string) parindex.Actor { return parindex.Actor{Name: name, RequestID: actor.RequestID} }
	wrap := func(unit string, err error) error { return fmt.Errorf("demo: assessment of %s: %w", unit, err) }
	for _, plan := range assessmentPlan {
		ref := store.AssessmentRef{Framework: assessmentFramework, Unit: plan.unit}
		if _, err := db.SaveEntries(ctx, as(agencyClerk(plan.unit)), ref, selfScores(f, plan.unit, plan.fill), demoReasonText); err != nil {
			return sum, wrap(plan.unit, err)
		}
		sum.Assessments++
		n, err := seedEvidence(ctx, db, as(agencyClerk(plan.unit)), ref, f)
		if err != nil {
			return sum, wrap(plan.unit, err)
		}
		sum.Evidence += n
		if plan.state == parindex.AssessmentDraft {
			continue
		}
		if err := seedCycle(ctx, db, ref, f, plan.state, as); err != nil {
			return sum, wrap(plan.unit, err)
		}
	}
	today := parindex.DateOf(db.Now().In(time.FixedZone("ICT", 7*3600)))
	for stage, due := range map[string]parindex.Date{
		parindex.StageSelfAssessment: today.AddDays(-1),
		parindex.StageAppraisal1:     today.AddDays(10),
		parindex.StageExplanation:    today.AddDays(6),
		parindex.StageAppraisal2:     today.AddDays(25),
	} {
		if err := db.SetDeadline(ctx, as(doha), assessmentFramework, stage, due, "Kế hoạch đánh giá năm 2026 (minh họa)"); err != nil {
			return sum, fmt.Errorf("demo: deadlines: %w", err)
		}
	}
	for _, unit := range []string{"SNV", "BHXH"} {
		if err := db.Reopen(ctx, as(doha), store.AssessmentRef{Framework: assessmentFramework, Unit: unit}, today.AddDays(5),
			"Đơn vị đề nghị gia hạn do thay đổi nhân sự phụ trách (minh họa)"); err != nil {
			return sum, wrap(unit, err)
		}
	}
	return sum, nil
}

// seedEvidence attaches a report to a few leaves (kept in the database:
// the demo knows no data directory).
func seedEvidence(ctx context.Context, db *store.DB, actor parindex.Actor, ref store.AssessmentRef, f *criteria.Framework) (int, error) {
	d := newDice(ref.Unit + "/evidence")
	n := 0
	for _, leaf := range f.Leaves() {
		if !store.Appraisable(leaf) || leaf.Method.IsAdjustment() || d.float() > 0.25 {
			continue
		}
		name := fmt.Sprintf("Bao cao %s - %s.pdf", leaf.Code, ref.Unit)
		pdf := EvidencePDF("So lieu minh hoa (demo) - parindex", "Don vi: "+ref.Unit, "Tieu chi: "+leaf.Code,
			"Bao cao ket qua thuc hien nam 2026")
		if _, err := db.AddEvidence(ctx, actor, ref, leaf.Code, name, pdf, "", 0); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// seedCycle moves one submitted agency through the cycle up to the state,
// with decisions, comments and explanations. Leaves of areas 2 and 6 are
// left waiting in the state's own round, for the demo appraisers.
func seedCycle(ctx context.Context, db *store.DB, ref store.AssessmentRef, f *criteria.Framework, target parindex.AssessmentState,
	as func(string) parindex.Actor) error {
	d := newDice(ref.Unit + "/appraisal")
	step := func(t parindex.Transition, by string, reason string) error {
		_, err := db.Transition(ctx, as(by), ref, t, reason)
		return err
	}
	if err := step(parindex.TransitionSubmit, agencyLeader(ref.Unit), ""); err != nil {
		return err
	}
	if target == parindex.AssessmentSubmitted {
		return nil
	}
	if err := step(parindex.TransitionStartAppraisal, doha, ""); err != nil {
		return err
	}
	a, _, err := db.Assessment(ctx, ref)
	if err != nil {
		return err
	}
	leaveForDemo := func(node string) bool {
		area := store.AreaOf(f, node)
		return (area == "2" || area == "6") && d.float() < 0.6
	}
	for _, n := range f.Leaves() {
		if !store.Appraisable(n) {
			continue
		}
		if target == parindex.AssessmentAppraisal1 && leaveForDemo(n.Code) {
			continue
		}
		in := store.AppraisalInput{Node: n.Code, Accept: true}
		if d.float() < 0.22 {
			in = adjusted(d, a, n)
		}
		if err := db.Appraise(ctx, as(appraiserOf(store.AreaOf(f, n.Code))), ref, in); err != nil {
			return err
		}
	}
	if target == parindex.AssessmentAppraisal1 {
		return nil
	}
	if err := step(parindex.TransitionSendResults, doha, ""); err != nil {
		return err
	}
	if a, _, err = db.Assessment(ctx, ref); err != nil {
		return err
	}
	// STP's demo clerk writes its own explanations.
	if ref.Unit != "STP" {
		for _, n := range f.Leaves() {
			if r1 := a.Appraisal(n.Code, 1); r1 != nil && r1.Decision == parindex.DecisionAdjusted && d.float() < 0.7 {
				text := explanations[int(d.float()*float64(len(explanations)))]
				if err := db.Explain(ctx, as(agencyClerk(ref.Unit)), ref, n.Code, text); err != nil {
					return err
				}
			}
		}
	}
	if target == parindex.AssessmentExplanation {
		return nil
	}
	if err := step(parindex.TransitionSubmitExplanation, agencyLeader(ref.Unit), ""); err != nil {
		return err
	}
	if a, _, err = db.Assessment(ctx, ref); err != nil {
		return err
	}
	for _, node := range a.PendingLeaves(f) {
		area := store.AreaOf(f, node)
		if target == parindex.AssessmentAppraisal2 && (area == "2" || area == "6") {
			continue
		}
		n := f.Find(node)
		in := store.AppraisalInput{Node: node, Accept: true}
		if d.float() < 0.5 {
			// The explanation convinces: the agency's own score is restored.
			self := a.SelfValue(node)
			in = store.AppraisalInput{Node: node, Value: self, Comment: "Chấp nhận giải trình của đơn vị."}
			if store.LeafKind(n) == store.KindMetrics {
				in.Metrics = map[string]float64{}
				for _, m := range n.Metrics() {
					if mv := a.Metrics[m]; mv != nil {
						in.Metrics[m] = mv.Value
					}
				}
			}
		}
		if err := db.Appraise(ctx, as(appraiserOf(area)), ref, in); err != nil {
			return err
		}
	}
	if target == parindex.AssessmentAppraisal2 {
		return nil
	}
	return step(parindex.TransitionFinalise, doha, "")
}

// adjusted is a round-1 adjustment of a leaf: a little lower than the
// agency's score, with a comment.
func adjusted(d *dice, a *store.Assessment, n *criteria.Node) store.AppraisalInput {
	in := store.AppraisalInput{Node: n.Code, Comment: appraisalComments[int(d.float()*float64(len(appraisalComments)))]}
	self := a.SelfValue(n.Code)
	switch store.LeafKind(n) {
	case store.KindPoints:
		if self.Points == nil || *self.Points == 0 {
			return store.AppraisalInput{Node: n.Code, Accept: true}
		}
		step := n.InputStep()
		if n.Method.IsAdjustment() {
			step = 0.5
		}
		p := math.Max(0, *self.Points-step)
		in.Value.Points = &p
	case store.KindAnswer:
		no := false
		in.Value.Answer = &no
	case store.KindMetrics:
		in.Metrics = map[string]float64{}
		reads := n.Metrics()
		if len(reads) == 0 {
			return store.AppraisalInput{Node: n.Code, Accept: true}
		}
		m := reads[0]
		mv := a.Metrics[m]
		if mv == nil || mv.Value == 0 {
			return store.AppraisalInput{Node: n.Code, Accept: true}
		}
		in.Metrics[m] = math.Floor(mv.Value * 0.9)
	}
	return in
}
