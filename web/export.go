package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/export"
	"parindex/store"
	"parindex/survey"
	"parindex/web/kit"
	"parindex/workbook"
)

// exportRoutes are the Excel downloads: an agency's scorecard, the province
// ranking and the raw survey responses. Layouts live in package export.
func (s *Server) exportRoutes(g *gin.RouterGroup) {
	g.GET("/app/units/:code/scorecard.xlsx", s.scorecardXLSX)
	g.GET("/app/ranking.xlsx", s.RequireAction(parindex.ActionViewProvince), s.rankingXLSX)
	g.GET("/admin/survey/responses.xlsx", s.requireSurveyUser, s.responsesXLSX)
	g.GET("/admin/survey/results.xlsx", s.requireSurveyUser, s.surveyResultsXLSX)
}

// exportSnapshot reads ?snapshot=ID, or fallback() when absent. A draft
// snapshot is DoHA's working copy: only those who manage frameworks may
// export it; others are told it does not exist.
func (s *Server) exportSnapshot(c *gin.Context, fallback func() (int64, error)) (*export.Scored, bool) {
	var id int64
	var err error
	if raw := strings.TrimSpace(c.Query("snapshot")); raw != "" {
		n, ok := kit.QueryInt(c, "snapshot")
		if !ok || n <= 0 {
			s.BadRequest(c, "export.bad_snapshot", raw)
			return nil, false
		}
		id = int64(n)
	} else if id, err = fallback(); err != nil {
		s.Fail(c, err)
		return nil, false
	}
	sc, err := export.LoadSnapshot(c.Request.Context(), s.reader, id)
	if err != nil {
		s.Fail(c, err)
		return nil, false
	}
	if sc.Snapshot.Status != parindex.StatusPublished && !parindex.Can(kit.CurrentUser(c), parindex.ActionManageFrameworks, parindex.Target{}) {
		s.Render(c, http.StatusNotFound, "message", "error.title", kit.Message{Key: "error.notfound"})
		return nil, false
	}
	return sc, true
}

