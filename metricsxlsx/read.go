package metricsxlsx

import (
	"parindex"
	"parindex/tabular"
)

// Read reads a metrics file whole once its header has the metrics columns,
// and returns its table (for the file and sheet names) and its rows.
func Read(rd *tabular.Reader) (*tabular.Table, []parindex.ObservationRow, error) {
	tab, _, err := rd.Table(parindex.ObservationColumns, nil)
	if err != nil {
		return nil, nil, err
	}
	rows, err := Rows(tab)
	return tab, rows, err
}

// Rows reads the rows of a metrics table (columns unit, period, metric,
// value, any order) for PutObservations.
func Rows(tab *tabular.Table) ([]parindex.ObservationRow, error) {
	cols, err := tab.Columns(parindex.ObservationColumns, nil)
	if err != nil {
		return nil, err
	}
	if len(tab.Rows) == 0 {
		return nil, parindex.InputErrors{{File: tab.File, Sheet: tab.Sheet,
			VI: "tệp không có dòng số liệu nào dưới dòng tiêu đề", EN: "the file has no data rows under the header"}}
	}
	rows := make([]parindex.ObservationRow, len(tab.Rows))
	for i, r := range tab.Rows {
		rows[i] = parindex.ObservationRow{Row: r.Number, Unit: r.Cell(cols, "unit"), Period: r.Cell(cols, "period"),
			Metric: r.Cell(cols, "metric"), Value: r.Cell(cols, "value")}
	}
	return rows, nil
}
