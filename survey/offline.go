package survey

import (
	"slices"
	"sort"
	"time"

	"parindex"
	"parindex/tabular"
)

// TableResults computes survey results straight from a table in the
// paper-form layout, without a database: anyone can reproduce a published
// figure from the file. Every unit code in the file is accepted as it is.
// With byUnit each unit is one group (in code order); otherwise all rows
// form one group named "*". Every cell is checked as on import.
func TableResults(t *tabular.Table, in *Instrument, byUnit bool, opts ResultOptions) (Results, error) {
	var units []*parindex.OrgUnit
	ids := map[string]int64{}
	codes := map[int64]string{}
	if col := slices.Index(t.Header, paperUnit); col >= 0 {
		for _, r := range t.Rows {
			code := r.Cells[col]
			if _, seen := ids[code]; code != "" && !seen {
				id := int64(len(ids) + 1)
				ids[code], codes[id] = id, code
				units = append(units, &parindex.OrgUnit{ID: id, Code: code})
			}
		}
	}
	stored := &parindex.StoredInstrument{ID: 1, Code: in.Code, Status: parindex.StatusPublished}
	batch, err := ParsePaper(t, in, stored, units, parindex.DateOf(time.Now().In(vietnam)))
	if err != nil {
		return Results{}, err
	}
	groups := map[string]*Group{}
	var order []string
	for _, r := range batch.Responses {
		name := "*"
		if byUnit {
			name = codes[r.UnitID]
		}
		g, ok := groups[name]
		if !ok {
			g = &Group{Unit: name}
			groups[name] = g
			order = append(order, name)
		}
		answers := make([]int, len(r.Answers))
		for i := range r.Answers {
			answers[i] = int(r.Answers[i] - '0')
		}
		g.Answers = append(g.Answers, answers)
		g.Comments = append(g.Comments, r.Comment)
	}
	sort.Strings(order)
	res := Results{Instrument: in.Code}
	for _, name := range order {
		gr, err := Summarise(in, *groups[name], opts)
		if err != nil {
			return Results{}, err
		}
		res.Groups = append(res.Groups, gr)
	}
	return res, nil
}
