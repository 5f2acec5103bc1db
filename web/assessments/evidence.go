package assessments

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/web/kit"
	"parindex/workbook"
)

// fileSize shows a file size in B, KB or MB.
func fileSize(lang string, n int64) string {
	switch {
	case n < 1024:
		return kit.Number(lang, float64(n), 0) + " B"
	case n < 1<<20:
		return kit.Number(lang, float64(n)/1024, 1) + " KB"
	}
	return kit.Number(lang, float64(n)/(1<<20), 1) + " MB"
}

type fileView struct {
	ID               int64
	Name, Size, Type string
	At               time.Time
	By               string
}

func (s *Handler) evidenceUpload(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	node := c.Param("node")
	limit := s.maxEvidence.Load()
	name, data, err := s.UploadedFile(c, limit)
	if err == nil {
		_, err = s.db.AddEvidence(c.Request.Context(), kit.Actor(c), l.Ref, node, name, data, s.dataDir, limit)
	}
	s.leafDone(c, l, node, err, "assess.evidence_added")
}

func (s *Handler) evidenceRemove(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	id, _ := kit.IDParam(c, "id") // 0 is no file of this sheet: RemoveEvidence says so
	node := c.PostForm("node")
	s.leafDone(c, l, node, s.db.RemoveEvidence(c.Request.Context(), kit.Actor(c), l.Ref, id, c.PostForm("reason")), "assess.evidence_removed")
}

// evidenceDownload serves a file to those who may view its agency; to
// anyone else it does not exist.
func (s *Handler) evidenceDownload(c *gin.Context) {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.NotFound(c)
		return
	}
	ev, ref, err := s.db.EvidenceFile(c.Request.Context(), id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	_, target, err := s.UnitTarget(c, ref.Unit)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if !parindex.Can(kit.CurrentUser(c), parindex.ActionViewUnit, target) {
		s.NotFound(c)
		return
	}
	f, err := s.db.OpenEvidence(c.Request.Context(), s.dataDir, ev)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Disposition", workbook.ContentDisposition(ev.Name))
	c.Header("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, ev.Size, ev.ContentType, f, nil)
}
