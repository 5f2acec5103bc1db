package export

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"parindex"
	"parindex/i18n"
	"parindex/scoring"
	"parindex/store"
	"parindex/workbook"
)

// Ranking column titles that tests and readers look for.
const (
	ColumnRank  = "Hạng"
	ColumnCode  = "Mã đơn vị"
	ColumnIndex = "Chỉ số CCHC (%)"
)

// UnitTypes maps each unit code of the snapshot to the display name of its
// type (Vietnamese): the catalogue's (i18n, unit_type.*), or for a type
// added as data alone the name stored with it; units no longer in the tree
// map to the catalogue's "other".
func UnitTypes(ctx context.Context, db *store.DB, sc *Scored) (map[string]string, error) {
	types, err := db.OrgTypes(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, t := range types {
		names[t.Code] = t.NameVI
	}
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	byCode := map[string]*parindex.OrgUnit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	out := map[string]string{}
	for _, a := range sc.Result.Agencies {
		name := i18n.T(i18n.VI, "unit_type."+parindex.OrgTypeOther)
		if u := byCode[a.Code]; u != nil {
			name = i18n.Label(i18n.VI, "unit_type."+u.Type, names[u.Type])
			if name == "" {
				name = u.Type
			}
		}
		out[a.Code] = name
	}
	return out, nil
}

// AreaColumn is the title of an area's column in the ranking: its code and
// "% tối đa" (the areas' names are listed above the table).
func AreaColumn(code string) string { return "LV " + code + " (% tối đa)" }

// RankingFileName is the download name of a snapshot's ranking.
func RankingFileName(sc *Scored) string {
	return fmt.Sprintf("Xếp hạng CCHC %d - %s.xlsx", sc.Snapshot.Year, sc.Framework.Code)
}

// WriteRanking writes the province ranking of snapshot sc: one sheet per
// agency type (types from UnitTypes), every agency × area with points and
// share, index, rank, rank interval, band and change from last year, in
// rank order, with colour scales and an auto-filter; clock shows the
// publication date.
func WriteRanking(out io.Writer, sc *Scored, types map[string]string, clock parindex.Clock) error {
	title := fmt.Sprintf("Xếp hạng Chỉ số CCHC năm %d", sc.Snapshot.Year)
	if sc.Provisional() {
		title += " (tạm thời)"
	}
	w := workbook.New(title)
	defer w.Close()
	w.SetFooter(fmt.Sprintf("Xếp hạng Chỉ số CCHC năm %d · %s", sc.Snapshot.Year, sc.Framework.Name))
	var order []string
	byType := map[string][]*scoring.AgencyResult{}
	for i := range sc.Result.Agencies {
		a := &sc.Result.Agencies[i]
		t := types[a.Code]
		if t == "" {
			t = "Khác"
		}
		if _, ok := byType[t]; !ok {
			order = append(order, t)
		}
		byType[t] = append(byType[t], a)
	}
	// One row per unit on A4 landscape: each area's share of its maximum
	// (its points are on the unit's scorecard), then the totals, the
	// index, the rank interval, the band in its colour and the change.
	areas := sc.Areas()
	cols := []workbook.Column{
		{Title: ColumnRank, Width: 6, Format: workbook.Integer, Key: true},
		{Title: ColumnCode, Format: workbook.Code, Key: true},
		{Title: "Đơn vị", Width: 28, Key: true},
	}
	for _, area := range areas {
		cols = append(cols, workbook.Column{Title: AreaColumn(area.Code), Width: 7.5, Format: workbook.Percent})
	}
	cols = append(cols,
		workbook.Column{Title: "Tổng điểm", Width: 8, Format: workbook.Points2},
		workbook.Column{Title: "Tối đa áp dụng", Width: 8, Format: workbook.Points2},
		workbook.Column{Title: ColumnIndex, Width: 9, Format: workbook.Points2},
		workbook.Column{Title: "Khoảng xếp hạng", Width: 9},
		workbook.Column{Title: "Xếp loại", MaxWidth: 14},
		workbook.Column{Title: "Thay đổi so với năm trước (điểm %)", Width: 10, Format: workbook.Points2},
	)
	indexCol, bandCol := len(cols)-4, len(cols)-2
	var legend []string
	for _, area := range areas {
		legend = append(legend, area.Code+". "+area.Name)
	}
	for _, t := range order {
		s, err := w.AddReportSheet(t)
		if err != nil {
			return err
		}
		if err := s.Title(title+" - "+t, len(cols)); err != nil {
			return err
		}
		if err := s.Subtitle(snapshotLine(sc, clock), len(cols)); err != nil {
			return err
		}
		if err := s.Subtitle("Tỷ lệ đạt theo lĩnh vực (% điểm tối đa): "+strings.Join(legend, "; ")+".", len(cols)); err != nil {
			return err
		}
		if _, err := s.Table(cols, workbook.TableOptions{Freeze: true, Filter: true}); err != nil {
			return err
		}
		first := s.Row() + 1
		for _, a := range byType[t] {
			row := []any{rankValue(a.Rank), a.Code, a.Name}
			for _, area := range areas {
				n, _ := a.Node(area.Code)
				row = append(row, share(n.Points, n.Max))
			}
			var change any
			if c, ok := changeValue(sc, a).(float64); ok && !math.IsNaN(c) {
				change = c
			}
			row = append(row, a.Points, a.Max, a.IndexRounded, rankInterval(a), bandLabel(a), change)
			r, err := s.Append(false, row...)
			if err != nil {
				return err
			}
			if a.Band != "" {
				if err := s.Highlight(r, bandCol, workbook.Text, BandColour(sc.Framework, a.Band)); err != nil {
					return err
				}
			}
		}
		last := s.Row()
		if err := s.ColourScale(workbook.Range{Col: indexCol, First: first, Last: last}); err != nil {
			return err
		}
		for i := range areas {
			if err := s.ColourScale(workbook.Range{Col: 3 + i, First: first, Last: last}); err != nil {
				return err
			}
		}
		if err := s.Finish(); err != nil {
			return err
		}
	}
	if len(order) == 0 {
		s, err := w.AddReportSheet("Xếp hạng")
		if err != nil {
			return err
		}
		if err := s.Title(title+": bản chốt không có đơn vị nào", 8); err != nil {
			return err
		}
	}
	return w.Write(out)
}
