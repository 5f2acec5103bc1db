package assessments

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"parindex/assessment"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/stats"
	"parindex/web/kit"
)

// points shows computed points: the engine keeps full precision; what
// people read is rounded half up to 2 decimals (criteria.RoundHalfUp's
// rule, through stats) and shown with the decimals it has.
func points(lang string, x float64) string { return kit.Points(lang, stats.RoundHalfUp(x, 2)) }

// inputNumber writes a number for an input field (a dot as decimal point,
// as browsers post it).
func inputNumber(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// parseDecimal reads a number typed with a decimal point or comma.
func parseDecimal(s string) (float64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, errors.New("not a number")
	}
	return x, nil
}

func stateName(lang string, st assessment.State) string {
	return kit.T(lang, "assess.state."+string(st))
}

// valueText shows a leaf value in words.
func valueText(lang string, n *criteria.Node, v assessment.LeafValue) string {
	switch {
	case v.NotApplicable:
		return kit.T(lang, "assess.na")
	case v.Points != nil:
		return kit.Points(lang, *v.Points)
	case v.Answer != nil && *v.Answer:
		return kit.T(lang, "common.yes")
	case v.Answer != nil:
		return kit.T(lang, "common.no")
	}
	if n != nil && assessment.LeafKind(n) == assessment.KindMetrics {
		return kit.T(lang, "assess.by_metrics")
	}
	return "–"
}

// nodePoints shows the points of a node in a result ("" when absent).
func nodePoints(lang string, res *scoring.Result, unit, code string) (string, scoring.NodeStatus) {
	if res == nil {
		return "", 0
	}
	a := res.Agency(unit)
	if a == nil {
		return "", 0
	}
	n, ok := a.Node(code)
	if !ok {
		return "", 0
	}
	return points(lang, n.Points), n.Status
}

// surveyText shows the survey figure a survey leaf read, with its n.
func surveyText(lang string, res *scoring.Result, unit string, n *criteria.Node) string {
	a := res.Agency(unit)
	if a == nil {
		return ""
	}
	nr, ok := a.Node(n.Code)
	if !ok || math.IsNaN(nr.Inputs.Value) {
		return kit.T(lang, "assess.survey_none")
	}
	v := kit.Number(lang, nr.Inputs.Value*100, 1) + "%"
	if n.SurveyMeasure() == criteria.MeasureMean100 {
		v = kit.Number(lang, nr.Inputs.Value, 1) + "/100"
	}
	if nr.Inputs.N > 0 {
		v += " (n = " + kit.Number(lang, float64(nr.Inputs.N), 0) + ")"
	}
	return v
}

func formatIndex(lang string, f *criteria.Framework, a *scoring.AgencyResult) (index, band string) {
	if a == nil || a.IndexRounded == nil {
		return "–", ""
	}
	return kit.Number(lang, *a.IndexRounded, f.Rounding), a.Band + " – " + a.BandName
}
