package survey

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
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
	return TableResultsSized(rd, in, byUnit, opts, 0)
}

// TableResultsSized is TableResults told how many forms the file holds
// about (0: unknown), so that one group's answers are allocated once: a
// matrix of five million forms grown by appending held its old and new
// copies at once, past 256 MB.
func TableResultsSized(rd *tabular.Reader, in *Instrument, byUnit bool, opts ResultOptions, expectedForms int) (Results, error) {
	stored := &parindex.StoredInstrument{ID: 1, Code: in.Code, Status: parindex.StatusPublished}
	c, err := newPaperCheck(rd.Head, in, stored, nil, parindex.DateOf(time.Now().In(vietnam)))
	if err != nil {
		return Results{}, err
	}
	c.anyUnit = true
	c.hash = nil // no idempotency keys offline: the table's hash is not needed
	questions := len(c.questions)
	groups := map[string]*tableGroup{}
	rows, stop := readAhead(rd)
	defer stop()
	for row := range rows.each {
		if row.err != nil {
			return Results{}, row.err
		}
		r := c.row(row.Row)
		if r == nil || len(c.errs) > 0 {
			continue // the file is refused: only its problems are kept now
		}
		name := "*"
		if byUnit {
			name = c.codes[r.UnitID-1]
		}
		g, ok := groups[name]
		if !ok {
			g = &tableGroup{Group: Group{Unit: name, Answers: stats.Answers{Questions: questions}}}
			if !byUnit && expectedForms > 0 {
				g.Answers.Packed = make([]uint8, 0, expectedForms*questions)
			}
			groups[name] = g
		}
		if err := g.add(r.Answers, byUnit); err != nil {
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
		g := groups[name]
		g.join()
		gr, err := Summarise(in, g.Group, opts)
		if err != nil {
			return Results{}, err
		}
		res.Groups = append(res.Groups, gr)
		delete(groups, name) // its answers can go before the next group's are joined
	}
	return res, nil
}

// tableGroup is a group being read. By unit, the answers go into chunks of
// fixed size and are joined into one matrix only when the group is
// summarised: 150 matrices grown by appending copied themselves over and
// over and left as much garbage as answers, which kept the collector busy
// under the command's memory limit (a third of the time on five million
// forms) and the resident memory near it.
type tableGroup struct {
	Group
	chunks [][]uint8
}

// answerChunk is the size of one chunk of answers, in bytes.
const answerChunk = 64 << 10

func (g *tableGroup) add(answers string, chunked bool) error {
	if !chunked {
		return g.Answers.AppendDigits(answers)
	}
	if len(g.chunks) == 0 || len(g.chunks[len(g.chunks)-1])+len(answers) > answerChunk {
		g.chunks = append(g.chunks, make([]uint8, 0, answerChunk))
	}
	last := &g.chunks[len(g.chunks)-1]
	before := len(*last)
	*last = append(*last, answers...)
	for i := before; i < len(*last); i++ {
		c := (*last)[i]
		if c < '0' || c > '0'+stats.AnswerLevels {
			return fmt.Errorf("survey: answer %q, allowed 0 (not applicable) or 1–5", c)
		}
		(*last)[i] = c - '0'
	}
	return nil
}

// join puts the chunks into the group's answer matrix.
func (g *tableGroup) join() {
	if len(g.chunks) == 0 {
		return
	}
	size := 0
	for _, c := range g.chunks {
		size += len(c)
	}
	packed := make([]uint8, 0, size)
	for _, c := range g.chunks {
		packed = append(packed, c...)
	}
	g.Answers.Packed, g.chunks = packed, nil
}

// aheadRow is a row read ahead, or the error that ended reading.
type aheadRow struct {
	tabular.Row
	err error
}

// readAhead reads rd's rows in a goroutine of its own, so that parsing the
// file (about half the work of survey stats) runs beside checking and
// counting the rows on a second core. Rows come in order, in batches (one
// channel operation per row cost more than it saved); reading stops at the
// end of the file, at the first error (sent as the last row) or when stop
// is called, which waits for the reader to finish with rd.
func readAhead(rd *tabular.Reader) (rows aheadRows, stop func()) {
	const batch = 1024
	batches := make(chan []aheadRow, 8)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(batches)
		for {
			b := make([]aheadRow, 0, batch)
			last := false
			for len(b) < batch {
				row, err := rd.Next()
				if errors.Is(err, io.EOF) {
					last = true
					break
				}
				if err != nil {
					b, last = append(b, aheadRow{err: err}), true
					break
				}
				b = append(b, aheadRow{Row: row})
			}
			select {
			case batches <- b:
			case <-done:
				return
			}
			if last {
				return
			}
		}
	}()
	var once sync.Once
	return aheadRows{batches}, func() {
		once.Do(func() { close(done) })
		<-finished
	}
}

// aheadRows iterates over the rows of readAhead's batches.
type aheadRows struct{ batches <-chan []aheadRow }

func (a aheadRows) each(yield func(aheadRow) bool) {
	for b := range a.batches {
		for _, row := range b {
			if !yield(row) {
				return
			}
		}
	}
}
