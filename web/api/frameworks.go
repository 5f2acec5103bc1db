package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

type Framework struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Year        int       `json:"year"`
	AgencyTypes []string  `json:"agency_types"`
	Hash        string    `json:"hash"`
	PublishedAt time.Time `json:"published_at"`
}

type FrameworkDetail struct {
	Framework
	Description string   `json:"description,omitempty"`
	Source      string   `json:"source,omitempty"`
	TotalMax    float64  `json:"total_max"`
	Rounding    int      `json:"rounding"`
	CapIndex    *float64 `json:"cap_index,omitempty"`
	// SurveyResponses says which survey responses the survey leaves count.
	SurveyResponses criteria.SurveyResponses `json:"survey_responses"`
	Bands           []Band                   `json:"bands"`
	Metrics         []string                 `json:"metrics"`
	Nodes           []*Node                  `json:"nodes"`
}

type Band struct {
	Code string  `json:"code"`
	Name string  `json:"name"`
	Min  float64 `json:"min"`
}

type Node struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Max        *float64 `json:"max,omitempty"` // absent inside a bonus/penalty block
	Method     string   `json:"method,omitempty"`
	Metrics    []string `json:"metrics,omitempty"`
	Missing    string   `json:"missing,omitempty"` // leaves: zero or exclude
	Adjustment bool     `json:"adjustment,omitempty"`
	Children   []*Node  `json:"children,omitempty"`
}

func frameworkOf(r *store.FrameworkRecord) Framework {
	return Framework{r.Code, r.Name, r.Year, r.AgencyTypes, r.Hash, r.PublishedAt.UTC()}
}

// listFrameworks lists the published frameworks (drafts are DoHA's work in
// progress), by code; ?year= filters.
func (a *Handler) listFrameworks(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	f := store.FrameworkFilter{Status: store.FrameworkPublished}
	if f.Year, ok = a.year(c); !ok {
		return
	}
	recs, err := a.db.FindFrameworks(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Code < recs[j].Code })
	recs, next := pageByCode(recs, func(r *store.FrameworkRecord) string { return r.Code }, p)
	out := make([]Framework, len(recs))
	for i, r := range recs {
		out[i] = frameworkOf(r)
	}
	a.list(c, out, next)
}

func (a *Handler) getFramework(c *gin.Context) {
	rec, err := a.db.FrameworkByCode(c.Request.Context(), c.Param("code"))
	if err == nil && !rec.Published() {
		err = parindex.Errorf(parindex.ECodeNotFound, "Không có bộ tiêu chí đã công bố mã %q (no published framework %q)", c.Param("code"), c.Param("code"))
	}
	if err != nil {
		a.fail(c, err, "code")
		return
	}
	f, err := rec.Framework()
	if err != nil {
		a.fail(c, err, "")
		return
	}
	d := FrameworkDetail{Framework: frameworkOf(rec), Description: f.Description, Source: f.Source, TotalMax: f.TotalMax(),
		Rounding: f.Rounding, CapIndex: f.CapIndex, SurveyResponses: f.SurveyResponsesUsed(), Metrics: f.Metrics(), Bands: []Band{}}
	for _, b := range f.Bands {
		d.Bands = append(d.Bands, Band{b.Code, b.Name, b.Min})
	}
	var build func(nodes []*criteria.Node) []*Node
	build = func(nodes []*criteria.Node) []*Node {
		out := make([]*Node, 0, len(nodes))
		for _, n := range nodes {
			v := &Node{Code: n.Code, Name: n.Name, Method: string(n.Method), Metrics: n.Metrics(), Adjustment: n.Adjustment}
			if !f.InAdjustment(n.Code) {
				m := n.MaxPoints()
				v.Max = &m
			}
			if n.IsLeaf() {
				v.Missing = string(f.MissingFor(n.Code))
			}
			v.Children = build(n.Children)
			if len(v.Children) == 0 {
				v.Children = nil
			}
			out = append(out, v)
		}
		return out
	}
	d.Nodes = build(f.Nodes)
	c.JSON(http.StatusOK, gin.H{"data": d})
}
