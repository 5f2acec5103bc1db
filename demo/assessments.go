package demo

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/store"
)

// AssessmentSummary says what the demo's self-assessment years hold.
type AssessmentSummary struct {
	Assessments int // agencies with a stored assessment
	Evidence    int // evidence files
}

// The demo's frameworks are named by kind and year, as the reference
// frameworks are: province-departments-2026, communes-2025, …
const (
	departmentsKind = "province-departments"
	communesKind    = "communes"
)

func frameworkCode(kind string, year int) string { return kind + "-" + strconv.Itoa(year) }

// assessmentFramework is the framework of the current year's departments,
// the one the demo appraisers' accounts are granted.
var assessmentFramework = frameworkCode(departmentsKind, currentYear)

// currentYear is the year still in the cycle; earlier demo years are final.
var currentYear = demoYears[len(demoYears)-1]

// cyclePlan is where the demo leaves one agency in the cycle.
type cyclePlan struct {
	state    assessment.State
	gaps     int  // criteria a draft has not scored yet
	reopened bool // a draft DoHA reopened after the deadline
}

// inCycle are the agencies the demo leaves before the end of the current
// year's cycle, one in each state the demo logins need; every other agency
// is final in every demo year. SNV (demo.snv.canbo, demo.snv.lanhdao) is a
// draft reopened after the deadline, four leaves short of submitting; STP
// (demo.stp.canbo) has round-1 comments to explain; the Justice (area 2)
// and Finance (area 6) appraisers have leaves waiting in round 1 (SNNMT)
// and round 2 (SYT); TTRA waits for DoHA to open round 1. Among the
// communes, X001's leader (demo.x001.lanhdao) has explanations to submit,
// P005 and X020 are being appraised by the board, and X037 missed the
// deadline: its draft is locked.
var inCycle = map[string]cyclePlan{
	"SNV":   {assessment.StateDraft, 4, true},
	"TTRA":  {assessment.StateSubmitted, 0, false},
	"SNNMT": {assessment.StateAppraisal1, 0, false},
	"STP":   {assessment.StateExplanation, 0, false},
	"SYT":   {assessment.StateAppraisal2, 0, false},
	"X001":  {assessment.StateExplanation, 0, false},
	"P005":  {assessment.StateAppraisal1, 0, false},
	"X020":  {assessment.StateAppraisal2, 0, false},
	"X037":  {assessment.StateDraft, 6, false},
}

// planned is where the demo leaves a unit in a year's cycle.
func planned(year int, unit string) cyclePlan {
	if p, ok := inCycle[unit]; ok && year == currentYear {
		return p
	}
	return cyclePlan{state: assessment.StateFinal}
}

// Demo actors: the appraisers of areas 2 and 6 of the departments are demo
// accounts; the rest of the board is named but has no login.
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

// appraiserOf names who appraises an area of a framework: Justice and
// Finance take areas 2 and 6 of the departments, the board the rest.
func appraiserOf(framework, area string) string {
	if strings.HasPrefix(framework, departmentsKind) {
		switch area {
		case "2":
			return justice
		case "6":
			return finance
		}
	}
	return board
}

// seedAssessments runs the self-assessment and appraisal cycle of every
// demo year for the departments and the communes, through the store's
// workflow: self-scores, evidence files, submission, appraisers' comments,
// explanations, round 2 and finalisation. Earlier years end final; the
// current year leaves the agencies of inCycle where the demo logins need
// them, with DoHA's deadlines around today (the self-assessment deadline
// passed yesterday). A framework that already holds an assessment is left
// alone, so a second run changes nothing.
func seedAssessments(ctx context.Context, db *store.DB, actor parindex.Actor) (AssessmentSummary, error) {
	var sum AssessmentSummary
	for _, year := range demoYears {
		for _, kind := range []string{departmentsKind, communesKind} {
			if err := seedAssessmentYear(ctx, db, actor, frameworkCode(kind, year), &sum); err != nil {
				return sum, err
			}
		}
	}
	return sum, nil
}