// sendWorkbook sends a small workbook built in memory, so that an error
// while building it is still a clean error page.
func (s *Server) sendWorkbook(c *gin.Context, filename string, build func(*bytes.Buffer) error) {
	var buf bytes.Buffer
	if err := build(&buf); err != nil {
		s.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", workbook.ContentDisposition(filename))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, workbook.ContentType, buf.Bytes())
}

// scorecardXLSX sends an agency's scorecard from the latest published
// snapshot of a framework covering the unit's type, or ?snapshot=ID. An
// agency user may download only its own units' scorecards.
func (s *Server) scorecardXLSX(c *gin.Context) {
	unit, _, ok := s.viewableUnit(c, c.Param("code"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	sc, ok := s.exportSnapshot(c, func() (int64, error) { return export.LatestPublished(ctx, s.reader, unit.Type) })
	if !ok {
		return
	}
	a := sc.Result.Agency(unit.Code)
	if a == nil {
		s.Render(c, http.StatusNotFound, "message", "error.title", kit.Message{Key: "error.notfound"})
		return
	}
	surveys, err := export.SurveyFor(ctx, s.readResults, sc, unit.Code)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.sendWorkbook(c, export.ScorecardFileName(sc, a), func(buf *bytes.Buffer) error {
		return export.WriteScorecard(buf, sc, unit.Code, surveys, s.clock)
	})
}

// rankingXLSX sends the ranking of ?snapshot=ID, by default of the newest
// published snapshot.
func (s *Server) rankingXLSX(c *gin.Context) {
	ctx := c.Request.Context()
	sc, ok := s.exportSnapshot(c, func() (int64, error) {
		found, err := s.reader.FindSnapshots(ctx, store.SnapshotFilter{Status: parindex.StatusPublished})
		if err != nil {
			return 0, err
		}
		if len(found) == 0 {
			return 0, parindex.Errorf(parindex.ECodeNotFound, "Chưa có bản chốt điểm số nào được công bố (no published snapshot)")
		}
		return found[0].ID, nil
	})
	if !ok {
		return
	}
	types, err := export.UnitTypes(ctx, s.reader, sc)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.sendWorkbook(c, export.RankingFileName(sc), func(buf *bytes.Buffer) error { return export.WriteRanking(buf, sc, types, s.clock) })
}

// responsesXLSX streams the responses the responses browser would list for
// the same unit, from, to and flag (every page), under the same scoping: an
// agency user exports only its own units.
func (s *Server) responsesXLSX(c *gin.Context) {
	unitCode := strings.TrimSpace(c.Query("unit"))
	units, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	var f store.ResponseFilter
	switch {
	case unitCode != "":
		unit, _, ok := s.viewableUnit(c, unitCode)
		if !ok {
			return
		}
		f.UnitID = unit.ID
	case !seesProvince(c):
		if len(units) == 0 {
			s.Forbidden(c)
			return
		}
		f.UnitID = units[0].ID
	}
	if f.UnitID != 0 && !visible[f.UnitID] {
		s.Forbidden(c)
		return
	}
	var problems []string
	if v := strings.TrimSpace(c.Query("from")); v != "" {
		if f.From, err = parindex.ParseDate(v); err != nil {
			problems = append(problems, kit.T(s.Lang(c), "survey.bad_from"))
		}
	}
	if v := strings.TrimSpace(c.Query("to")); v != "" {
		if f.To, err = parindex.ParseDate(v); err != nil {
			problems = append(problems, kit.T(s.Lang(c), "survey.bad_to"))
		}
	}
	if v := c.Query("flag"); v != "" {
		known := false
		for _, fl := range responseFlags {
			known = known || fl == v
		}
		if !known {
			problems = append(problems, kit.T(s.Lang(c), "survey.bad_flag"))
		}
		f.Flag = v
	}
	if len(problems) > 0 {
		c.Data(http.StatusBadRequest, "text/plain; charset=utf-8", []byte(strings.Join(problems, " ")))
		return
	}
	// The file goes to the client as it is zipped: once the first byte is
	// sent the status cannot change, so a failure half-way is logged and
	// the connection cut, which the browser reports as a failed download.
	c.Header("Content-Type", workbook.ContentType)
	c.Header("Content-Disposition", workbook.ContentDisposition(export.ResponsesFileName(s.db.Now().In(kit.VietnamTime))))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	sum, err := export.WriteResponses(c.Request.Context(), s.reader, f, s.clock, c.Writer, nil)
	if err != nil {
		s.log.Error("responses export failed", slog.String("request_id", kit.RequestID(c)), slog.Int("rows", sum.Rows), slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
}

// surveyResultsXLSX sends the survey results workbook of ?instrument= over
// ?year=, for ?unit= and the units below it, or without it every unit for
// those who see the province and the user's own unit otherwise: the
// workbook the command line's `export survey` writes, under the scoping of
// the responses download.
func (s *Server) surveyResultsXLSX(c *gin.Context) {
	instrument := strings.TrimSpace(c.Query("instrument"))
	year, ok := kit.QueryInt(c, "year")
	if instrument == "" || !ok || year < 2000 || year > 2100 {
		s.BadRequest(c, "export.bad_survey")
		return
	}
	units, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	parent := ""
	switch code := strings.TrimSpace(c.Query("unit")); {
	case code != "":
		unit, _, ok := s.viewableUnit(c, code)
		if !ok {
			return
		}
		parent = unit.Code
	case !seesProvince(c):
		if len(units) == 0 {
			s.Forbidden(c)
			return
		}
		parent = units[0].Code
	}
	ctx := c.Request.Context()
	res, err := export.LoadSurveyResults(ctx, s.reader, s.readResults, export.SurveyQuery{Instrument: instrument, Period: survey.Year(year), Parent: parent,
		IncludeFlagged: c.Query("include_flagged") == "1", Policy: s.cfg.IntegrityPolicy, Location: s.cfg.Location})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if !seesProvince(c) {
		// Units below the user's own that it may not view stay out.
		kept := res.Units[:0]
		for _, u := range res.Units {
			if visible[u.ID] {
				kept = append(kept, u)
			}
		}
		res.Units = kept
	}
	s.sendWorkbook(c, export.SurveyFileName(res), func(buf *bytes.Buffer) error { return export.WriteSurveyResults(buf, res) })
}
