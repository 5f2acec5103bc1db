package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
	"parindex/web/kit"
)

// The scoring results of a year: DoHA scores a published framework into a
// draft snapshot, reads its preflight (what is incomplete, by unit and
// leaf) and publishes it as final, final with the incomplete items named
// as exceptions, or provisional. Leadership and appraisers read the
// published ones.
func (s *Server) snapshotRoutes(g *gin.RouterGroup) {
	view := g.Group("/app/results", s.RequireAction(parindex.ActionViewProvince))
	view.GET("", s.snapshotsPage)
	view.GET("/:id", s.snapshotPage)
	publish := g.Group("/admin/results", s.RequireAction(parindex.ActionPublishResults))
	publish.POST("", s.scoreSnapshot)
	publish.POST("/:id/publish", s.publishSnapshot)
}

type snapshotRow struct {
	*parindex.Snapshot
	FrameworkName string
	Incomplete    int
}

type snapshotsData struct {
	Rows       []snapshotRow
	Frameworks []*store.FrameworkRecord // published: what DoHA may score
	CanPublish bool
	Error      string
}

func (s *Server) snapshotsPage(c *gin.Context) {
	s.renderSnapshots(c, http.StatusOK, "")
}

func (s *Server) renderSnapshots(c *gin.Context, status int, msg string) {
	ctx := c.Request.Context()
	d := snapshotsData{CanPublish: parindex.Can(kit.CurrentUser(c), parindex.ActionPublishResults, parindex.Target{}), Error: msg}
	f := store.SnapshotFilter{WithDocuments: true, WithUnits: true}
	if !d.CanPublish {
		f.Status = parindex.StatusPublished // drafts are DoHA's until published
	}
	found, err := s.db.FindSnapshots(ctx, f)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	frameworks, err := s.db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkPublished})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	names := map[string]string{}
	for _, fr := range frameworks {
		names[fr.Code] = fr.Name
	}
	if d.CanPublish {
		d.Frameworks = frameworks
	}
	for _, sn := range found {
		incomplete, err := snapshot.PreflightItems(sn)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		sn.Inputs, sn.Results, sn.Record = nil, nil, nil
		d.Rows = append(d.Rows, snapshotRow{Snapshot: sn, FrameworkName: names[sn.FrameworkCode], Incomplete: incomplete})
	}
	s.Render(c, status, "snapshots", "results.title", d)
}

// unitIncomplete is one unit's preflight items.
type unitIncomplete struct {
	Code, Name string
	State      assessment.State
	Items      []snapshot.PreflightItem
}

// unitLeftOut is what one unit's survey figures left out.
type unitLeftOut struct {
	Code, Name string
	Responses  int
	Text       string
}

type snapshotData struct {
	Snap          *parindex.Snapshot
	FrameworkName string
	// SurveyResponses names the responses the survey leaves counted; ""
	// when the framework has no survey leaf. LeftOut lists the units
	// whose figures left responses out, by code.
	SurveyResponses string
	LeftOut         []unitLeftOut
	Units           []parindex.SnapshotUnit
	Incomplete      []unitIncomplete
	Items           int
	Kinds           map[string]int    // items by kind
	BandNames       map[string]string // band code → name
	CanPublish      bool              // a draft, and the user is DoHA
	Error           string
	As              string
	Note            string
}

func (s *Server) snapshotPage(c *gin.Context) {
	s.renderSnapshot(c, http.StatusOK, "", "", "")
}