func seedAssessmentYear(ctx context.Context, db *store.DB, actor parindex.Actor, code string, sum *AssessmentSummary) error {
	list, f, err := db.ListAssessments(ctx, code)
	if err != nil {
		return fmt.Errorf("demo: assessments of %s: %w", code, err)
	}
	if slices.ContainsFunc(list, func(a *assessment.Assessment) bool { return a.ID != 0 }) {
		return nil
	}
	as := func(name string) parindex.Actor { return parindex.Actor{Name: name, RequestID: actor.RequestID} }
	wrap := func(unit string, err error) error {
		return fmt.Errorf("demo: assessment of %s against %s: %w", unit, code, err)
	}
	// Evidence files make the current departments' sheets look worked on;
	// elsewhere a few per agency keep the demo quick to seed.
	evidenceShare := 0.02
	if code == assessmentFramework {
		evidenceShare = 0.25
	}
	agency := func(a *assessment.Assessment) (evidence int, err error) {
		plan := planned(f.Year, a.UnitCode)
		st := standingOf(a.UnitCode, f.Year)
		ref := assessment.Ref{Framework: code, Unit: a.UnitCode}
		if _, err := db.SaveEntries(ctx, as(agencyClerk(a.UnitCode)), ref, selfScores(f, a.UnitCode, a.UnitType, st, plan.gaps), demoReasonText); err != nil {
			return 0, wrap(a.UnitCode, err)
		}
		if evidence, err = seedEvidence(ctx, db, as(agencyClerk(a.UnitCode)), ref, f, evidenceShare); err != nil {
			return evidence, wrap(a.UnitCode, err)
		}
		if plan.state == assessment.StateDraft {
			return evidence, nil
		}
		if err := seedCycle(ctx, db, ref, f, plan.state, st, as); err != nil {
			return evidence, wrap(a.UnitCode, err)
		}
		return evidence, nil
	}
	// Each agency draws only from its own dice, so agencies can go through
	// the cycle side by side with the same result. On PostgreSQL four at a
	// time: every step is a transaction whose commit waits for the disk,
	// and seeding one agency after another took over a minute. SQLite
	// writes one transaction at a time whatever the callers do, and its
	// busy handler would only add sleeps.
	workers := 1
	if db.Dialect() == store.Postgres {
		workers = 4
	}
	evidence := make([]int, len(list))
	errs := make([]error, len(list))
	slots := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, a := range list {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			evidence[i], errs[i] = agency(a)
		}()
	}
	wg.Wait()
	for i := range list {
		if errs[i] != nil {
			return errs[i]
		}
		sum.Assessments++
		sum.Evidence += evidence[i]
	}
	plan := fmt.Sprintf("Kế hoạch đánh giá năm %d (minh họa)", f.Year)
	if f.Year != currentYear {
		// Last year's cycle ended in the spring, as a province's does.
		for _, stage := range []struct {
			name  string
			month time.Month
			day   int
		}{{assessment.StageSelfAssessment, 1, 15}, {assessment.StageAppraisal1, 2, 10}, {assessment.StageExplanation, 2, 28}, {assessment.StageAppraisal2, 3, 20}} {
			due := parindex.Date{Year: f.Year + 1, Month: stage.month, Day: stage.day}
			if err := db.SetDeadline(ctx, as(doha), code, stage.name, due, plan); err != nil {
				return fmt.Errorf("demo: deadlines of %s: %w", code, err)
			}
		}
		return nil
	}
	today := parindex.DateOf(db.Now().In(vietnamTime))
	for _, stage := range []struct {
		name string
		days int
	}{{assessment.StageSelfAssessment, -1}, {assessment.StageAppraisal1, 10}, {assessment.StageExplanation, 6}, {assessment.StageAppraisal2, 25}} {
		if err := db.SetDeadline(ctx, as(doha), code, stage.name, today.AddDays(stage.days), plan); err != nil {
			return fmt.Errorf("demo: deadlines of %s: %w", code, err)
		}
	}
	for _, a := range list {
		if !planned(f.Year, a.UnitCode).reopened {
			continue
		}
		if err := db.Reopen(ctx, as(doha), assessment.Ref{Framework: code, Unit: a.UnitCode}, today.AddDays(5),
			"Đơn vị đề nghị gia hạn do thay đổi nhân sự phụ trách (minh họa)"); err != nil {
			return wrap(a.UnitCode, err)
		}
	}
	return nil
}

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

