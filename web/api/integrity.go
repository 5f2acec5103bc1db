package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/integrity"
	"parindex/web/kit"
)

// Counter integrity (issue 22): which units' and QR links' ratings to
// believe in a year, under the policy in force, in the JSON form the
// command line's `survey integrity --json` prints (integrity.Document).

// integrityReport reads ?instrument= (required) and ?year= (default: this
// year) and judges the whole province, since the top-box funnel is centred
// on the province's share; ok is false after answering an error.
func (a *Handler) integrityReport(c *gin.Context) (code string, year int, report integrity.Report, ok bool) {
	code = c.Query("instrument")
	if code == "" {
		a.invalid(c, "instrument", "cần mã bộ câu hỏi, ví dụ instrument=sipas-2026", "instrument is required, e.g. instrument=sipas-2026")
		return "", 0, report, false
	}
	if year, ok = a.year(c); !ok {
		return "", 0, report, false
	}
	if year == 0 {
		year = a.today().Year
	}
	in, report, err := a.results.Integrity(c.Request.Context(), code, year, a.policy, a.location)
	if err != nil {
		a.fail(c, err, "instrument")
		return "", 0, report, false
	}
	return in.Code, year, report, true
}

// surveyIntegrity is the province's report, worst first, limited to the
// units the token may read.
func (a *Handler) surveyIntegrity(c *gin.Context) {
	code, year, report, ok := a.integrityReport(c)
	if !ok {
		return
	}
	readable, ok := a.readable(c)
	if !ok {
		return
	}
	kept := report.Units[:0]
	for _, j := range report.Units {
		if readable(j.Unit.Code) {
			kept = append(kept, j)
		}
	}
	report.Units = kept
	c.JSON(http.StatusOK, gin.H{"data": integrity.NewDocument(code, year, report, kit.T)})
}

// unitSurveyIntegrity is one unit's judgement with its links': 404 when
// the unit has no QR link of the instrument.
func (a *Handler) unitSurveyIntegrity(c *gin.Context) {
	unit, ok := a.unitParam(c)
	if !ok {
		return
	}
	code, year, report, ok := a.integrityReport(c)
	if !ok {
		return
	}
	j, found := report.Unit(unit.Code)
	if !found {
		a.fail(c, parindex.Errorf(parindex.ECodeNotFound, "Đơn vị %s không có mã QR nào của bộ câu hỏi %s (unit %s has no QR link of instrument %s)",
			unit.Code, code, unit.Code, code), "unit")
		return
	}
	report.Units = []integrity.UnitJudgement{j}
	c.JSON(http.StatusOK, gin.H{"data": integrity.NewDocument(code, year, report, kit.T)})
}
