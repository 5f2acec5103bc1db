package survey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"parindex"
	"parindex/store"
	"parindex/tabular"
)

// Fixed columns of a paper-forms table (docs/survey-format.md).
const (
	paperUnit    = "unit"
	paperDate    = "date"
	paperComment = "comment"
)

// paperHour is the time of day a paper form is stored at: the form carries
// only its date, and noon keeps the day the same in every time zone a
// report might use.
const paperHour = 12

// PaperBatch is a checked table of paper forms, ready to store.
type PaperBatch struct {
	File      string
	Hash      string // hex SHA-256 of the table's cells (see TableHash)
	Responses []*parindex.Response
}

// tableHasher computes TableHash as the rows stream by.
type tableHasher struct {
	h     hash.Hash
	width int
}

func newTableHasher(head tabular.Head) *tableHasher {
	th := &tableHasher{h: sha256.New(), width: len(head.Header)}
	th.h.Write([]byte(strings.Join(head.Header, "\x1f")))
	return th
}

// row hashes one row as if padded to the header's width (rows were held
// padded when the hash was first defined; files imported then must give
// the same keys now).
func (th *tableHasher) row(r tabular.Row) {
	fmt.Fprintf(th.h, "\x1e%d\x1f%s", r.Number, strings.Join(r.Cells, "\x1f"))
	for i := len(r.Cells); i < max(th.width, r.Width); i++ {
		th.h.Write([]byte("\x1f"))
	}
}

func (th *tableHasher) sum() string { return hex.EncodeToString(th.h.Sum(nil)) }

// TableHash is the hex SHA-256 of a table's header and cells with their row
// numbers. It names the content, not the bytes, so saving the same sheet
// again in Excel (which rewrites timestamps inside the .xlsx) or as CSV
// gives the same hash and re-importing stores nothing twice.
func TableHash(t *tabular.Table) string {
	th := newTableHasher(t.Head)
	for _, r := range t.Rows {
		th.row(r)
	}
	return th.sum()
}

// PaperKey is the idempotency key of the paper form on one row of a table:
// the same table imported again yields the same keys, which the responses
// table refuses to store twice.
func PaperKey(tableHash string, row int) string {
	return "paper-" + tableHash[:32] + "-" + strconv.Itoa(row)
}

// maxProblems is how many problems of one file are kept to be shown; past
// it they are only counted, so a file of millions of bad rows cannot fill
// memory with messages.
const maxProblems = 1000

// paperCheck checks the rows of a paper-forms table one at a time against a
// published instrument and the organisation units, hashing the table as it
// goes: a file of any length is checked in constant memory.
type paperCheck struct {
	head      tabular.Head
	in        *Instrument
	stored    *parindex.StoredInstrument
	questions []Question
	cols      map[string]*located
	qcols     []*located    // the column of each question, in form order (nil: missing)
	pcols     []*located    // the column of each profile question (nil: not in the file)
	lastDate  string        // the last date cell read and its value: forms come in
	lastDay   parindex.Date // runs of one day, and parsing each costs more than the rest of the row
	byCode    map[string]*parindex.OrgUnit
	byFold    map[string][]*parindex.OrgUnit
	anyUnit   bool     // offline results: every code names a unit of its own,
	codes     []string // whose id is its place here, plus one
	today     parindex.Date
	unnamed   map[int]bool // unnamed columns already reported as holding data
	hash      *tableHasher
	screen    *batchScreen // counts the forms for batch screening; nil: no screening
	forms     int
	errs      parindex.InputErrors
	more      int // problems past maxProblems
}