// selfScores makes a unit's self-assessment from its standing in the
// framework's year: assessed leaves near the share of their maximum its
// skill earns, a little generous (appraisal corrects), yes/no criteria
// answered yes more often by better units, and, for the criteria that read
// the agency's own yearly figures (plans, legal documents, staff, budget),
// the figures of yearlyFigures, which the metrics table holds too unless
// the agency left one out there. One-stop-shop figures come from the
// system and are not entered. A draft leaves gaps of its points and yes/no
// criteria empty.
func selfScores(f *criteria.Framework, unit, unitType string, st standing, gaps int) []assessment.EntryUpdate {
	d := newDice(unit + "/self/" + strconv.Itoa(f.Year))
	yearly := yearlyFigures(unit, unitType, f.Year)
	level := st.target / 100
	var entered []string // the agency's own points and answers
	for _, n := range f.Leaves() {
		if n.Method == criteria.MethodAssessed || n.Method == criteria.MethodBoolean {
			entered = append(entered, n.Code)
		}
	}
	empty := map[string]bool{}
	for pick := newDice(unit + "/gaps/" + strconv.Itoa(f.Year)); len(empty) < min(gaps, len(entered)); {
		empty[entered[pick.intN(len(entered))]] = true
	}
	var out []assessment.EntryUpdate
	for _, n := range f.Leaves() {
		if empty[n.Code] {
			continue
		}
		up := assessment.EntryUpdate{Node: n.Code}
		switch n.Method {
		case criteria.MethodAssessed:
			step := n.InputStep()
			p := math.Round(n.MaxPoints()*clamp(level+0.03+0.08*d.normal(), 0.3, 1)/step) * step
			up.Value.Points = &p
			if d.chance(0.5) {
				up.Note = fmt.Sprintf("Chi tiết tại báo cáo kết quả thực hiện năm %d của đơn vị.", f.Year)
			}
		case criteria.MethodBoolean:
			yes := d.chance(0.4 + 0.6*st.skill)
			up.Value.Answer = &yes
		case criteria.MethodBonus:
			if !d.chance(0.05 + 0.3*st.skill) {
				continue
			}
			p := math.Round(d.between(0.5, n.Cap)*2) / 2
			up.Value.Points = &p
			up.Note = "Mô hình được UBND tỉnh công nhận và nhân rộng."
		case criteria.MethodPenalty:
			if !d.chance(0.15 * (1 - st.skill)) {
				continue
			}
			p := 0.5
			up.Value.Points = &p
			up.Note = "Có 01 trường hợp bị cấp có thẩm quyền kết luận sai phạm."
		case criteria.MethodRatio, criteria.MethodTiers, criteria.MethodRelative, criteria.MethodCount, criteria.MethodFormula:
			for _, m := range n.Metrics() {
				v, ok := yearly[m]
				if !ok {
					continue // a one-stop-shop figure: the system reports it
				}
				if up.Metrics == nil {
					up.Metrics = map[string]*float64{}
				}
				up.Metrics[m] = &v
			}
			if up.Metrics == nil {
				continue
			}
		default:
			continue
		}
		out = append(out, up)
	}
	// A metric is entered once, on the first leaf that reads it.
	seen := map[string]bool{}
	for i := range out {
		for m := range out[i].Metrics {
			if seen[m] {
				delete(out[i].Metrics, m)
			}
			seen[m] = true
		}
	}
	return out
}

