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
// form one group named "*". Every cell is checked as on import, and the
// forms are screened as on import (screenHeld: batch duplicates and
// straight-lined forms of one unit and day), so that the figures equal
// those of the same forms imported: flagged forms are left out and counted
// unless opts.IncludeFlagged.
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
	// Each form's unit and day, as an index into days, for the screen.
	dayKeys := map[screenDay]uint32{}
	var days []screenDay
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
				g.days = make([]uint32, 0, expectedForms)
			}
			groups[name] = g
		}
		key := screenDay{r.UnitID, r.Day}
		k, ok := dayKeys[key]
		if !ok {
			k = uint32(len(days))
			dayKeys[key] = k
			days = append(days, key)
		}
		if r.Comment != "" {
			g.Comments = append(g.Comments, r.Comment)
			g.commentForms = append(g.commentForms, int32(len(g.days)))
		}
		g.days = append(g.days, k)
		if err := g.add(r.Answers, byUnit); err != nil {
			return Results{}, err
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
	held := make([]*tableGroup, len(order))
	for i, name := range order {
		held[i] = groups[name]
		held[i].join()
	}
	flagged := screenGroups(held, days, questions)
	res := Results{Instrument: in.Code}
	offset := 0
	for i, g := range held {
		forms := len(g.days)
		g.leaveOutFlagged(flagged, offset, opts.IncludeFlagged)
		offset += forms
		gr, err := Summarise(in, g.Group, opts)
		if err != nil {
			return Results{}, err
		}
		res.Groups = append(res.Groups, gr)
		held[i] = nil // its answers can go before the next group is summarised
	}
	return res, nil
}

// screenGroups screens the groups' forms, taken group after group, and
// returns a bit per form, set when it is flagged.
func screenGroups(groups []*tableGroup, days []screenDay, questions int) []uint64 {
	starts := make([]int, len(groups)+1)
	for i, g := range groups {
		starts[i+1] = starts[i] + len(g.days)
	}
	locate := func(i int) (*tableGroup, int) {
		j := sort.SearchInts(starts, i+1) - 1
		return groups[j], i - starts[j]
	}
	keyOf := func(i int) uint32 {
		g, r := locate(i)
		return g.days[r]
	}
	digitsOf := func(i int, buf []byte) []byte {
		g, r := locate(i)
		for _, level := range g.Answers.Packed[r*questions : (r+1)*questions] {
			buf = append(buf, '0'+level)
		}
		return buf
	}
	return screenHeld(questions, starts[len(groups)], days, keyOf, digitsOf)
}

// leaveOutFlagged counts the group's flagged forms (bits from offset in
// flagged) and, unless include, removes them and their comments.
func (g *tableGroup) leaveOutFlagged(flagged []uint64, offset int, include bool) {
	isFlagged := func(r int) bool { i := offset + r; return flagged[i/64]&(1<<(i%64)) != 0 }
	questions := g.Answers.Questions
	kept := 0
	for r := range g.days {
		if isFlagged(r) {
			g.Flagged++
			if !include {
				continue
			}
		}
		copy(g.Answers.Packed[kept*questions:(kept+1)*questions], g.Answers.Packed[r*questions:(r+1)*questions])
		kept++
	}
	g.Answers.Packed = g.Answers.Packed[:kept*questions]
	comments := g.Comments[:0]
	for j, r := range g.commentForms {
		if include || !isFlagged(int(r)) {
			comments = append(comments, g.Comments[j])
		}
	}
	g.Comments, g.commentForms, g.days = comments, nil, nil
}

// tableGroup is a group being read. By unit, the answers go into chunks of
// fixed size and are joined into one matrix only when the group is
// summarised: 150 matrices grown by appending copied themselves over and
// over and left as much garbage as answers, which kept the collector busy
// under the command's memory limit (a third of the time on five million
// forms) and the resident memory near it.
type tableGroup struct {
	Group
	chunks       [][]uint8
	days         []uint32 // each form's index into the file's unit days, for the screen
	commentForms []int32  // the form of each comment, so that a flagged form's goes with it
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