// newPaperCheck checks the header. When the unit or date column cannot be
// found no row can be checked sensibly, and the header's problems come back
// as the error.
func newPaperCheck(head tabular.Head, in *Instrument, stored *parindex.StoredInstrument, units []*parindex.OrgUnit, today parindex.Date) (*paperCheck, error) {
	if stored.Status != parindex.StatusPublished {
		return nil, parindex.Errorf(parindex.ECodeInvalid, "Bộ câu hỏi %s chưa công bố; chỉ nhập phiếu cho bộ câu hỏi đã công bố (instrument %s is not published)",
			stored.Code, stored.Code)
	}
	c := &paperCheck{head: head, in: in, stored: stored, questions: in.Questions(), today: today,
		byCode: map[string]*parindex.OrgUnit{}, byFold: map[string][]*parindex.OrgUnit{}, unnamed: map[int]bool{}, hash: newTableHasher(head)}
	for _, u := range units {
		c.byCode[u.Code] = u
		c.byFold[strings.ToLower(u.Code)] = append(c.byFold[strings.ToLower(u.Code)], u)
	}
	c.cols = paperColumns(head, in, c.questions, c.fail)
	for _, q := range c.questions {
		c.qcols = append(c.qcols, c.cols["q:"+strings.ToLower(q.Code)])
	}
	for _, p := range in.Profile {
		c.pcols = append(c.pcols, c.cols["p:"+strings.ToLower(p.Code)])
	}
	if len(c.errs) > 0 && (c.cols[paperUnit] == nil || c.cols[paperDate] == nil) {
		return nil, c.errs
	}
	return c, nil
}

func (c *paperCheck) fail(row int, column, vi, en string) {
	if len(c.errs) >= maxProblems {
		c.more++
		return
	}
	c.errs = append(c.errs, parindex.InputError{File: c.head.File, Sheet: c.head.Sheet, Row: row, Column: column, VI: vi, EN: en})
}

// row checks one data row and returns its response, without its
// idempotency key (which needs the whole table's hash), or nil when the
// row has problems.
func (c *paperCheck) row(r tabular.Row) *parindex.Response {
	if c.hash != nil {
		c.hash.row(r)
	}
	c.forms++
	before := len(c.errs) + c.more
	for i := range r.Cells {
		if r.Cells[i] != "" && (i >= len(c.head.Header) || c.head.Header[i] == "") && !c.unnamed[i] {
			// Data under no name would be silently dropped: refuse it.
			c.unnamed[i] = true
			c.fail(1, fmt.Sprintf("#%d", i+1), fmt.Sprintf("cột thứ %d có dữ liệu nhưng không có tên ở dòng tiêu đề (dòng %d)", i+1, r.Number),
				fmt.Sprintf("column %d holds data but has no name in the header (row %d)", i+1, r.Number))
		}
	}
	unit := c.unitOf(r)
	day, dayOK := c.dateOf(r)
	if unit != nil && dayOK && !unit.ValidOn(day) {
		hint, hintEN := "", ""
		if unit.SuccessorCode != "" && !day.Before(unit.ValidFrom) {
			hint = "; đơn vị kế thừa: " + unit.SuccessorCode
			hintEN = "; successor: " + unit.SuccessorCode
		}
		c.fail(r.Number, paperUnit,
			fmt.Sprintf("đơn vị %s không có hiệu lực vào ngày %s (hiệu lực %s–%s)%s", unit.Code, day.VietnameseString(),
				unit.ValidFrom.VietnameseString(), unit.ValidTo.VietnameseString(), hint),
			fmt.Sprintf("unit %s is not valid on %s (valid %s to %s)%s", unit.Code, day, unit.ValidFrom, unit.ValidTo, hintEN))
	}
	in, stored := c.in, c.stored
	answers := make([]byte, len(c.questions))
	answered := false
	for i, q := range c.questions {
		answers[i] = '0'
		col := c.qcols[i]
		if col == nil {
			continue // reported with the header
		}
		raw := r.At(col.index)
		answered = answered || raw != ""
		switch {
		case raw == "":
		case strings.EqualFold(raw, "NA"):
			if in.NotApplicable == nil {
				c.fail(r.Number, q.Code, fmt.Sprintf("câu %s: bộ câu hỏi %s không có lựa chọn NA (không áp dụng); cho phép 1–5 hoặc để trống", q.Code, stored.Code),
					fmt.Sprintf("question %s: instrument %s has no NA (not applicable) choice; allowed: 1-5 or empty", q.Code, stored.Code))
			}
		case len(raw) == 1 && raw[0] >= '1' && raw[0] <= '5':
			answers[i] = raw[0]
		default:
			allowed, allowedEN := "1–5, NA hoặc để trống", "1-5, NA or empty"
			if in.NotApplicable == nil {
				allowed, allowedEN = "1–5 hoặc để trống", "1-5 or empty"
			}
			c.fail(r.Number, q.Code, fmt.Sprintf("câu %s: giá trị %q không hợp lệ; cho phép %s", q.Code, raw, allowed),
				fmt.Sprintf("question %s: %q is not a valid answer; allowed: %s", q.Code, raw, allowedEN))
		}
	}
	if !answered {
		c.fail(r.Number, "", "phiếu không có câu nào được trả lời (mọi ô câu hỏi đều trống)",
			"the form answers no question (every question cell is empty)")
	}
	profile := profileOf(r, c.pcols, in, c.fail)
	comment := commentOf(r, c.cols, in, c.fail)
	if len(c.errs)+c.more > before {
		return nil
	}
	if c.screen != nil {
		c.screen.add(unit.ID, day, string(answers))
	}
	noon := time.Date(day.Year, day.Month, day.Day, paperHour, 0, 0, 0, vietnam)
	return &parindex.Response{
		InstrumentID:  stored.ID,
		UnitID:        unit.ID,
		SubmittedHour: noon.UTC().Truncate(time.Hour),
		Day:           day,
		Answers:       string(answers),
		Profile:       profile,
		Comment:       comment,
		Source:        parindex.SourcePaper,
	}
}

