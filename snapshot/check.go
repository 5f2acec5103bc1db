package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"parindex"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/store"
)

// Problem is one inconsistency `parindex score check` found in a snapshot.
type Problem struct {
	Unit string // "" for the snapshot as a whole
	Node string
	VI   string
	EN   string
}

func (p Problem) String() string {
	where := p.Unit
	if p.Node != "" {
		where += " " + p.Node
	}
	if where == "" {
		return p.VI + " (" + p.EN + ")"
	}
	return where + ": " + p.VI + " (" + p.EN + ")"
}

// Checked summarises a check that found nothing wrong.
type Checked struct {
	Units  int // units compared
	Leaves int // unit × leaf results checked
}

// Check scores snapshot id again from its stored inputs and framework and
// compares everything it published, to the last digit: the results
// document, the unit rows, the record's final values; it also refuses any
// leaf that shows a value yet says missing, shows points from a missing
// value or says missing without a reason, and a publication whose decision
// does not fit its preflight.
func Check(ctx context.Context, db *store.DB, id int64) (Checked, []Problem, error) {
	snap, err := db.Snapshot(ctx, id)
	if err != nil {
		return Checked{}, nil, err
	}
	fr, err := db.FrameworkByCode(ctx, snap.FrameworkCode)
	if err != nil {
		return Checked{}, nil, err
	}
	f, err := fr.Framework()
	if err != nil {
		return Checked{}, nil, err
	}
	c, problems := CheckDocuments(f, snap)
	return c, problems, nil
}

// CheckDocuments is Check on a snapshot already read, with its framework.
func CheckDocuments(f *criteria.Framework, snap *parindex.Snapshot) (Checked, []Problem) {
	var c Checked
	var out []Problem
	fail := func(unit, node, vi, en string, args ...any) {
		out = append(out, Problem{Unit: unit, Node: node, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)})
	}
	if h := f.Hash(); h != snap.FrameworkHash {
		fail("", "", "bộ tiêu chí %s hiện có mã băm %s, khác với mã băm đã chấm %s", "framework %s now hashes to %s, not %s as scored", f.Code, h, snap.FrameworkHash)
		return c, out
	}
	inputs, err := scoring.ParseInputs(snap.Inputs)
	if err != nil {
		fail("", "", "không đọc được dữ liệu đầu vào đã lưu: %v", "the stored inputs do not parse: %v", err)
		return c, out
	}
	stored, err := Result(snap)
	if err != nil {
		fail("", "", "không đọc được kết quả đã lưu: %v", "the stored results do not decode: %v", err)
		return c, out
	}
	rec, err := DecodeRecord(snap)
	if err != nil {
		fail("", "", "không đọc được hồ sơ đã lưu: %v", "the stored record does not decode: %v", err)
		return c, out
	}
	draws := rec.Draws
	if draws == 0 {
		draws = 1000
	}
	again, err := scoring.ScoreWith(f, inputs, scoring.Options{Uncertainty: &scoring.UncertaintyOptions{Draws: draws, Seed: snap.Seed}})
	if err != nil {
		fail("", "", "chấm lại không được: %v", "scoring again failed: %v", err)
		return c, out
	}
	compareResults(stored, again, fail)
	compareUnits(snap, stored, fail)

	inputsOf := map[string]*scoring.AgencyInput{}
	for i := range inputs.Agencies {
		inputsOf[inputs.Agencies[i].Code] = &inputs.Agencies[i]
	}
	for _, a := range stored.Agencies {
		c.Units++
		in := inputsOf[a.Code]
		u := rec.Unit(a.Code)
		for _, n := range a.Nodes {
			if n.Spec == nil {
				continue
			}
			c.Leaves++
			checkLeaf(a.Code, n, in, u, rec, fail)
		}
	}
	checkPublication(snap, rec, fail)
	return c, out
}

type failFunc func(unit, node, vi, en string, args ...any)

// compareResults compares two results to the last digit through their
// JSON, unit by unit, so that a difference names its unit.
func compareResults(stored, again *scoring.Result, fail failFunc) {
	enc := func(v any) []byte { b, _ := json.Marshal(v); return b }
	if len(stored.Agencies) != len(again.Agencies) {
		fail("", "", "số đơn vị khác: đã lưu %d, chấm lại %d", "unit counts differ: %d stored, %d again", len(stored.Agencies), len(again.Agencies))
		return
	}
	for i := range stored.Agencies {
		s, a := &stored.Agencies[i], &again.Agencies[i]
		if !bytes.Equal(enc(s), enc(a)) {
			fail(s.Code, firstDifferentNode(s, a), "kết quả chấm lại khác kết quả đã lưu", "scoring again gives another result than the stored one")
		}
	}
	s, a := *stored, *again
	s.Agencies, a.Agencies = nil, nil
	if !bytes.Equal(enc(s), enc(a)) {
		fail("", "", "phần chung của kết quả (tỷ lệ tốt nhất, mô phỏng thứ hạng) khác khi chấm lại", "the result's shared part (best rates, rank simulation) differs when scored again")
	}
}

