package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/snapshot"
	"parindex/store"
	"parindex/web/kit"
)

type Snapshot struct {
	ID            int64     `json:"id"`
	Framework     string    `json:"framework"`
	FrameworkHash string    `json:"framework_hash"`
	Year          int       `json:"year"`
	PublishedAt   time.Time `json:"published_at"`
	Note          string    `json:"note,omitempty"`
	// Publication is final, final_with_exceptions or provisional;
	// Provisional repeats the last for clients that read one flag.
	Publication     parindex.Publication `json:"publication"`
	Provisional     bool                 `json:"provisional"`
	Exceptions      []string             `json:"exceptions"`
	PublicationNote string               `json:"publication_note,omitempty"`
}

// Incomplete is one thing that was incomplete for a unit when its
// snapshot was scored (snapshot.PreflightItem).
type Incomplete struct {
	Node      string   `json:"node,omitempty"`
	Kind      string   `json:"kind"`
	State     string   `json:"state,omitempty"`
	N         int      `json:"n,omitempty"`
	HalfWidth *float64 `json:"half_width,omitempty"`
	Scored    bool     `json:"scored"`
	VI        string   `json:"vi"`
	EN        string   `json:"en"`
}

type SnapshotUnit struct {
	Unit         string   `json:"unit"`
	Name         string   `json:"name"`
	Points       float64  `json:"points"`
	MaxPoints    float64  `json:"max_points"`
	Index        *float64 `json:"index"`
	IndexRounded *float64 `json:"index_rounded"`
	Rank         int      `json:"rank,omitempty"`
	Band         string   `json:"band,omitempty"`
}

func snapshotOf(s *parindex.Snapshot) Snapshot {
	exceptions := s.Exceptions
	if exceptions == nil {
		exceptions = []string{}
	}
	return Snapshot{s.ID, s.FrameworkCode, s.FrameworkHash, s.Year, s.PublishedAt.UTC(), s.Note,
		s.Publication, s.Provisional(), exceptions, s.PublicationNote}
}

// listSnapshots lists published score snapshots, newest first; drafts are
// DoHA's until published. ?framework= and ?year= filter.
func (a *Handler) listSnapshots(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	f := store.SnapshotFilter{Status: parindex.StatusPublished, FrameworkCode: c.Query("framework")}
	if f.Year, ok = a.year(c); !ok {
		return
	}
	var after int64
	if p.Cursor != "" {
		var err error
		if after, err = strconv.ParseInt(p.Cursor, 10, 64); err != nil {
			a.invalid(c, "cursor", "cursor không hợp lệ: dùng next_cursor của trang trước", "invalid cursor: use the previous page's next_cursor")
			return
		}
	}
	found, err := a.db.FindSnapshots(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	out := []Snapshot{}
	next := ""
	for _, s := range found { // newest (highest id) first
		if after != 0 && s.ID >= after {
			continue
		}
		if len(out) == p.Limit {
			next = strconv.FormatInt(out[len(out)-1].ID, 10)
			break
		}
		out = append(out, snapshotOf(s))
	}
	a.list(c, out, next)
}

// publishedSnapshot reads a published snapshot by the :id parameter.
func (a *Handler) publishedSnapshot(c *gin.Context) (*parindex.Snapshot, bool) {
	id, err := kit.IDParam(c, "id")
	var s *parindex.Snapshot
	if err == nil {
		s, err = a.db.Snapshot(c.Request.Context(), id)
	}
	if err == nil && s.Status != parindex.StatusPublished {
		err = parindex.Errorf(parindex.ECodeNotFound, "Không có bản chốt điểm số %d đã công bố (no published snapshot %d)", id, id)
	}
	if err != nil {
		a.fail(c, err, "id")
		return nil, false
	}
	return s, true
}

// getSnapshot is a snapshot with the headline figures of the units the
// token may read, in rank order.
func (a *Handler) getSnapshot(c *gin.Context) {
	s, ok := a.publishedSnapshot(c)
	if !ok {
		return
	}
	readable, ok := a.readable(c)
	if !ok {
		return
	}
	units := []SnapshotUnit{}
	for _, su := range s.Units {
		if !readable(su.UnitCode) {
			continue
		}
		units = append(units, SnapshotUnit{su.UnitCode, su.UnitName, su.Points, su.MaxPoints, su.Index, su.IndexRounded, su.Rank, su.Band})
	}
	c.JSON(http.StatusOK, gin.H{"data": struct {
		Snapshot
		Units []SnapshotUnit `json:"units"`
	}{snapshotOf(s), units}})
}

// snapshotUnit is one unit's full result in a snapshot: the headline
// figures and the engine's result for the unit, with every node's points,
// maximum, status and inputs (docs/scoring.md describes the document).
func (a *Handler) snapshotUnit(c *gin.Context) {
	s, ok := a.publishedSnapshot(c)
	if !ok {
		return
	}
	unit, ok := a.unitParam(c)
	if !ok {
		return
	}
	var head *parindex.SnapshotUnit
	for i := range s.Units {
		if s.Units[i].UnitCode == unit.Code {
			head = &s.Units[i]
		}
	}
	var doc struct {
		Agencies []json.RawMessage `json:"agencies"`
	}
	if err := json.Unmarshal(s.Results, &doc); err != nil {
		a.fail(c, fmt.Errorf("web: snapshot %d results: %w", s.ID, err), "")
		return
	}
	var result json.RawMessage
	for _, raw := range doc.Agencies {
		var id struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(raw, &id) == nil && id.Code == unit.Code {
			result = raw
		}
	}
	if head == nil || result == nil {
		a.fail(c, parindex.Errorf(parindex.ECodeNotFound, "Đơn vị %s không được chấm trong bản chốt %d (unit %s is not in snapshot %d)", unit.Code, s.ID, unit.Code, s.ID), "code")
		return
	}
	rec, err := snapshot.DecodeRecord(s)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	incomplete := []Incomplete{}
	for _, it := range rec.Incomplete(unit.Code) {
		incomplete = append(incomplete, Incomplete{it.Node, it.Kind, string(it.State), it.N, it.HalfWidth, it.Scored, it.VI, it.EN})
	}
	c.JSON(http.StatusOK, gin.H{"data": struct {
		Snapshot        Snapshot                 `json:"snapshot"`
		Unit            SnapshotUnit             `json:"unit"`
		Result          json.RawMessage          `json:"result"`
		Incomplete      []Incomplete             `json:"incomplete"`
		SurveyResponses criteria.SurveyResponses `json:"survey_responses"`
		Record          *snapshot.UnitRecord     `json:"record"`
	}{snapshotOf(s), SnapshotUnit{head.UnitCode, head.UnitName, head.Points, head.MaxPoints, head.Index, head.IndexRounded, head.Rank, head.Band},
		result, incomplete, rec.SurveyResponsesUsed(), rec.Unit(unit.Code)}})
}
