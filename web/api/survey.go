package api

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/survey"
	"parindex/web/kit"
)

// surveyQuery reads ?instrument= (required), ?period= (default: the
// current year) and ?include_flagged=.
func (a *Handler) surveyQuery(c *gin.Context) (string, survey.Period, parindex.Period, bool, bool) {
	instrument := c.Query("instrument")
	if instrument == "" {
		a.invalid(c, "instrument", "cần mã bộ câu hỏi, ví dụ instrument=sipas-2026", "instrument is required, e.g. instrument=sipas-2026")
		return "", survey.Period{}, parindex.Period{}, false, false
	}
	p, err := kit.PeriodParam(a.db, c.Query("period"))
	if err != nil {
		a.periodInvalid(c, err)
		return "", survey.Period{}, parindex.Period{}, false, false
	}
	flagged := false
	switch c.Query("include_flagged") {
	case "", "false":
	case "true":
		flagged = true
	default:
		a.invalid(c, "include_flagged", "include_flagged là true hoặc false", "include_flagged must be true or false")
		return "", survey.Period{}, parindex.Period{}, false, false
	}
	return instrument, survey.Period{From: p.Start(), To: p.End()}, p, flagged, true
}

type SurveyList struct {
	Instrument string               `json:"instrument"`
	Period     string               `json:"period"`
	Units      []survey.GroupResult `json:"units"`
}

// surveyResults lists each unit's survey result for the period (point
// estimates, question intervals), for the units the token may read, by
// unit code. Comments are never sent: they are for the staff pages.
func (a *Handler) surveyResults(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	instrument, sp, period, flagged, ok := a.surveyQuery(c)
	if !ok {
		return
	}
	results, err := a.results.Units(c.Request.Context(), instrument, sp, flagged)
	if err != nil {
		a.fail(c, err, "instrument")
		return
	}
	readable, ok := a.readable(c)
	if !ok {
		return
	}
	var list []survey.GroupResult
	for code, r := range results {
		if readable(code) {
			r.Comments = nil
			list = append(list, r)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Unit < list[j].Unit })
	list, next := pageByCode(list, func(g survey.GroupResult) string { return g.Unit }, p)
	if list == nil {
		list = []survey.GroupResult{}
	}
	a.list(c, SurveyList{instrument, period.String(), list}, next)
}

// surveyUnitResult is one unit's full survey result for the period, with
// bootstrap intervals of the element and overall indices and Cronbach's
// alpha; comments are left out.
func (a *Handler) surveyUnitResult(c *gin.Context) {
	instrument, sp, period, flagged, ok := a.surveyQuery(c)
	if !ok {
		return
	}
	unit, ok := a.unitParam(c)
	if !ok {
		return
	}
	r, err := a.results.Unit(c.Request.Context(), instrument, unit.Code, sp, flagged)
	if err != nil {
		a.fail(c, err, "instrument")
		return
	}
	r.Comments = nil
	c.JSON(http.StatusOK, gin.H{"data": struct {
		Instrument string `json:"instrument"`
		Period     string `json:"period"`
		survey.GroupResult
	}{instrument, period.String(), r}})
}