// seedEvidence attaches a report to a share of the leaves (kept in the
// database: the demo knows no data directory).
func seedEvidence(ctx context.Context, db *store.DB, actor parindex.Actor, ref assessment.Ref, f *criteria.Framework, share float64) (int, error) {
	d := newDice(ref.Framework + "/" + ref.Unit + "/evidence")
	n := 0
	for _, leaf := range f.Leaves() {
		if !assessment.Appraisable(leaf) || leaf.Method.IsAdjustment() || d.float() > share {
			continue
		}
		name := fmt.Sprintf("Bao cao %s - %s.pdf", leaf.Code, ref.Unit)
		pdf := EvidencePDF("So lieu minh hoa (demo) - parindex", "Don vi: "+ref.Unit, "Tieu chi: "+leaf.Code,
			fmt.Sprintf("Bao cao ket qua thuc hien nam %d", f.Year))
		if _, err := db.AddEvidence(ctx, actor, ref, leaf.Code, name, pdf, "", 0); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// seedCycle moves one agency's draft through the cycle up to the target
// state, with decisions, comments and explanations. Weaker agencies see
// more of their scores corrected. Accepted leaves go through AcceptPending,
// one transaction per appraiser, rather than one Appraise each: the same
// decisions and audit rows, in a fraction of the time. In the current
// year's departments, leaves of areas 2 and 6 are left waiting in the
// target's own round for the demo appraisers.
func seedCycle(ctx context.Context, db *store.DB, ref assessment.Ref, f *criteria.Framework, target assessment.State,
	st standing, as func(string) parindex.Actor) error {
	d := newDice(ref.Framework + "/" + ref.Unit + "/appraisal")
	var a *assessment.Assessment // as the last transition left it
	step := func(t assessment.Transition, by string, reason string) (err error) {
		a, err = db.Transition(ctx, as(by), ref, t, reason)
		return err
	}
	acceptAll := func(accepted map[string][]string) error {
		for _, by := range slices.Sorted(maps.Keys(accepted)) {
			if _, err := db.AcceptPending(ctx, as(by), ref, accepted[by]); err != nil {
				return err
			}
		}
		return nil
	}
	// The leaves an agency left in an appraisal round keeps waiting: those
	// of areas 2 and 6 in the current year's departments (for the demo
	// appraisers), any leaf elsewhere (for the board).
	forDemoAppraisers := func(node string) bool {
		area := assessment.AreaOf(f, node)
		return ref.Framework == assessmentFramework && (area == "2" || area == "6")
	}
	leftWaiting := func(node string) bool { return ref.Framework != assessmentFramework || forDemoAppraisers(node) }
	if err := step(assessment.TransitionSubmit, agencyLeader(ref.Unit), ""); err != nil {
		return err
	}
	if target == assessment.StateSubmitted {
		return nil
	}
	if err := step(assessment.TransitionStartAppraisal, doha, ""); err != nil {
		return err
	}
	adjustShare := 0.06 + 0.14*(1-st.skill)
	// The agency left in round 2 has explained leaves waiting: it explains
	// every leaf adjusted in round 1, and most leaves of areas 2 and 6 of
	// the current departments were adjusted, for the demo appraisers.
	waitsInRound2 := func(node string) bool { return target == assessment.StateAppraisal2 && leftWaiting(node) }
	accepted := map[string][]string{}
	for _, n := range f.Leaves() {
		if !assessment.Appraisable(n) {
			continue
		}
		if target == assessment.StateAppraisal1 && leftWaiting(n.Code) && d.chance(0.6) {
			continue
		}
		by := appraiserOf(ref.Framework, assessment.AreaOf(f, n.Code))
		in := assessment.AppraisalInput{Node: n.Code, Accept: true}
		if d.chance(adjustShare) || (waitsInRound2(n.Code) && forDemoAppraisers(n.Code) && d.chance(0.7)) {
			in = adjusted(d, a, n)
		}
		if in.Accept {
			accepted[by] = append(accepted[by], n.Code)
			continue
		}
		if err := db.Appraise(ctx, as(by), ref, in); err != nil {
			return err
		}
	}
	if err := acceptAll(accepted); err != nil {
		return err
	}
	if target == assessment.StateAppraisal1 {
		return nil
	}
	if err := step(assessment.TransitionSendResults, doha, ""); err != nil {
		return err
	}
	// STP's demo clerk writes its own explanations; an agency left in the
	// explanation stage or waiting in round 2 has explained every adjusted
	// leaf it is left with, others most.
	if ref.Unit != "STP" {
		for _, n := range f.Leaves() {
			explains := d.chance(0.7) || waitsInRound2(n.Code) || target == assessment.StateExplanation
			if r1 := a.Appraisal(n.Code, 1); r1 != nil && r1.Decision == assessment.DecisionAdjusted && explains {
				text := explanations[d.intN(len(explanations))]
				if err := db.Explain(ctx, as(agencyClerk(ref.Unit)), ref, n.Code, text); err != nil {
					return err
				}
			}
		}
	}
	if target == assessment.StateExplanation {
		return nil
	}
	if err := step(assessment.TransitionSubmitExplanation, agencyLeader(ref.Unit), ""); err != nil {
		return err
	}
	accepted = map[string][]string{}
	for _, node := range a.PendingLeaves(f) {
		if waitsInRound2(node) {
			continue
		}
		by := appraiserOf(ref.Framework, assessment.AreaOf(f, node))
		if !d.chance(0.5) {
			accepted[by] = append(accepted[by], node)
			continue
		}
		// The explanation convinces: the agency's own score is restored.
		n := f.Find(node)
		in := assessment.AppraisalInput{Node: node, Value: a.SelfValue(node), Comment: "Chấp nhận giải trình của đơn vị."}
		if assessment.LeafKind(n) == assessment.KindMetrics {
			in.Metrics = map[string]float64{}
			for _, m := range n.Metrics() {
				if mv := a.Metrics[m]; mv != nil {
					in.Metrics[m] = mv.Value
				}
			}
		}
		if err := db.Appraise(ctx, as(by), ref, in); err != nil {
			return err
		}
	}
	if err := acceptAll(accepted); err != nil {
		return err
	}
	if target == assessment.StateAppraisal2 {
		return nil
	}
	return step(assessment.TransitionFinalise, doha, "")
}

// adjusted is a round-1 adjustment of a leaf: a little lower than the
// agency's score, with a comment.
func adjusted(d *dice, a *assessment.Assessment, n *criteria.Node) assessment.AppraisalInput {
	in := assessment.AppraisalInput{Node: n.Code, Comment: appraisalComments[d.intN(len(appraisalComments))]}
	self := a.SelfValue(n.Code)
	switch assessment.LeafKind(n) {
	case assessment.KindPoints:
		if self.Points == nil || *self.Points == 0 {
			return assessment.AppraisalInput{Node: n.Code, Accept: true}
		}
		step := n.InputStep()
		if n.Method.IsAdjustment() {
			step = 0.5
		}
		p := math.Max(0, *self.Points-step)
		in.Value.Points = &p
	case assessment.KindAnswer:
		if self.Answer == nil || !*self.Answer {
			return assessment.AppraisalInput{Node: n.Code, Accept: true}
		}
		no := false
		in.Value.Answer = &no
	case assessment.KindMetrics:
		in.Metrics = map[string]float64{}
		reads := n.Metrics()
		if len(reads) == 0 {
			return assessment.AppraisalInput{Node: n.Code, Accept: true}
		}
		m := reads[0]
		mv := a.Metrics[m]
		if mv == nil || mv.Value == 0 {
			return assessment.AppraisalInput{Node: n.Code, Accept: true}
		}
		in.Metrics[m] = math.Floor(mv.Value * 0.9)
	}
	return in
}
