package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"parindex"
	"parindex/store"
	"parindex/survey"
	"parindex/workbook"
)

// SheetResponses is the one sheet of the raw responses export.
const SheetResponses = "Phiếu trả lời"

// ResponsesFileName is the download name of a raw responses export.
func ResponsesFileName(now time.Time) string {
	return "Phiếu khảo sát - " + now.Format("2006-01-02") + ".xlsx"
}

// ResponsesSummary says what a raw export wrote.
type ResponsesSummary struct {
	Rows int // responses written
	Cut  int // comments cut to Excel's cell limit
}

// Columns of the raw export, before and after the questions.
const (
	ColumnResponseTime = "Thời điểm gửi (giờ)"
	ColumnComment      = "Góp ý"
)

// responseFlags are the quality flags, each in its own column.
var responseFlags = []struct{ code, title string }{
	{parindex.FlagSpeeder, "Cờ: điền quá nhanh (speeder)"},
	{parindex.FlagStraightline, "Cờ: mọi câu cùng một mức (straightline)"},
	{parindex.FlagDuplicateDevice, "Cờ: trùng thiết bị (duplicate_device)"},
	{parindex.FlagBatchDuplicate, "Cờ: phiếu giống hệt nhau hàng loạt (batch_duplicate)"},
	{parindex.FlagBot, "Cờ: trường ẩn bị điền (bot)"},
}

// responseLayout maps each instrument's answers and profile to the
// export's columns: one per question code and one per profile question of
// every instrument the export may hold, in instrument order.
type responseLayout struct {
	questions []string          // column titles
	profile   []string          // column titles
	answerCol map[string][]int  // instrument code → column (among questions) of its i-th answer
	profileAt map[string]int    // profile question code → column (among profile)
	labels    map[string]string // "question=choice" → the choice's Vietnamese label
}

func loadResponseLayout(ctx context.Context, db *store.DB, f store.ResponseFilter) (*responseLayout, error) {
	stored, err := db.FindInstruments(ctx)
	if err != nil {
		return nil, err
	}
	svc := survey.NewService(db, survey.ResultOptions{})
	l := &responseLayout{answerCol: map[string][]int{}, profileAt: map[string]int{}, labels: map[string]string{}}
	questionAt := map[string]int{}
	for _, st := range stored {
		if f.InstrumentID != 0 && st.ID != f.InstrumentID {
			continue
		}
		in, err := svc.Instrument(ctx, st.Code)
		if err != nil {
			return nil, err
		}
		var cols []int
		for _, q := range in.Questions() {
			at, ok := questionAt[q.Code]
			if !ok {
				at = len(l.questions)
				questionAt[q.Code] = at
				l.questions = append(l.questions, q.Code+". "+q.Text.VI)
			}
			cols = append(cols, at)
		}
		l.answerCol[in.Code] = cols
		for _, p := range in.Profile {
			if _, ok := l.profileAt[p.Code]; !ok {
				l.profileAt[p.Code] = len(l.profile)
				l.profile = append(l.profile, p.Text.VI)
			}
			for _, c := range p.Choices {
				l.labels[p.Code+"="+c.Code] = c.Label.VI
			}
		}
	}
	return l, nil
}