// renderSnapshot shows snapshot :id with its preflight; msg, as and note
// keep a refused publication's choice on the page.
func (s *Server) renderSnapshot(c *gin.Context, status int, msg, as, note string) {
	ctx := c.Request.Context()
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return
	}
	sn, err := s.db.Snapshot(ctx, id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	admin := parindex.Can(kit.CurrentUser(c), parindex.ActionPublishResults, parindex.Target{})
	if sn.Status != parindex.StatusPublished && !admin {
		s.Render(c, http.StatusNotFound, "message", "error.title", kit.Message{Key: "error.notfound"})
		return
	}
	rec, err := snapshot.DecodeRecord(sn)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := snapshotData{Snap: sn, Units: sn.Units, Items: len(rec.Preflight), Kinds: map[string]int{},
		CanPublish: admin && sn.Status != parindex.StatusPublished, Error: msg, As: as, Note: note}
	d.BandNames = map[string]string{}
	if fr, err := s.db.FrameworkByCode(ctx, sn.FrameworkCode); err == nil {
		d.FrameworkName = fr.Name
		if f, err := fr.Framework(); err == nil {
			for _, b := range f.Bands {
				d.BandNames[b.Code] = b.Name
			}
			if slices.ContainsFunc(f.Leaves(), func(n *criteria.Node) bool { return n.Method == criteria.MethodSurvey }) {
				d.SurveyResponses = kit.T(s.Lang(c), "results.survey_responses."+string(rec.SurveyResponsesUsed()))
			}
		}
	}
	names := map[string]string{}
	for _, u := range sn.Units {
		names[u.UnitCode] = u.UnitName
	}
	for _, u := range sn.Units {
		left := unitLeftOut{Code: u.UnitCode, Name: u.UnitName}
		var texts []string
		for _, instrument := range slices.Sorted(maps.Keys(rec.Unit(u.UnitCode).SurveyLeftOut)) {
			l := rec.Unit(u.UnitCode).SurveyLeftOut[instrument]
			left.Responses += l.Responses()
			texts = append(texts, l.Text(s.Lang(c)))
		}
		if len(texts) > 0 {
			left.Text = strings.Join(texts, " ")
			d.LeftOut = append(d.LeftOut, left)
		}
	}
	slices.SortFunc(d.LeftOut, func(a, b unitLeftOut) int { return strings.Compare(a.Code, b.Code) })
	for _, it := range rec.Preflight {
		d.Kinds[it.Kind]++
		if n := len(d.Incomplete); n == 0 || d.Incomplete[n-1].Code != it.Unit {
			d.Incomplete = append(d.Incomplete, unitIncomplete{Code: it.Unit, Name: names[it.Unit], State: rec.Unit(it.Unit).Assessment})
		}
		last := &d.Incomplete[len(d.Incomplete)-1]
		last.Items = append(last.Items, it)
	}
	if d.As == "" {
		d.As = string(parindex.PublicationFinal)
		if d.Items > 0 {
			d.As = string(parindex.PublicationProvisional)
		}
	}
	s.Render(c, status, "snapshot", "results.snapshot_title", d)
}

// scoreSnapshot scores a published framework for a year into a draft.
func (s *Server) scoreSnapshot(c *gin.Context) {
	code := strings.TrimSpace(c.PostForm("framework"))
	year := 0
	if v := strings.TrimSpace(c.PostForm("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			s.renderSnapshots(c, http.StatusUnprocessableEntity, kit.T(s.Lang(c), "results.bad_year", v))
			return
		}
		year = y
	}
	rn := &snapshot.Runner{DB: s.db, Survey: survey.NewService(s.db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(s.db),
		Integrity: &s.cfg.IntegrityPolicy, Location: s.cfg.Location}
	sn, _, err := rn.Score(c.Request.Context(), kit.Actor(c), code, snapshot.Options{Year: year, Note: c.PostForm("note")})
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.renderSnapshots(c, status, msg) })
		return
	}
	s.SetFlash(c, "results.scored")
	c.Redirect(http.StatusSeeOther, "/app/results/"+strconv.FormatInt(sn.ID, 10))
}

// publishSnapshot publishes a draft under the decision chosen on its page.
func (s *Server) publishSnapshot(c *gin.Context) {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return
	}
	as, note := c.PostForm("as"), c.PostForm("note")
	if err := snapshot.Publish(c.Request.Context(), s.db, kit.Actor(c), id, snapshot.Decision{As: parindex.Publication(as), Note: note}); err != nil {
		switch parindex.ErrorCode(err) {
		case parindex.ECodeInternal:
			s.InternalError(c, err)
		case parindex.ECodeNotFound:
			s.Fail(c, err)
		default:
			s.renderSnapshot(c, kit.HTTPStatus(err), parindex.ErrorMessage(err), as, note)
		}
		return
	}
	s.SetFlash(c, "results.published")
	c.Redirect(http.StatusSeeOther, "/app/results/"+strconv.FormatInt(id, 10))
}
