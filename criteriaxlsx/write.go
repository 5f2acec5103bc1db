package criteriaxlsx

import (
	"errors"
	"io"
	"strings"

	"parindex/criteria"
	"parindex/workbook"
)

// Write writes the framework as a workbook in the layout of this package.
func Write(out io.Writer, f *criteria.Framework) error {
	data, err := Bytes(f)
	if err != nil {
		return err
	}
	_, err = out.Write(data)
	return err
}

// Bytes returns the framework as an .xlsx workbook.
func Bytes(f *criteria.Framework) ([]byte, error) {
	if f == nil {
		return nil, errors.New("criteriaxlsx: no framework to write")
	}
	w := workbook.New(f.Name)
	defer w.Close()
	if err := writeFramework(w, f); err != nil {
		return nil, err
	}
	if err := writeBands(w, f); err != nil {
		return nil, err
	}
	if err := writeNodes(w, f); err != nil {
		return nil, err
	}
	if err := writeGuide(w); err != nil {
		return nil, err
	}
	return w.Bytes()
}

func writeFramework(w *workbook.Workbook, f *criteria.Framework) error {
	s, err := w.AddSheet(SheetFramework, workbook.KeyedColumns(frameworkColumns))
	if err != nil {
		return err
	}
	for _, r := range frameworkRows {
		var value any
		if p := f.TextField(r.key); p != nil {
			value = *p
		}
		switch r.key {
		case "year":
			value = f.Year
		case "agency_types":
			value = strings.Join(f.AgencyTypes, ", ")
		case "rounding":
			value = f.Rounding
		case "cap_index":
			value = f.CapIndex
		case "missing":
			m := f.Missing
			if m == "" {
				m = criteria.DefaultMissing
			}
			value = string(m)
		case "survey_responses":
			value = string(f.SurveyResponsesUsed())
		}
		if _, err := s.Append(false, r.key, value, r.meaning); err != nil {
			return err
		}
	}
	return nil
}

func writeBands(w *workbook.Workbook, f *criteria.Framework) error {
	s, err := w.AddSheet(SheetBands, workbook.KeyedColumns(bandColumns))
	if err != nil {
		return err
	}
	for _, b := range f.Bands {
		if _, err := s.Append(false, b.Code, b.Name, b.Description, b.Min); err != nil {
			return err
		}
	}
	return s.Finish()
}

func writeNodes(w *workbook.Workbook, f *criteria.Framework) error {
	s, err := w.AddSheet(SheetNodes, workbook.KeyedColumns(nodeColumns))
	if err != nil {
		return err
	}
	var werr error
	rows := 0
	f.Walk(func(n *criteria.Node, ancestors []*criteria.Node) bool {
		if werr != nil {
			return false
		}
		parent := ""
		if len(ancestors) > 0 {
			parent = ancestors[len(ancestors)-1].Code
		}
		values := make([]any, len(nodeColumns))
		for i, c := range nodeColumns {
			values[i] = nodeValue(f, n, c.Key, parent)
		}
		_, werr = s.Append(len(ancestors) == 0, values...)
		rows++
		return true
	})
	if werr != nil {
		return werr
	}
	lastRow := rows + 500
	for i, c := range nodeColumns {
		var values []string
		switch c.Key {
		case "method":
			for _, m := range criteria.Methods {
				values = append(values, string(m))
			}
		case "measure":
			values = []string{string(criteria.MeasureSatisfaction), string(criteria.MeasureMean100)}
		case "missing":
			values = []string{string(criteria.MissingZero), string(criteria.MissingExclude)}
		default:
			continue
		}
		if err := s.DropList(i, values, lastRow, "Chọn một giá trị trong danh sách: "+strings.Join(values, ", ")); err != nil {
			return err
		}
	}
	return s.Finish()
}

// nodeValue is the cell of node n in the column of key. Parameters of
// other methods, and defaults the YAML format leaves out, stay empty.
func nodeValue(f *criteria.Framework, n *criteria.Node, key, parent string) any {
	text := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	uses := func(k string) bool {
		for _, mk := range criteria.MethodKeys(n.Method) {
			if mk == k {
				return true
			}
		}
		return false
	}
	switch key {
	case "code":
		return n.Code
	case "parent":
		return text(parent)
	case "name":
		return n.Name
	case "short_name":
		return text(n.ShortName)
	case "description":
		return text(n.Description)
	case "adjustment":
		if n.Adjustment {
			return true
		}
		return nil
	case "max":
		return n.Max
	case "method":
		return text(string(n.Method))
	case "missing":
		return text(string(n.Missing))
	case maxComputed:
		if n.Adjustment || n.Method.IsAdjustment() || f.InAdjustment(n.Code) {
			return nil
		}
		return n.MaxPoints()
	}
	if !uses(key) {
		return nil
	}
	if p := n.TextField(key); p != nil {
		return text(*p)
	}
	switch key {
	case "step":
		if n.Step != 0 && n.Step != criteria.DefaultStep {
			return n.Step
		}
	case "target":
		if n.Target != 0 && n.Target != criteria.DefaultTarget {
			return n.Target
		}
	case "tiers":
		parts := make([]string, len(n.Tiers))
		for i, t := range n.Tiers {
			parts[i] = formatNumber(t.Min) + ": " + formatNumber(t.Points)
		}
		return text(strings.Join(parts, "; "))
	case "per_unit":
		return n.PerUnit
	case "measure":
		if n.Measure != "" && n.Measure != criteria.DefaultMeasure {
			return string(n.Measure)
		}
	case "cap":
		return n.Cap
	}
	return nil
}

func writeGuide(w *workbook.Workbook) error {
	s, err := w.AddSheet(SheetGuide, []workbook.Column{
		{Title: "Mục (topic)", Width: 28, Format: workbook.Text},
		{Title: "Hướng dẫn (how to fill it in)", Width: 110, Format: workbook.Text},
	})
	if err != nil {
		return err
	}
	for _, g := range guideRows {
		if _, err := s.Append(false, g[0], g[1]); err != nil {
			return err
		}
	}
	return nil
}
