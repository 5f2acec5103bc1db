package survey

import (
	"errors"
	"io"
	"sort"
	"time"

	"parindex"
	"parindex/stats"
	"parindex/tabular"
)

// TableResults computes survey results straight from a file in the
// paper-form layout, without a database: anyone can reproduce a published
// figure from the file. Every unit code in the file is accepted as it is.
// With byUnit each unit is one group (in code order); otherwise all rows
// form one group named "*". Every cell is checked as on import.
//
// Rows are streamed: what is kept is one byte per answer (stats.Answers)
// and the comments that are not blank, so millions of forms fit in a few
// hundred megabytes.
func TableResults(rd *tabular.Reader, in *Instrument, byUnit bool, opts ResultOptions) (Results, error) {
	stored := &parindex.StoredInstrument{ID: 1, Code: in.Code, Status: parindex.StatusPublished}
	c, err := newPaperCheck(rd.Head, in, stored, nil, parindex.DateOf(time.Now().In(vietnam)))
	if err != nil {
		return Results{}, err
	}
	c.anyUnit = true
	questions := len(c.questions)
	groups := map[string]*Group{}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Results{}, err
		}
		r := c.row(row)
		if r == nil || len(c.errs) > 0 {
			continue // the file is refused: only its problems are kept now
		}
		name := "*"
		if byUnit {
			name = c.codes[r.UnitID-1]
		}
		g, ok := groups[name]
		if !ok {
			g = &Group{Unit: name, Answers: stats.Answers{Questions: questions}}
			groups[name] = g
		}
		if err := g.Answers.AppendDigits(r.Answers); err != nil {
			return Results{}, err
		}
		if r.Comment != "" {
			g.Comments = append(g.Comments, r.Comment)
		}
	}
	if _, err := c.finish(); err != nil {
		return Results{}, err
	}
	order := make([]string, 0, len(groups))
	for name := range groups {
		order = append(order, name)
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
