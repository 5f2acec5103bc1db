package assessments

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/assessmentxlsx"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/web/kit"
	"parindex/workbook"
)

// maxTemplateUpload bounds an uploaded assessment workbook (a template is
// about 30 KB).
const maxTemplateUpload = 4 << 20

func (s *Handler) templateDownload(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	rec, _, err := s.db.AssessedFramework(c.Request.Context(), l.Ref.Framework)
	if err != nil {
		s.Fail(c, err)
		return
	}
	names := map[string]string{}
	for _, m := range criteria.ReferenceMetrics {
		names[m.Code] = m.Name
	}
	data, err := assessmentxlsx.Bytes(assessmentxlsx.Template{Framework: l.F, Hash: rec.Hash, Assessment: l.A, MetricNames: names})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	name := kit.T(s.Lang(c), "assess.file_prefix") + " - " + l.Ref.Unit + " - " + l.Ref.Framework + ".xlsx"
	c.Header("Content-Disposition", workbook.ContentDisposition(name))
	c.Data(http.StatusOK, workbook.ContentType, data)
}

// uploadChange is one line of the dry-run report.
type uploadChange struct {
	Where, What, Old, New string
}

type uploadReport struct {
	Sheet    *sheetData
	File     string
	Token    string
	Problems []kit.Problem
	Changes  []uploadChange
	Error    string
	Applied  bool
}

// readUpload reads a workbook against the assessment and renders the
// report of its problems; it returns nil when there were problems.
func (s *Handler) readUpload(c *gin.Context, l *loaded, file string, data []byte, rep *uploadReport) *assessmentxlsx.Upload {
	lang := s.Lang(c)
	rec, _, err := s.db.AssessedFramework(c.Request.Context(), l.Ref.Framework)
	if err != nil {
		s.Fail(c, err)
		return nil
	}
	up, err := assessmentxlsx.Read(file, strings.NewReader(string(data)), assessmentxlsx.Template{Framework: l.F, Hash: rec.Hash, Assessment: l.A})
	if err != nil {
		var ie parindex.InputErrors
		if !errors.As(err, &ie) {
			s.InternalError(c, err)
			return nil
		}
		for _, e := range ie {
			rep.Problems = append(rep.Problems, kit.Problem{Where: kit.CellWhere(lang, e), Message: kit.Pick(lang, e.VI, e.EN)})
		}
		rep.Error = i18n.N(lang, "assess.upload_invalid", len(ie))
		s.renderUpload(c, l, http.StatusBadRequest, rep)
		return nil
	}
	nm, err := kit.NamesFor(c.Request.Context(), s.db, lang, nil)
	if err != nil {
		s.InternalError(c, err)
		return nil
	}
	for _, ch := range up.Changes {
		what := ch.Node
		if ch.Metric != "" {
			what = nm.Metric(ch.Metric)
		}
		rep.Changes = append(rep.Changes, uploadChange{Where: kit.CellWhere(lang, parindex.InputError{Sheet: ch.Sheet, Row: ch.Row, Column: ch.Column}),
			What: what, Old: ch.Old, New: ch.New})
	}
	return up
}

func (s *Handler) renderUpload(c *gin.Context, l *loaded, status int, rep *uploadReport) {
	sheet, err := s.buildSheet(c, l, nil, nil)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	rep.Sheet = sheet
	s.Render(c, status, "assessment_upload", "assess.upload_title", rep)
}

// templateUpload checks a workbook (the dry run: every bad cell, or
// every change it would make; nothing is written) and, on the apply step,
// reads the checked file again against the assessment as it is then and
// writes every leaf in one transaction.
func (s *Handler) templateUpload(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	lang := s.Lang(c)
	rep := &uploadReport{}
	if s.refuseUpload(c, l, rep) {
		return
	}
	f, err := s.ImportUpload(c, "assessment", maxTemplateUpload)
	rep.File = f.Name
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			rep.Error = msg
			s.renderUpload(c, l, status, rep)
		})
		return
	}
	up := s.readUpload(c, l, rep.File, f.Data, rep)
	if up == nil {
		return
	}
	if !f.Apply {
		if err := s.Keep(c, "assessment", &f); err != nil {
			s.InternalError(c, err)
			return
		}
		rep.Token = f.Token
		s.renderUpload(c, l, http.StatusOK, rep)
		return
	}
	if _, err := s.db.SaveEntries(c.Request.Context(), kit.Actor(c), l.Ref, up.Updates, "Excel: "+rep.File); err != nil {
		var ee assessment.EntryErrors
		if errors.As(err, &ee) {
			for _, e := range ee {
				rep.Problems = append(rep.Problems, kit.Problem{Where: e.Node + e.Metric, Message: kit.Pick(lang, e.VI, e.EN)})
			}
			rep.Error = i18n.N(lang, "assess.upload_invalid", len(ee))
			s.renderUpload(c, l, http.StatusBadRequest, rep)
			return
		}
		s.ShowError(c, err, func(status int, msg string) {
			rep.Error = msg
			s.renderUpload(c, l, status, rep)
		})
		return
	}
	s.Discard(c, "assessment", f)
	s.SetFlash(c, "assess.upload_applied")
	c.Redirect(http.StatusSeeOther, l.url())
}

// refuseUpload answers 409 when the user may not change the sheet now:
// who may upload, and whether the sheet takes changes, is settled before a
// byte of the file is parsed.
func (s *Handler) refuseUpload(c *gin.Context, l *loaded, rep *uploadReport) bool {
	if l.mayEdit(kit.CurrentUser(c)) {
		return false
	}
	rep.Error = parindex.ErrorMessage(editRefusal(l.A))
	s.renderUpload(c, l, http.StatusConflict, rep)
	return true
}

func editRefusal(a *assessment.Assessment) error {
	if a.Locked {
		return parindex.Errorf(parindex.ECodeConflict, "Đã quá hạn, hồ sơ đã khóa (the deadline has passed; the sheet is locked)")
	}
	return parindex.Errorf(parindex.ECodeConflict, "Hồ sơ đã gửi, không sửa được điểm tự chấm (self-scores can change only in draft)")
}