func firstDifferentNode(s, a *scoring.AgencyResult) string {
	for i := range s.Nodes {
		if i < len(a.Nodes) && (s.Nodes[i].Points != a.Nodes[i].Points || s.Nodes[i].Max != a.Nodes[i].Max || s.Nodes[i].Status != a.Nodes[i].Status) {
			return s.Nodes[i].Code
		}
	}
	return ""
}

// compareUnits checks the unit rows (what lists and rankings read) against
// the results.
func compareUnits(snap *parindex.Snapshot, res *scoring.Result, fail failFunc) {
	rows := map[string]parindex.SnapshotUnit{}
	for _, u := range snap.Units {
		rows[u.UnitCode] = u
	}
	if len(rows) != len(res.Agencies) {
		fail("", "", "bảng đơn vị có %d dòng, kết quả có %d đơn vị", "the unit table has %d rows, the results %d units", len(rows), len(res.Agencies))
	}
	same := func(a, b *float64) bool {
		return (a == nil) == (b == nil) && (a == nil || *a == *b)
	}
	for _, a := range res.Agencies {
		u, ok := rows[a.Code]
		switch {
		case !ok:
			fail(a.Code, "", "không có dòng trong bảng đơn vị", "no row in the unit table")
		case u.Points != a.Points || u.MaxPoints != a.Max || !same(u.Index, a.Index) || !same(u.IndexRounded, a.IndexRounded) || u.Rank != a.Rank || u.Band != a.Band:
			fail(a.Code, "", "dòng trong bảng đơn vị khác kết quả (điểm, chỉ số, thứ hạng hoặc xếp loại)", "the unit row differs from the results (points, index, rank or band)")
		}
	}
}

// checkLeaf refuses a leaf that shows a value yet says missing, shows
// points from a missing value, or says missing without a reason; and a
// recorded final value that is not the value scored.
func checkLeaf(unit string, n scoring.NodeResult, in *scoring.AgencyInput, u *UnitRecord, rec *Record, fail failFunc) {
	lr := u.Leaves[n.Code]
	missing := n.Status == scoring.StatusMissing || n.Status == scoring.StatusExcluded
	if missing {
		if n.Points != 0 {
			fail(unit, n.Code, "thiếu dữ liệu nhưng có %v điểm", "missing, yet %v points", n.Points)
		}
		if hasInput(in, n) {
			fail(unit, n.Code, "có giá trị đầu vào nhưng ghi thiếu dữ liệu", "has an input value, yet says missing")
		}
		if lr.Final != nil && !lr.Final.NotApplicable {
			fail(unit, n.Code, "có giá trị cuối cùng trong hồ sơ nhưng ghi thiếu dữ liệu", "has a final value in the record, yet says missing")
		}
		if _, ok := rec.Item(unit, n.Code); !ok && n.Reason == nil {
			fail(unit, n.Code, "thiếu dữ liệu mà không có lý do", "missing without a reason")
		}
		if _, ok := rec.Item(unit, n.Code); !ok && rec.Draws > 0 {
			fail(unit, n.Code, "thiếu dữ liệu nhưng không có trong danh sách kiểm tra trước khi công bố", "missing, but not in the preflight")
		}
	}
	if lr.Final != nil && in != nil {
		if !finalMatches(*lr.Final, n.Code, in) {
			fail(unit, n.Code, "giá trị cuối cùng trong hồ sơ khác giá trị đã chấm", "the record's final value is not the value scored")
		}
	}
}

func hasInput(in *scoring.AgencyInput, n scoring.NodeResult) bool {
	if in == nil {
		return false
	}
	if _, ok := in.Points[n.Code]; ok {
		return true
	}
	if _, ok := in.Answers[n.Code]; ok {
		return true
	}
	return false
}

func finalMatches(v Value, code string, in *scoring.AgencyInput) bool {
	switch {
	case v.NotApplicable:
		return slices.Contains(in.NotApplicable, code)
	case v.Points != nil:
		p, ok := in.Points[code]
		return ok && p == *v.Points && !math.IsNaN(p)
	case v.Answer != nil:
		a, ok := in.Answers[code]
		return ok && a == *v.Answer
	}
	return true
}

// checkPublication checks a published snapshot's decision against its
// preflight.
func checkPublication(snap *parindex.Snapshot, rec *Record, fail failFunc) {
	if snap.Status != parindex.StatusPublished || len(snap.Record) == 0 {
		return
	}
	incomplete := len(rec.Preflight)
	switch snap.Publication {
	case parindex.PublicationFinal:
		if incomplete > 0 {
			fail("", "", "công bố chính thức khi còn %d mục chưa đầy đủ", "published as final with %d items incomplete", incomplete)
		}
	case parindex.PublicationFinalWithExceptions:
		if !slices.Equal(snap.Exceptions, rec.Keys()) {
			fail("", "", "danh sách ngoại lệ khác danh sách mục chưa đầy đủ", "the exceptions are not the incomplete items")
		}
	case parindex.PublicationProvisional:
	default:
		fail("", "", "đã công bố nhưng không có hình thức công bố", "published without a publication decision")
	}
}
