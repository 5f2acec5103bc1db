package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/criteriaxlsx"
	"parindex/i18n"
	"parindex/store"
	"parindex/web/kit"
	"parindex/workbook"
)

// maxFrameworkUpload bounds an uploaded framework file: the reference
// frameworks are about 15 KB of YAML and 25 KB of Excel.
const maxFrameworkUpload = 4 << 20

// criteriaRoutes serves the criteria frameworks: everyone who may view the
// province or a unit reads the published ones; managers also see drafts,
// upload and publish.
func (s *Server) criteriaRoutes(g *gin.RouterGroup) {
	view := g.Group("/app/criteria", s.requireFrameworkViewer)
	view.GET("", s.frameworksPage)
	view.GET("/diff", s.frameworkDiffPage)
	view.GET("/:code", s.frameworkPage)
	view.GET("/:code/download", s.frameworkDownload)

	manage := g.Group("/admin/criteria", s.RequireAction(parindex.ActionManageFrameworks))
	manage.GET("/upload", s.frameworkUploadPage)
	manage.POST("/upload", s.frameworkUpload)
	manage.POST("/:code/publish", s.frameworkPublish)
}

// canViewFrameworks: the criteria are what every province- or unit-level
// user is scored against or reads results by.
func canViewFrameworks(u *parindex.User) bool {
	return parindex.CanAny(u, parindex.ActionViewProvince) || parindex.CanAny(u, parindex.ActionViewUnit)
}

// canManageFrameworks also decides who sees drafts: a draft is work in
// progress of DoHA, and agencies must not score against it by mistake.
func canManageFrameworks(u *parindex.User) bool {
	return parindex.Can(u, parindex.ActionManageFrameworks, parindex.Target{})
}

