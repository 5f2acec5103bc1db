package kit

import (
	"context"
	"regexp"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/survey"
)

// MetricNames names the metrics of the metric catalogue table.
type MetricNames map[string]*parindex.Metric

// MetricNamesOf reads the metric catalogue.
func MetricNamesOf(ctx context.Context, db *store.DB) (MetricNames, error) {
	ms, err := db.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	out := MetricNames{}
	for _, m := range ms {
		out[m.Code] = m
	}
	return out, nil
}

// Name is the metric's name in lang; a metric the catalogue does not hold
// (a framework may name one before it is added) shows its code.
func (m MetricNames) Name(lang, code string) string {
	if x, ok := m[code]; ok && x.NameVI != "" {
		return PickName(lang, x.NameVI, x.NameEN)
	}
	return code
}

// Names names, in one reader's language, what a framework's leaves read:
// metrics (the catalogue table) and survey instruments with their elements
// (the instruments' definitions). Build one per request with NamesFor.
type Names struct {
	Lang        string
	metrics     MetricNames
	instruments map[string]*survey.Instrument
}

// NamesFor reads the names the leaves of f need (f may be nil: metrics only).
func NamesFor(ctx context.Context, db *store.DB, lang string, f *criteria.Framework) (*Names, error) {
	ms, err := MetricNamesOf(ctx, db)
	if err != nil {
		return nil, err
	}
	nm := &Names{Lang: lang, metrics: ms, instruments: map[string]*survey.Instrument{}}
	if f == nil {
		return nm, nil
	}
	for _, leaf := range f.Leaves() {
		code := leaf.Instrument
		if code == "" {
			continue
		}
		if _, done := nm.instruments[code]; done {
			continue
		}
		nm.instruments[code] = nil
		stored, err := db.InstrumentByCode(ctx, code)
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			continue // a framework may name an instrument not loaded yet
		} else if err != nil {
			return nil, err
		}
		if in, err := survey.ParseInstrument(stored.Code+".yaml", []byte(stored.Source)); err == nil {
			nm.instruments[code] = in
		}
	}
	return nm, nil
}

// formulaWord finds the identifiers of a formula.
var formulaWord = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// Formula writes a leaf's formula with each metric of the catalogue named
// “like this”; the rest of the expression (numbers, operators, max,
// functions) stays as written.
func (nm *Names) Formula(expr string) string {
	return formulaWord.ReplaceAllStringFunc(expr, func(w string) string {
		if _, ok := nm.metrics[w]; ok {
			return "“" + nm.Metric(w) + "”"
		}
		return w
	})
}

// Metric is a metric's name.
func (nm *Names) Metric(code string) string { return nm.metrics.Name(nm.Lang, code) }

// Instrument is an instrument's name; one not loaded yet is named by its
// code, saying so.
func (nm *Names) Instrument(code string) string {
	if in := nm.instruments[code]; in != nil {
		return PickName(nm.Lang, in.Name.VI, in.Name.EN)
	}
	return T(nm.Lang, "criteria.instrument_missing", code)
}

// Element is the name of an instrument's element, or its code when unknown.
func (nm *Names) Element(instrument, code string) string {
	if in := nm.instruments[instrument]; in != nil {
		for _, e := range in.Elements {
			if e.Code == code {
				return PickName(nm.Lang, e.Name.VI, e.Name.EN)
			}
		}
	}
	return code
}

// MethodParams describes how a leaf earns its points, in the user's
// language, naming metrics, instruments and elements by their names.
func (nm *Names) MethodParams(n *criteria.Node) []string {
	lang := nm.Lang
	tr := func(key string, args ...any) string { return T(lang, key, args...) }
	rate := func() string {
		return tr("criteria.param.rate", nm.Metric(n.Numerator), nm.Metric(n.Denominator))
	}
	switch n.Method {
	case criteria.MethodAssessed:
		return []string{tr("criteria.param.step", Points(lang, n.InputStep()))}
	case criteria.MethodBoolean:
		return []string{tr("criteria.param.boolean")}
	case criteria.MethodRatio:
		out := []string{rate()}
		if t := n.RatioTarget(); t != criteria.DefaultTarget {
			return append(out, tr("criteria.param.target", Percent(lang, t)))
		}
		return append(out, tr("criteria.param.ratio"))
	case criteria.MethodTiers:
		out := []string{rate()}
		for i, t := range n.Tiers {
			if i == len(n.Tiers)-1 && t.Min == 0 {
				out = append(out, tr("criteria.param.tier_rest", Points(lang, t.Points)))
				continue
			}
			out = append(out, tr("criteria.param.tier", Percent(lang, t.Min), Points(lang, t.Points)))
		}
		return out
	case criteria.MethodRelative:
		return []string{rate(), tr("criteria.param.relative")}
	case criteria.MethodCount:
		max := 0.0
		if n.Max != nil {
			max = *n.Max
		}
		return []string{tr("criteria.param.count", nm.Metric(n.Metric), Points(lang, n.PerUnit), Points(lang, max))}
	case criteria.MethodFormula:
		return []string{tr("criteria.param.formula", nm.Formula(n.Formula))}
	case criteria.MethodSurvey:
		var what string
		switch {
		case n.Element != "":
			what = tr("criteria.param.survey_element", nm.Instrument(n.Instrument), nm.Element(n.Instrument, n.Element))
		case n.Question != "":
			what = tr("criteria.param.survey_question", nm.Instrument(n.Instrument), n.Question)
		default:
			what = tr("criteria.param.survey_overall", nm.Instrument(n.Instrument))
		}
		return []string{what, tr("criteria.measure." + string(n.SurveyMeasure()))}
	case criteria.MethodBonus:
		return []string{tr("criteria.param.bonus", Points(lang, n.Cap))}
	case criteria.MethodPenalty:
		return []string{tr("criteria.param.penalty", Points(lang, n.Cap))}
	}
	return nil
}