// WriteResponses streams the responses matching f (oldest first) to out as
// a workbook with one row per response: unit, instrument, survey day, the
// hour it was sent as an Excel time in the province's zone (clock), one
// column per question (1–5, blank when not applicable; the header gives
// the code and the question), one per profile question (the choice's
// label), one per quality flag, source, filling time and comment. Rows are
// streamed (workbook.StreamSheet: deflated into a temporary file as they
// come) and the file is zipped straight into out. progress, if not nil, is
// called every 10,000 rows with the count so far.
func WriteResponses(ctx context.Context, db *store.DB, f store.ResponseFilter, clock parindex.Clock, out io.Writer, progress func(int)) (ResponsesSummary, error) {
	l, err := loadResponseLayout(ctx, db, f)
	if err != nil {
		return ResponsesSummary{}, err
	}
	w := workbook.New("Phiếu khảo sát sự hài lòng")
	defer w.Close()
	footer, err := responsesFooter(ctx, db, f, clock)
	if err != nil {
		return ResponsesSummary{}, err
	}
	w.SetFooter(footer)
	cols := []workbook.Column{
		{Title: "Mã đơn vị", Width: 9, Format: workbook.Code, Key: true},
		{Title: "Đơn vị", Width: 24},
		{Title: "Bộ câu hỏi", Width: 11, Format: workbook.Code},
		{Title: "Ngày khảo sát", Width: 11, Format: workbook.Date},
		{Title: ColumnResponseTime, Width: 15, Format: workbook.DateTime},
	}
	for _, q := range l.questions {
		cols = append(cols, workbook.Column{Title: q, Width: 11, Format: workbook.Integer})
	}
	for _, p := range l.profile {
		cols = append(cols, workbook.Column{Title: p, Width: 13, Format: workbook.Code})
	}
	for _, fl := range responseFlags {
		cols = append(cols, workbook.Column{Title: fl.title, Width: 11, Format: workbook.Code})
	}
	cols = append(cols,
		workbook.Column{Title: "Nguồn", Width: 8, Format: workbook.Code},
		workbook.Column{Title: "Thời gian điền (giây)", Width: 9, Format: workbook.Integer},
		workbook.Column{Title: ColumnComment, Width: 50},
	)
	s, err := w.AddStreamSheet(SheetResponses, cols)
	if err != nil {
		return ResponsesSummary{}, err
	}
	firstQuestion := 5
	firstProfile := firstQuestion + len(l.questions)
	firstFlag := firstProfile + len(l.profile)
	row := make([]any, len(cols))
	answers := make([]any, 6) // 0 (blank) and 1–5, boxed once
	for i := 1; i <= 5; i++ {
		answers[i] = i
	}
	var sum ResponsesSummary
	err = db.EachResponse(ctx, f, func(r store.ResponseRow) error {
		clear(row)
		// Dates go in as Excel serials (days since 30/12/1899): a million
		// time.Time values cost excelize a conversion each.
		day := excelDay(r.Day.Year, time.Month(r.Day.Month), r.Day.Day)
		local := clock.In(r.Submitted)
		row[0], row[1], row[2], row[3] = r.UnitCode, r.UnitName, r.Instrument, day
		// Half a second on top: LibreOffice truncates to the minute, and
		// 16:00 as a fraction of a day is a hair below it in binary.
		row[4] = excelDay(local.Year(), local.Month(), local.Day()) + (float64(local.Hour()*3600+local.Minute()*60)+0.5)/86400
		at := l.answerCol[r.Instrument]
		for i := 0; i < len(r.Answers) && i < len(at); i++ {
			if d := r.Answers[i] - '0'; d >= 1 && d <= 5 {
				row[firstQuestion+at[i]] = answers[d]
			}
		}
		for rest := r.Profile; rest != ""; {
			var kv string
			kv, rest, _ = strings.Cut(rest, ";")
			code, choice, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			if at, ok := l.profileAt[code]; ok {
				label := l.labels[kv]
				if label == "" {
					label = choice
				}
				row[firstProfile+at] = label
			}
		}
		if r.Flags != "" {
			for i, fl := range responseFlags {
				if hasFlag(r.Flags, fl.code) {
					row[firstFlag+i] = "có"
				}
			}
		}
		row[len(cols)-3], row[len(cols)-2], row[len(cols)-1] = r.Source, r.FillSeconds, r.Comment
		if err := s.Append(row...); err != nil {
			return err
		}
		sum.Rows++
		if progress != nil && sum.Rows%10000 == 0 {
			progress(sum.Rows)
		}
		if sum.Rows%1000 == 0 {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	sum.Cut = s.Cut
	if err := s.Finish(); err != nil {
		return sum, err
	}
	if err := w.Write(out); err != nil {
		return sum, fmt.Errorf("export: responses: %w", err)
	}
	return sum, nil
}

// hasFlag says whether the comma-separated flags hold flag.
func hasFlag(flags, flag string) bool {
	for rest := flags; rest != ""; {
		var f string
		f, rest, _ = strings.Cut(rest, ",")
		if strings.TrimSpace(f) == flag {
			return true
		}
	}
	return false
}

// excelEpoch is day 0 of Excel's dates (it counts 1900 as a leap year,
// so serials from March 1900 on are days since 30 December 1899).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelDay is the Excel serial of a day.
func excelDay(y int, m time.Month, d int) float64 {
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(excelEpoch) / (24 * time.Hour))
}

// responsesFooter names on every printed page what the rows are: the
// unit (or the whole province) and the days.
func responsesFooter(ctx context.Context, db *store.DB, f store.ResponseFilter, clock parindex.Clock) (string, error) {
	scope := "Toàn tỉnh"
	if f.UnitID != 0 {
		units, err := db.FindOrgUnits(ctx, store.OrgFilter{ID: f.UnitID})
		if err != nil {
			return "", err
		}
		if len(units) == 1 {
			scope = units[0].Name
		}
	}
	days := "mọi ngày"
	switch {
	case !f.From.IsZero() && !f.To.IsZero():
		days = clock.FormatDate(f.From) + " – " + clock.FormatDate(f.To)
	case !f.From.IsZero():
		days = "từ " + clock.FormatDate(f.From)
	case !f.To.IsZero():
		days = "đến " + clock.FormatDate(f.To)
	}
	return "Phiếu khảo sát sự hài lòng · " + scope + " · " + days, nil
}