// finish returns the table's hash, or every problem found.
func (c *paperCheck) finish() (string, error) {
	if c.forms == 0 {
		c.fail(0, "", "tệp không có dòng phiếu nào (chỉ có dòng tiêu đề)", "the file holds no forms (only a header row)")
	}
	if c.more > 0 {
		last := c.errs[len(c.errs)-1]
		c.errs = append(c.errs, parindex.InputError{File: last.File, Sheet: last.Sheet, Row: last.Row,
			VI: fmt.Sprintf("và %d lỗi khác sau dòng %d (chỉ liệt kê %d lỗi đầu tiên)", c.more, last.Row, maxProblems),
			EN: fmt.Sprintf("and %d more problems after row %d (only the first %d are listed)", c.more, last.Row, maxProblems)})
	}
	if len(c.errs) > 0 {
		return "", c.errs
	}
	if c.hash == nil {
		return "", nil
	}
	return c.hash.sum(), nil
}

// dateOf is dateOf remembering the last good date cell.
func (c *paperCheck) dateOf(r tabular.Row) (parindex.Date, bool) {
	if col := c.cols[paperDate]; col != nil && c.lastDate != "" && r.At(col.index) == c.lastDate {
		return c.lastDay, true
	}
	day, ok := dateOf(r, c.cols, c.today, c.fail)
	if ok {
		c.lastDate, c.lastDay = r.At(c.cols[paperDate].index), day
	}
	return day, ok
}

// ParsePaper checks every cell of a paper-forms table against a published
// instrument and the organisation units (all of them, historical ones
// included, so an old form names the unit that existed on its date), and
// returns the responses to store, or every problem found as
// parindex.InputErrors. today is the current day in Vietnam: forms cannot be
// dated after it.
//
// An empty answer cell ("not answered") and NA ("not applicable / don't
// know") are both stored as the digit 0: neither is a valid answer, both
// leave every denominator, and response_counts counts both as not applicable.
// The stored response therefore does not tell them apart; the paper sheet
// itself remains the record of which was which.
func ParsePaper(t *tabular.Table, in *Instrument, stored *parindex.StoredInstrument, units []*parindex.OrgUnit, today parindex.Date) (*PaperBatch, error) {
	c, err := newPaperCheck(t.Head, in, stored, units, today)
	if err != nil {
		return nil, err
	}
	c.screen = newBatchScreen(len(c.questions))
	var rs []*parindex.Response
	var rows []int
	for _, r := range t.Rows {
		if resp := c.row(r); resp != nil {
			rs, rows = append(rs, resp), append(rows, r.Number)
		}
	}
	hash, err := c.finish()
	if err != nil {
		return nil, err
	}
	for i, resp := range rs {
		resp.IdempotencyKey = PaperKey(hash, rows[i])
		resp.Flags = c.screen.flags(resp.UnitID, resp.Day, resp.Answers)
	}
	return &PaperBatch{File: t.File, Hash: hash, Responses: rs}, nil
}

