package web

import (
	"context"
	"regexp"

	"parindex"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/survey"
)

// People read names, not codes. Unit types, roles and states are catalogue
// keys (package i18n); names that are data come from the data: metrics from
// the metric catalogue table, frameworks and instruments from their
// records. The helpers below are the one place each is looked up.

// unitTypeName names a unit type: the catalogue's label (unit_type.<code>),
// or, for a type added to the org_types table as data alone, the name
// stored there.
func (s *Server) unitTypeName(lang, code string) string {
	if i18n.Has("unit_type." + code) {
		return i18n.T(lang, "unit_type."+code)
	}
	types, err := s.db.OrgTypes(context.Background())
	if err == nil {
		for _, t := range types {
			if t.Code == code {
				return pickName(lang, t.NameVI, t.NameEN)
			}
		}
	}
	return code
}

// pickName is the English name when the reader reads English and there is
// one, else the Vietnamese.
func pickName(lang, vi, en string) string {
	if lang == langEN && en != "" {
		return en
	}
	return vi
}

// metricNames names the metrics of the metric catalogue table.
type metricNames map[string]*parindex.Metric

// metricNamesOf reads the metric catalogue.
func (s *Server) metricNamesOf(ctx context.Context) (metricNames, error) {
	ms, err := s.db.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	out := metricNames{}
	for _, m := range ms {
		out[m.Code] = m
	}
	return out, nil
}

// name is the metric's name in lang; a metric the catalogue does not hold
// (a framework may name one before it is added) shows its code.
func (m metricNames) name(lang, code string) string {
	if x, ok := m[code]; ok && x.NameVI != "" {
		return pickName(lang, x.NameVI, x.NameEN)
	}
	return code
}

// names names, in one reader's language, what a framework's leaves read:
// metrics (the catalogue table) and survey instruments with their elements
// (the instruments' definitions). Build one per request with namesFor.
type names struct {
	lang        string
	metrics     metricNames
	instruments map[string]*survey.Instrument
}

// namesFor reads the names the leaves of f need (f may be nil: metrics only).
func (s *Server) namesFor(ctx context.Context, lang string, f *criteria.Framework) (*names, error) {
	ms, err := s.metricNamesOf(ctx)
	if err != nil {
		return nil, err
	}
	nm := &names{lang: lang, metrics: ms, instruments: map[string]*survey.Instrument{}}
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
		stored, err := s.db.InstrumentByCode(ctx, code)
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

// formula writes a leaf's formula with each metric of the catalogue named
// “like this”; the rest of the expression (numbers, operators, max,
// functions) stays as written.
func (nm *names) formula(expr string) string {
	return formulaWord.ReplaceAllStringFunc(expr, func(w string) string {
		if _, ok := nm.metrics[w]; ok {
			return "“" + nm.metric(w) + "”"
		}
		return w
	})
}

// metric is a metric's name.
func (nm *names) metric(code string) string { return nm.metrics.name(nm.lang, code) }

// instrument is an instrument's name; one not loaded yet is named by its
// code, saying so.
func (nm *names) instrument(code string) string {
	if in := nm.instruments[code]; in != nil {
		return pickName(nm.lang, in.Name.VI, in.Name.EN)
	}
	return translate(nm.lang, "criteria.instrument_missing", code)
}

// element is the name of an instrument's element, or its code when unknown.
func (nm *names) element(instrument, code string) string {
	if in := nm.instruments[instrument]; in != nil {
		for _, e := range in.Elements {
			if e.Code == code {
				return pickName(nm.lang, e.Name.VI, e.Name.EN)
			}
		}
	}
	return code
}
