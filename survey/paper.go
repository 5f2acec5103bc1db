package survey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// TableHash is the hex SHA-256 of a table's header and cells with their row
// numbers. It names the content, not the bytes, so saving the same sheet
// again in Excel (which rewrites timestamps inside the .xlsx) or as CSV
// gives the same hash and re-importing stores nothing twice.
func TableHash(t *tabular.Table) string {
	h := sha256.New()
	h.Write([]byte(strings.Join(t.Header, "\x1f")))
	for _, r := range t.Rows {
		fmt.Fprintf(h, "\x1e%d\x1f%s", r.Number, strings.Join(r.Cells, "\x1f"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// PaperKey is the idempotency key of the paper form on one row of a table:
// the same table imported again yields the same keys, which the responses
// table refuses to store twice.
func PaperKey(tableHash string, row int) string {
	return "paper-" + tableHash[:32] + "-" + strconv.Itoa(row)
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
	var errs parindex.InputErrors
	fail := func(row int, column, vi, en string) {
		errs = append(errs, parindex.InputError{File: t.File, Sheet: t.Sheet, Row: row, Column: column, VI: vi, EN: en})
	}
	if stored.Status != parindex.StatusPublished {
		return nil, parindex.Errorf(parindex.ECodeInvalid, "Bộ câu hỏi %s chưa công bố; chỉ nhập phiếu cho bộ câu hỏi đã công bố (instrument %s is not published)",
			stored.Code, stored.Code)
	}
	questions := in.Questions()
	cols := paperColumns(t, in, questions, fail)
	if len(t.Rows) == 0 {
		fail(0, "", "tệp không có dòng phiếu nào (chỉ có dòng tiêu đề)", "the file holds no forms (only a header row)")
	}
	if len(errs) > 0 && (cols[paperUnit] == nil || cols[paperDate] == nil) {
		// Without the unit and date columns no row can be checked sensibly.
		return nil, errs
	}

	byCode := map[string]*parindex.OrgUnit{}
	byFold := map[string][]*parindex.OrgUnit{}
	for _, u := range units {
		byCode[u.Code] = u
		byFold[strings.ToLower(u.Code)] = append(byFold[strings.ToLower(u.Code)], u)
	}
	hash := TableHash(t)
	batch := &PaperBatch{File: t.File, Hash: hash}
	for _, r := range t.Rows {
		before := len(errs)
		unit := unitOf(r, cols, byCode, byFold, fail)
		day, dayOK := dateOf(r, cols, today, fail)
		if unit != nil && dayOK && !unit.ValidOn(day) {
			hint, hintEN := "", ""
			if unit.SuccessorCode != "" && !day.Before(unit.ValidFrom) {
				hint = "; đơn vị kế thừa: " + unit.SuccessorCode
				hintEN = "; successor: " + unit.SuccessorCode
			}
			fail(r.Number, paperUnit,
				fmt.Sprintf("đơn vị %s không có hiệu lực vào ngày %s (hiệu lực %s–%s)%s", unit.Code, day.VietnameseString(),
					unit.ValidFrom.VietnameseString(), unit.ValidTo.VietnameseString(), hint),
				fmt.Sprintf("unit %s is not valid on %s (valid %s to %s)%s", unit.Code, day, unit.ValidFrom, unit.ValidTo, hintEN))
		}
		answers := make([]byte, len(questions))
		answered := false
		for i, q := range questions {
			answers[i] = '0'
			col := cols["q:"+strings.ToLower(q.Code)]
			if col == nil {
				continue // reported with the header
			}
			raw := r.Cells[col.index]
			answered = answered || raw != ""
			switch {
			case raw == "":
			case strings.EqualFold(raw, "NA"):
				if in.NotApplicable == nil {
					fail(r.Number, q.Code, fmt.Sprintf("câu %s: bộ câu hỏi %s không có lựa chọn NA (không áp dụng); cho phép 1–5 hoặc để trống", q.Code, stored.Code),
						fmt.Sprintf("question %s: instrument %s has no NA (not applicable) choice; allowed: 1-5 or empty", q.Code, stored.Code))
				}
			case len(raw) == 1 && raw[0] >= '1' && raw[0] <= '5':
				answers[i] = raw[0]
			default:
				allowed, allowedEN := "1–5, NA hoặc để trống", "1-5, NA or empty"
				if in.NotApplicable == nil {
					allowed, allowedEN = "1–5 hoặc để trống", "1-5 or empty"
				}
				fail(r.Number, q.Code, fmt.Sprintf("câu %s: giá trị %q không hợp lệ; cho phép %s", q.Code, raw, allowed),
					fmt.Sprintf("question %s: %q is not a valid answer; allowed: %s", q.Code, raw, allowedEN))
			}
		}
		if !answered {
			fail(r.Number, "", "phiếu không có câu nào được trả lời (mọi ô câu hỏi đều trống)",
				"the form answers no question (every question cell is empty)")
		}
		profile := profileOf(r, cols, in, fail)
		comment := commentOf(r, cols, in, fail)
		if len(errs) > before {
			continue
		}
		noon := time.Date(day.Year, day.Month, day.Day, paperHour, 0, 0, 0, vietnam)
		batch.Responses = append(batch.Responses, &parindex.Response{
			InstrumentID:   stored.ID,
			UnitID:         unit.ID,
			SubmittedHour:  noon.UTC().Truncate(time.Hour),
			Day:            day,
			IdempotencyKey: PaperKey(hash, r.Number),
			Answers:        string(answers),
			Profile:        profile,
			Comment:        comment,
			Source:         parindex.SourcePaper,
		})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return batch, nil
}

// located is a paper column: its position in the header.
type located struct{ index int }

// paperColumns maps the header: key "unit", "date", "comment", "q:<code>"
// or "p:<code>" (codes lowercased) → column. Unknown, duplicate, unnamed and
// missing columns are reported on row 1.
func paperColumns(t *tabular.Table, in *Instrument, questions []Question, fail func(int, string, string, string)) map[string]*located {
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
	width := len(t.Header)
	for _, r := range t.Rows {
		width = max(width, len(r.Cells))
	}
	cols := map[string]*located{}
	for i := 0; i < width; i++ {
		h := ""
		if i < len(t.Header) {
			h = t.Header[i]
		}
		if h == "" {
			// Data under no name would be silently dropped: refuse it.
			for _, r := range t.Rows {
				if i < len(r.Cells) && r.Cells[i] != "" {
					fail(1, fmt.Sprintf("#%d", i+1), fmt.Sprintf("cột thứ %d có dữ liệu nhưng không có tên ở dòng tiêu đề", i+1),
						fmt.Sprintf("column %d holds data but has no name in the header", i+1))
					break
				}
			}
			continue
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

func unitOf(r tabular.Row, cols map[string]*located, byCode map[string]*parindex.OrgUnit, byFold map[string][]*parindex.OrgUnit,
	fail func(int, string, string, string)) *parindex.OrgUnit {
	col := cols[paperUnit]
	if col == nil {
		return nil
	}
	code := r.Cells[col.index]
	if code == "" {
		fail(r.Number, paperUnit, "thiếu mã đơn vị", "the unit code is missing")
		return nil
	}
	if u, ok := byCode[code]; ok {
		return u
	}
	// Codes are typed by hand: accept another case when it names one unit.
	if us := byFold[strings.ToLower(code)]; len(us) == 1 {
		return us[0]
	}
	fail(r.Number, paperUnit, fmt.Sprintf("không có đơn vị mã %q", code), fmt.Sprintf("unknown unit code %q", code))
	return nil
}

func dateOf(r tabular.Row, cols map[string]*located, today parindex.Date, fail func(int, string, string, string)) (parindex.Date, bool) {
	col := cols[paperDate]
	if col == nil {
		return parindex.Date{}, false
	}
	raw := r.Cells[col.index]
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

func profileOf(r tabular.Row, cols map[string]*located, in *Instrument, fail func(int, string, string, string)) string {
	var parts []string
	for _, p := range in.Profile {
		col := cols["p:"+strings.ToLower(p.Code)]
		if col == nil {
			continue
		}
		raw := r.Cells[col.index]
		if raw == "" {
			continue
		}
		choice := ""
		var codes []string
		for _, ch := range p.Choices {
			codes = append(codes, ch.Code)
			if strings.EqualFold(ch.Code, raw) {
				choice = ch.Code
			}
		}
		if choice == "" {
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
	c := strings.TrimSpace(strings.ReplaceAll(r.Cells[col.index], "\r\n", "\n"))
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

// ImportPaper checks a table of paper forms for the published instrument
// code and, unless dryRun, stores every form in one transaction: all or
// nothing. Problems come back as parindex.InputErrors with nothing written.
func ImportPaper(ctx context.Context, db *store.DB, actor parindex.Actor, t *tabular.Table, code string, dryRun bool) (PaperResult, error) {
	res := PaperResult{File: t.File, Instrument: code, DryRun: dryRun}
	instrument, err := db.InstrumentByCode(ctx, code)
	if err != nil {
		return res, err
	}
	in, err := ParseInstrument(instrument.Code+".yaml", []byte(instrument.Source))
	if err != nil {
		return res, fmt.Errorf("survey: stored instrument %s does not parse: %w", instrument.Code, err)
	}
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return res, err
	}
	batch, err := ParsePaper(t, in, instrument, units, parindex.DateOf(db.Now().In(vietnam)))
	if err != nil {
		return res, err
	}
	res.Hash, res.Rows = batch.Hash, len(batch.Responses)
	keys := make([]string, len(batch.Responses))
	for i, r := range batch.Responses {
		keys[i] = r.IdempotencyKey
	}
	done, err := db.StoredResponseKeys(ctx, keys)
	if err != nil {
		return res, err
	}
	// Only forms not stored before go to InsertResponses: re-importing a
	// large file then costs a lookup, not a transaction full of conflicts.
	// A concurrent import of the same file is still caught there, by key.
	var fresh []*parindex.Response
	for _, r := range batch.Responses {
		if !done[r.IdempotencyKey] {
			fresh = append(fresh, r)
		}
	}
	res.AlreadyStored, res.New = len(done), len(fresh)
	if dryRun || len(fresh) == 0 {
		return res, nil
	}
	outcomes, err := db.ImportPaperResponses(ctx, actor, fresh, map[int64][]string{instrument.ID: QuestionCodes(in)},
		store.PaperImport{File: t.File, FileHash: batch.Hash, Instrument: instrument.Code, Rows: res.Rows, Duplicates: res.AlreadyStored})
	if err != nil {
		return res, err
	}
	for _, o := range outcomes {
		if o == store.Inserted {
			res.Inserted++
		} else {
			res.AlreadyStored++
		}
	}
	res.New = res.Inserted
	return res, nil
}