// located is a paper column: its position in the header.
type located struct{ index int }

// paperColumns maps the header: key "unit", "date", "comment", "q:<code>"
// or "p:<code>" (codes lowercased) → column. Unknown, duplicate, unnamed and
// missing columns are reported on row 1.
func paperColumns(head tabular.Head, in *Instrument, questions []Question, fail func(int, string, string, string)) map[string]*located {
	keyOf := func(name string) (string, bool) {
		switch name {
		case paperUnit, paperDate:
			return name, true
		case paperComment:
			return name, in.Comment != nil
		}
		for _, q := range questions {
			if strings.EqualFold(q.Code, name) {
				return "q:" + strings.ToLower(q.Code), true
			}
		}
		for _, p := range in.Profile {
			if strings.EqualFold(p.Code, name) {
				return "p:" + strings.ToLower(p.Code), true
			}
		}
		return "", false
	}
	allowed := []string{paperUnit, paperDate}
	for _, q := range questions {
		allowed = append(allowed, q.Code)
	}
	for _, p := range in.Profile {
		allowed = append(allowed, p.Code)
	}
	if in.Comment != nil {
		allowed = append(allowed, paperComment)
	}
	cols := map[string]*located{}
	for i, h := range head.Header {
		if h == "" {
			continue // an error only if a row has data under it (paperCheck.row)
		}
		key, ok := keyOf(h)
		if !ok {
			if h == paperComment {
				fail(1, h, fmt.Sprintf("bộ câu hỏi %s không có ô ý kiến (comment); hãy bỏ cột này", in.Code),
					fmt.Sprintf("instrument %s has no comment field; remove this column", in.Code))
				continue
			}
			fail(1, h, fmt.Sprintf("cột %q không thuộc bộ câu hỏi %s; các cột hợp lệ: %s", h, in.Code, strings.Join(allowed, ", ")),
				fmt.Sprintf("unknown column %q for instrument %s; allowed: %s", h, in.Code, strings.Join(allowed, ", ")))
			continue
		}
		if prev, dup := cols[key]; dup {
			fail(1, h, fmt.Sprintf("cột %q xuất hiện hai lần (cột thứ %d và %d)", h, prev.index+1, i+1),
				fmt.Sprintf("column %q appears twice (columns %d and %d)", h, prev.index+1, i+1))
			continue
		}
		cols[key] = &located{i}
	}
	var missing []string
	for _, name := range []string{paperUnit, paperDate} {
		if cols[name] == nil {
			missing = append(missing, name)
		}
	}
	for _, q := range questions {
		if cols["q:"+strings.ToLower(q.Code)] == nil {
			missing = append(missing, q.Code)
		}
	}
	for _, m := range missing {
		fail(1, m, fmt.Sprintf("thiếu cột %q (bắt buộc: unit, date và một cột cho mỗi câu hỏi)", m),
			fmt.Sprintf("missing column %q (required: unit, date and one column per question)", m))
	}
	return cols
}

func (c *paperCheck) unitOf(r tabular.Row) *parindex.OrgUnit {
	col := c.cols[paperUnit]
	if col == nil {
		return nil
	}
	code := r.At(col.index)
	if code == "" {
		c.fail(r.Number, paperUnit, "thiếu mã đơn vị", "the unit code is missing")
		return nil
	}
	if u, ok := c.byCode[code]; ok {
		return u
	}
	// Codes ignore case, in every path (docs/survey-format.md): they are
	// typed by hand, so another case names the same unit.
	if us := c.byFold[strings.ToLower(code)]; len(us) == 1 {
		return us[0]
	}
	if c.anyUnit {
		// Offline, each code (whatever its case) is a unit of its own,
		// named by the first spelling met.
		c.codes = append(c.codes, code)
		u := &parindex.OrgUnit{ID: int64(len(c.codes)), Code: code}
		c.byCode[code] = u
		c.byFold[strings.ToLower(code)] = []*parindex.OrgUnit{u}
		return u
	}
	c.fail(r.Number, paperUnit, fmt.Sprintf("không có đơn vị mã %q", code), fmt.Sprintf("unknown unit code %q", code))
	return nil
}