func (s *Server) requireFrameworkViewer(c *gin.Context) {
	if !canViewFrameworks(kit.CurrentUser(c)) {
		s.Forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

// visibleFramework loads a framework the user may see; a draft is "not
// found" to those who may not manage frameworks.
func (s *Server) visibleFramework(c *gin.Context, code string) (*store.FrameworkRecord, error) {
	rec, err := s.db.FrameworkByCode(c.Request.Context(), code)
	if err != nil {
		return nil, err
	}
	if !rec.Published() && !canManageFrameworks(kit.CurrentUser(c)) {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "no such framework")
	}
	return rec, nil
}

func (s *Server) visibleFrameworks(c *gin.Context) ([]*store.FrameworkRecord, error) {
	f := store.FrameworkFilter{}
	if !canManageFrameworks(kit.CurrentUser(c)) {
		f.Status = store.FrameworkPublished
	}
	return s.db.FindFrameworks(c.Request.Context(), f)
}

type frameworkListData struct {
	Frameworks []*store.FrameworkRecord
	CanManage  bool
}

func (s *Server) frameworksPage(c *gin.Context) {
	recs, err := s.visibleFrameworks(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "criteria_list", "criteria.title", frameworkListData{Frameworks: recs, CanManage: canManageFrameworks(kit.CurrentUser(c))})
}

// nodeView is one node of the tree as shown.
type nodeView struct {
	Code, Name, Description string
	Group, Area             bool
	Max                     string // "" inside a bonus/penalty block
	Method                  string
	Params                  []string
	Children                []*nodeView
}

type areaView struct {
	Code, Name, Max string
	Criteria        int // direct children
	Leaves          int
}

type frameworkData struct {
	Rec      *store.FrameworkRecord
	F        *criteria.Framework
	Hash     string
	TotalMax string
	CapIndex string
	Bands    []string
	Missing  string
	// SurveyResponses names the survey responses the survey leaves count.
	SurveyResponses string
	Areas           []areaView
	Nodes           []*nodeView
	CanPublish      bool
	Error           string
	// CopiedFromName names the framework this one was copied from (its
	// code when it cannot be read).
	CopiedFromName string
}

func (s *Server) buildFrameworkData(c *gin.Context, rec *store.FrameworkRecord) (*frameworkData, error) {
	f, err := rec.Framework()
	if err != nil {
		return nil, err
	}
	lang := s.Lang(c)
	nm, err := kit.NamesFor(c.Request.Context(), s.db, lang, f)
	if err != nil {
		return nil, err
	}
	d := &frameworkData{Rec: rec, F: f, Hash: rec.Hash, TotalMax: kit.Points(lang, f.TotalMax()),
		CanPublish:      !rec.Published() && canManageFrameworks(kit.CurrentUser(c)),
		Missing:         kit.T(lang, "criteria.missing."+string(f.MissingFor(""))),
		SurveyResponses: kit.T(lang, "results.survey_responses."+string(f.SurveyResponsesUsed()))}
	if f.CapIndex != nil {
		d.CapIndex = kit.Points(lang, *f.CapIndex)
	}
	if rec.CopiedFrom != "" {
		d.CopiedFromName = rec.CopiedFrom
		if from, err := s.db.FrameworkByCode(c.Request.Context(), rec.CopiedFrom); err == nil {
			d.CopiedFromName = from.Name
		}
	}
	for _, b := range f.Bands {
		d.Bands = append(d.Bands, fmt.Sprintf("%s – %s: %s %s", b.Code, b.Name, kit.T(lang, "criteria.from"), kit.Points(lang, b.Min)))
	}
	for _, a := range f.Nodes {
		av := areaView{Code: a.Code, Name: a.Name, Criteria: len(a.Children)}
		if !a.Adjustment {
			av.Max = kit.Points(lang, a.MaxPoints())
		}
		for _, l := range (&criteria.Framework{Nodes: []*criteria.Node{a}}).Leaves() {
			if l != a {
				av.Leaves++
			}
		}
		d.Areas = append(d.Areas, av)
	}
	var build func(nodes []*criteria.Node, area bool) []*nodeView
	build = func(nodes []*criteria.Node, area bool) []*nodeView {
		var out []*nodeView
		for _, n := range nodes {
			v := &nodeView{Code: n.Code, Name: n.Name, Description: n.Description, Group: !n.IsLeaf(), Area: area}
			if !f.InAdjustment(n.Code) {
				v.Max = kit.Points(lang, n.MaxPoints())
			}
			if n.IsLeaf() {
				v.Method = kit.T(lang, "criteria.method."+string(n.Method))
				v.Params = nm.MethodParams(n)
			} else if n.Adjustment {
				v.Method = kit.T(lang, "criteria.adjustment")
			}
			if n.Missing != "" {
				v.Params = append(v.Params, kit.T(lang, "criteria.node_missing."+string(n.Missing)))
			}
			v.Children = build(n.Children, false)
			out = append(out, v)
		}
		return out
	}
	d.Nodes = build(f.Nodes, true)
	return d, nil
}

func (s *Server) frameworkPage(c *gin.Context) {
	rec, err := s.visibleFramework(c, c.Param("code"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	d, err := s.buildFrameworkData(c, rec)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "criteria_show", "criteria.title", d)
}

func (s *Server) frameworkDownload(c *gin.Context) {
	rec, err := s.visibleFramework(c, c.Param("code"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	prefix := kit.T(s.Lang(c), "criteria.file_prefix") + " - " + rec.Code
	switch c.Query("format") {
	case "", "yaml":
		c.Header("Content-Disposition", workbook.ContentDisposition(prefix+".yaml"))
		c.Data(http.StatusOK, "application/yaml; charset=utf-8", rec.Source)
	case "xlsx":
		f, err := rec.Framework()
		if err != nil {
			s.InternalError(c, err)
			return
		}
		data, err := criteriaxlsx.Bytes(f)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		c.Header("Content-Disposition", workbook.ContentDisposition(prefix+".xlsx"))
		c.Data(http.StatusOK, workbook.ContentType, data)
	default:
		s.BadRequest(c, "criteria.bad_format")
	}
}

type uploadData struct {
	File     string
	Reason   string
	Error    string
	Problems []kit.Problem
	Warnings []kit.Problem
	Stored   *store.FrameworkRecord // set when stored with warnings to show
}

func (s *Server) frameworkUploadPage(c *gin.Context) {
	s.Render(c, http.StatusOK, "criteria_upload", "criteria.upload", uploadData{})
}

// frameworkUpload stores an uploaded YAML or Excel file as a draft. A file
// with problems is refused as a whole, with every problem listed, and
// nothing is stored.
func (s *Server) frameworkUpload(c *gin.Context) {
	lang := s.Lang(c)
	d := uploadData{}
	fail := func(status int, msg string) {
		d.Error = msg
		s.Render(c, status, "criteria_upload", "criteria.upload", d)
	}
	name, data, err := s.UploadedFile(c, maxFrameworkUpload)
	d.Reason, d.File = c.PostForm("reason"), name
	if err != nil {
		s.ShowError(c, err, fail)
		return
	}
	var f *criteria.Framework
	var warnings []criteria.Warning
	switch strings.ToLower(filepath.Ext(d.File)) {
	case ".yaml", ".yml":
		f, warnings, err = criteria.Parse(d.File, data)
	case ".xlsx":
		f, warnings, err = criteriaxlsx.Read(d.File, bytes.NewReader(data))
	default:
		fail(http.StatusBadRequest, kit.T(lang, "criteria.bad_type"))
		return
	}
	if err != nil {
		var ve *criteria.ValidationError
		var ie parindex.InputErrors
		switch {
		case errors.As(err, &ve):
			for _, p := range ve.Problems {
				d.Problems = append(d.Problems, kit.Problem{Where: kit.LineWhere(lang, p.Line, p.Node), Message: kit.Pick(lang, p.MessageVI, p.Message)})
			}
		case errors.As(err, &ie):
			for _, e := range ie {
				d.Problems = append(d.Problems, kit.Problem{Where: kit.CellWhere(lang, e), Message: kit.Pick(lang, e.VI, e.EN)})
			}
		default:
			s.InternalError(c, err)
			return
		}
		fail(http.StatusBadRequest, i18n.N(lang, "criteria.invalid", len(d.Problems)))
		return
	}
	res, err := s.db.ImportFramework(c.Request.Context(), kit.Actor(c), f, d.Reason)
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { fail(status, msg) })
		return
	}
	flash := "criteria.stored." + res.Action
	if len(warnings) > 0 {
		// Shown once, on this page: the draft is stored, the warnings
		// are worth reading before publishing.
		for _, w := range warnings {
			d.Warnings = append(d.Warnings, kit.Problem{Where: kit.LineWhere(lang, w.Line, w.Node), Message: kit.Pick(lang, w.MessageVI, w.Message)})
		}
		d.Stored = res.Record
		d.Error = ""
		s.SetFlash(c, flash)
		s.Render(c, http.StatusOK, "criteria_upload", "criteria.upload", d)
		return
	}
	s.SetFlash(c, flash)
	c.Redirect(http.StatusSeeOther, "/app/criteria/"+res.Record.Code)
}

// frameworkPublish freezes a draft. The form must carry the confirmation
// box: publishing cannot be undone.
func (s *Server) frameworkPublish(c *gin.Context) {
	code := c.Param("code")
	rec, err := s.db.FrameworkByCode(c.Request.Context(), code)
	if err != nil {
		s.Fail(c, err)
		return
	}
	showError := func(status int, msg string) {
		d, err := s.buildFrameworkData(c, rec)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		d.Error = msg
		s.Render(c, status, "criteria_show", "criteria.title", d)
	}
	if c.PostForm("confirm") != "1" {
		showError(http.StatusBadRequest, kit.T(s.Lang(c), "criteria.confirm_needed"))
		return
	}
	if _, err := s.db.PublishFramework(c.Request.Context(), kit.Actor(c), code, c.PostForm("reason")); err != nil {
		s.ShowError(c, err, func(status int, msg string) { showError(status, msg) })
		return
	}
	s.SetFlash(c, "criteria.published")
	c.Redirect(http.StatusSeeOther, "/app/criteria/"+code)
}

type changeView struct {
	Kind, Node, Field, Old, New string
}

type diffData struct {
	Frameworks []*store.FrameworkRecord
	A, B       string // codes, in the form and the links
	NameA      string
	NameB      string
	Changes    []changeView
	Compared   bool
	Error      string
}

func (s *Server) frameworkDiffPage(c *gin.Context) {
	recs, err := s.visibleFrameworks(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := diffData{Frameworks: recs, A: c.Query("a"), B: c.Query("b")}
	if d.A == "" || d.B == "" {
		s.Render(c, http.StatusOK, "criteria_diff", "criteria.diff", d)
		return
	}
	lang := s.Lang(c)
	var fs [2]*criteria.Framework
	for i, code := range []string{d.A, d.B} {
		rec, err := s.visibleFramework(c, code)
		if err == nil {
			fs[i], err = rec.Framework()
		}
		if err != nil {
			if parindex.ErrorCode(err) == parindex.ECodeInternal {
				s.InternalError(c, err)
				return
			}
			d.Error = kit.T(lang, "criteria.no_such", code)
			s.Render(c, http.StatusNotFound, "criteria_diff", "criteria.diff", d)
			return
		}
	}
	d.Compared, d.NameA, d.NameB = true, fs[0].Name, fs[1].Name
	for _, ch := range criteria.Diff(fs[0], fs[1]) {
		field := ch.Field
		if field == "" {
			field = "—"
		}
		d.Changes = append(d.Changes, changeView{Kind: kit.T(lang, "criteria.change."+string(ch.Kind)),
			Node: ch.Node, Field: field, Old: ch.Old, New: ch.New})
	}
	s.Render(c, http.StatusOK, "criteria_diff", "criteria.diff", d)
}
