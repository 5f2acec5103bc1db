package integrity

import "math"

// Document is the one JSON form of a report, printed by the command line's
// `survey integrity --json` and answered by the API's
// /api/v1/survey/integrity and /api/v1/units/{code}/survey/integrity
// (docs/api.md): shares as fractions, undefined figures null, each reason
// with its figures and its text in Vietnamese and English.
type Document struct {
	Instrument     string         `json:"instrument"`
	Year           int            `json:"year"`
	PolicyVersion  int            `json:"policy_version"`
	ProvinceTopBox *float64       `json:"province_top_box"`
	Units          []DocumentUnit `json:"units"` // worst first
}

// DocumentUnit is a unit's judgement and its links'.
type DocumentUnit struct {
	Code            string           `json:"code"`
	Name            string           `json:"name"`
	Label           Label            `json:"label"`
	Responses       int              `json:"responses"`
	RecordsResolved *int             `json:"records_resolved"`
	IndependentGap  *[3]float64      `json:"independent_gap"` // gap, 95 % lower, upper
	Reasons         []DocumentReason `json:"reasons"`
	Links           []DocumentLink   `json:"links"` // worst first
}

// DocumentLink is a QR link's (or paper batch's) judgement.
type DocumentLink struct {
	ID          int64            `json:"id"`
	Counter     string           `json:"counter"`
	Independent bool             `json:"independent"`
	Label       Label            `json:"label"`
	Responses   int              `json:"responses"`
	Reasons     []DocumentReason `json:"reasons"`
}

// DocumentReason is a Finding with its figures and its sentence.
type DocumentReason struct {
	Indicator Indicator `json:"indicator"`
	Label     Label     `json:"label"`
	Flag      string    `json:"flag,omitempty"`
	Value     *float64  `json:"value"`
	Limit     *float64  `json:"limit"`
	PValue    *float64  `json:"p_value"`
	Lower     *float64  `json:"lower"`
	TextVI    string    `json:"text_vi"`
	TextEN    string    `json:"text_en"`
}

// NewDocument is the JSON form of r, the report of instrument over year;
// translate is the catalogue's lookup (i18n.T), as for Finding.Text.
func NewDocument(instrument string, year int, r Report, translate func(lang, key string, args ...any) string) Document {
	reasons := func(fs []Finding) []DocumentReason {
		out := []DocumentReason{}
		for _, f := range fs {
			out = append(out, DocumentReason{Indicator: f.Indicator, Label: f.Label, Flag: f.Flag,
				Value: finite(f.Value), Limit: finite(f.Limit), PValue: finite(f.PValue), Lower: finite(f.Lower),
				TextVI: f.Text("vi", translate), TextEN: f.Text("en", translate)})
		}
		return out
	}
	out := Document{Instrument: instrument, Year: year, PolicyVersion: r.PolicyVersion, ProvinceTopBox: finite(r.ProvinceTopBox),
		Units: []DocumentUnit{}}
	for _, u := range r.Units {
		du := DocumentUnit{Code: u.Unit.Code, Name: u.Unit.Name, Label: u.Label, Responses: u.Responses,
			Reasons: reasons(u.Findings), Links: []DocumentLink{}}
		if u.Unit.RecordsKnown {
			du.RecordsResolved = &u.Unit.RecordsReturned
		}
		if !math.IsNaN(u.IndependentGap) {
			du.IndependentGap = &[3]float64{u.IndependentGap, u.GapLower, u.GapUpper}
		}
		for _, l := range u.Links {
			du.Links = append(du.Links, DocumentLink{ID: l.Link.ID, Counter: l.Link.Label, Independent: l.Link.Independent,
				Label: l.Label, Responses: l.Responses, Reasons: reasons(l.Findings)})
		}
		out.Units = append(out.Units, du)
	}
	return out
}

// finite is x, or nil (JSON null) when x is NaN or infinite.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