func dateOf(r tabular.Row, cols map[string]*located, today parindex.Date, fail func(int, string, string, string)) (parindex.Date, bool) {
	col := cols[paperDate]
	if col == nil {
		return parindex.Date{}, false
	}
	raw := r.At(col.index)
	if raw == "" {
		fail(r.Number, paperDate, "thiếu ngày (dạng yyyy-mm-dd, ví dụ 2026-03-14)", "the date is missing (yyyy-mm-dd, e.g. 2026-03-14)")
		return parindex.Date{}, false
	}
	d, err := parindex.ParseDate(raw)
	if err != nil {
		fail(r.Number, paperDate, fmt.Sprintf("ngày %q không hợp lệ; cần dạng yyyy-mm-dd, ví dụ 2026-03-14", raw),
			fmt.Sprintf("%q is not a date in the form yyyy-mm-dd (e.g. 2026-03-14)", raw))
		return parindex.Date{}, false
	}
	if today.Before(d) {
		fail(r.Number, paperDate, fmt.Sprintf("ngày %s ở tương lai (hôm nay là %s)", d.VietnameseString(), today.VietnameseString()),
			fmt.Sprintf("%s is in the future (today is %s)", d, today))
		return parindex.Date{}, false
	}
	return d, true
}

// profileOf reads the profile answers; pcols holds each profile
// question's column (nil: not in the file), found once with the header.
func profileOf(r tabular.Row, pcols []*located, in *Instrument, fail func(int, string, string, string)) string {
	var parts []string
	for i, p := range in.Profile {
		col := pcols[i]
		if col == nil {
			continue
		}
		raw := r.At(col.index)
		if raw == "" {
			continue
		}
		choice := ""
		for _, ch := range p.Choices {
			if strings.EqualFold(ch.Code, raw) {
				choice = ch.Code
			}
		}
		if choice == "" {
			var codes []string
			for _, ch := range p.Choices {
				codes = append(codes, ch.Code)
			}
			fail(r.Number, p.Code, fmt.Sprintf("%s: lựa chọn %q không hợp lệ; cho phép: %s hoặc để trống", p.Code, raw, strings.Join(codes, ", ")),
				fmt.Sprintf("%s: %q is not a choice; allowed: %s or empty", p.Code, raw, strings.Join(codes, ", ")))
			continue
		}
		parts = append(parts, p.Code+"="+choice)
	}
	return strings.Join(parts, ";")
}

func commentOf(r tabular.Row, cols map[string]*located, in *Instrument, fail func(int, string, string, string)) string {
	col := cols[paperComment]
	if col == nil || in.Comment == nil {
		return ""
	}
	c := strings.TrimSpace(strings.ReplaceAll(r.At(col.index), "\r\n", "\n"))
	if n := utf8.RuneCountInString(c); n > in.Comment.MaxLength {
		fail(r.Number, paperComment, fmt.Sprintf("ý kiến dài %d ký tự; tối đa %d", n, in.Comment.MaxLength),
			fmt.Sprintf("the comment has %d characters; at most %d", n, in.Comment.MaxLength))
		return ""
	}
	return c
}

// PaperResult says what an import of paper forms did, or would do.
type PaperResult struct {
	File          string
	Hash          string
	Instrument    string
	Rows          int  // forms in the file
	Inserted      int  // stored now (0 in a dry run)
	New           int  // not stored before: what a real import stores
	AlreadyStored int  // stored by an earlier import of the same table
	DryRun        bool // nothing was written
}

// paperBatch is how many forms an import checks and stores at a time.
const paperBatch = 1000

