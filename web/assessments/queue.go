package assessments

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/web/kit"
)

type queueItem struct {
	Framework, Unit, UnitName string
	Round                     int
	Code, Name                string
	Self                      string
	Round1                    string
	Explanation               string
	URL                       string
	Evidence                  int
}

type queueData struct {
	Items  []queueItem
	Areas  []string
	Agency int
}

// queuePage lists, across agencies, the leaves of the user's areas that
// wait for the open round.
func (s *Handler) queuePage(c *gin.Context) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	recs, targets, err := s.frameworksInView(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := queueData{}
	for _, g := range u.Grants {
		if g.Role == parindex.RoleAppraiser {
			fw := g.FrameworkName
			if g.Framework == "" {
				fw = kit.T(lang, "assess.any_framework")
			} else if fw == "" {
				fw = g.Framework
			}
			d.Areas = append(d.Areas, fw+" · "+kit.T(lang, "role.area")+" "+g.Area)
		}
	}
	agencies := map[string]bool{}
	for _, rec := range recs {
		cycle, err := s.cycle(ctx, rec.Code, targets)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		f := cycle.Framework
		nm, err := kit.NamesFor(ctx, s.db, lang, f)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		for _, q := range cycle.Queue(u) {
			a, n := q.Assessment, q.Leaf
			it := queueItem{Framework: f.Code, Unit: a.UnitCode, UnitName: a.UnitName, Round: q.Round, Code: n.Code, Name: n.Name,
				Self: selfText(nm, a, n), URL: sheetURL(f.Code, a.UnitCode) + "/leaf/" + url.PathEscape(n.Code),
				Evidence: len(a.Evidence[n.Code])}
			if r1 := a.Appraisal(n.Code, 1); r1 != nil {
				it.Round1 = valueText(lang, n, r1.LeafValue)
			}
			if e := a.Entries[n.Code]; e != nil {
				it.Explanation = e.Explanation
			}
			d.Items = append(d.Items, it)
			agencies[f.Code+"/"+a.UnitCode] = true
		}
	}
	d.Agency = len(agencies)
	s.Render(c, http.StatusOK, "assessment_queue", "queue.title", d)
}

// selfText is the agency's value of a leaf in words, metrics included
// by their names.
func selfText(nm *kit.Names, a *assessment.Assessment, n *criteria.Node) string {
	lang := nm.Lang
	if assessment.LeafKind(n) != assessment.KindMetrics || a.SelfValue(n.Code).NotApplicable {
		return valueText(lang, n, a.SelfValue(n.Code))
	}
	var parts []string
	for _, m := range n.Metrics() {
		v := "–"
		if mv := a.Metrics[m]; mv != nil {
			v = kit.Points(lang, mv.Value)
		}
		parts = append(parts, nm.Metric(m)+" = "+v)
	}
	return strings.Join(parts, "; ")
}