// ImportPaper checks a table of paper forms for the published instrument
// code and, unless dryRun, stores every form in one transaction: all or
// nothing. Problems come back as parindex.InputErrors with nothing written.
//
// The table is read twice through open, which the caller makes return a
// fresh reader of the same file each time: once to check every row and
// compute the table's hash (which the forms' idempotency keys need), once
// to store the forms in batches. Neither pass holds the file in memory, so
// millions of forms import in constant memory. A file that changed between
// the passes is refused and nothing is stored.
func ImportPaper(ctx context.Context, db *store.DB, actor parindex.Actor, open func() (*tabular.Reader, error), code string, dryRun bool) (PaperResult, error) {
	res := PaperResult{Instrument: code, DryRun: dryRun}
	instrument, in, err := storedInstrument(ctx, db, code)
	if err != nil {
		return res, err
	}
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return res, err
	}
	today := parindex.DateOf(db.Now().In(vietnam))
	// The first pass counts the forms for batch screening, the second
	// flags each form against the whole file's counts.
	screen := newBatchScreen(len(in.Questions()))
	// forms reads the file from the start; each call of its next gives the
	// following batch of forms, none after the last, and checks at the end
	// that the whole file had no problem.
	forms := func() (next func() ([]*parindex.Response, error), closeFile func() error, err error) {
		rd, err := open()
		if err != nil {
			return nil, nil, err
		}
		res.File = rd.File
		c, err := newPaperCheck(rd.Head, in, instrument, units, today)
		if err != nil {
			rd.Close()
			return nil, nil, err
		}
		firstPass := res.Hash == ""
		if firstPass {
			c.screen = screen
		}
		eof := false
		next = func() ([]*parindex.Response, error) {
			var batch []*parindex.Response
			for !eof && len(batch) < paperBatch {
				row, err := rd.Next()
				if errors.Is(err, io.EOF) {
					eof = true
					sum, err := c.finish()
					if err != nil {
						return nil, err
					}
					if res.Hash != "" && sum != res.Hash {
						return nil, parindex.InputErrors{{File: res.File,
							VI: "tệp đã thay đổi trong khi nhập; không phiếu nào được ghi, hãy nhập lại",
							EN: "the file changed while it was being imported; nothing was stored, import it again"}}
					}
					res.Hash = sum
					break
				}
				if err != nil {
					return nil, err
				}
				if resp := c.row(row); resp != nil && len(c.errs) == 0 {
					if !firstPass { // the keys need the first pass's hash, the flags its counts
						resp.IdempotencyKey = PaperKey(res.Hash, row.Number)
						resp.Flags = screen.flags(resp.UnitID, resp.Day, resp.Answers)
					}
					batch = append(batch, resp)
				}
			}
			return batch, nil
		}
		return next, rd.Close, nil
	}
	// The first pass checks every row and hashes the table.
	next, closeFile, err := forms()
	if err != nil {
		return res, err
	}
	for {
		b, err := next()
		if err != nil {
			closeFile()
			return res, err
		}
		if len(b) == 0 {
			break
		}
		res.Rows += len(b)
	}
	closeFile()
	// The second pass reads the file again and stores its forms.
	next, closeFile, err = forms()
	if err != nil {
		return res, err
	}
	defer closeFile()
	if dryRun {
		for {
			b, err := next()
			if err != nil {
				return res, err
			}
			if len(b) == 0 {
				break
			}
			keys := make([]string, len(b))
			for i, r := range b {
				keys[i] = r.IdempotencyKey
			}
			stored, err := db.StoredResponseKeys(ctx, keys)
			if err != nil {
				return res, err
			}
			res.AlreadyStored += len(stored)
		}
		res.New = res.Rows - res.AlreadyStored
		return res, nil
	}
	p, err := db.ImportPaperResponses(ctx, actor, next, map[int64][]string{instrument.ID: QuestionCodes(in)},
		store.PaperImport{File: res.File, FileHash: res.Hash, Instrument: instrument.Code, Rows: res.Rows})
	if err != nil {
		return res, err
	}
	res.Inserted, res.AlreadyStored, res.New = p.Inserted, p.Duplicates, p.Inserted
	return res, nil
}
