package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"parindex/store"
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

// WriteResponses streams the responses matching f (oldest first) to out as
// a workbook with one row per response: unit, instrument, day, hour, the
// answers (one digit per question in instrument order, 0 = not applicable),
// profile, quality flags, source, filling time and comment. Rows pass
// through excelize's stream writer (spilling to a temporary file) and the
// file is zipped straight into out. progress, if not nil, is called every
// 10,000 rows with the count so far.
func WriteResponses(ctx context.Context, db *store.DB, f store.ResponseFilter, out io.Writer, progress func(int)) (ResponsesSummary, error) {
	w := workbook.New("Phiếu khảo sát sự hài lòng")
	defer w.Close()
	s, err := w.AddStreamSheet(SheetResponses, []workbook.Column{
		{Title: "Mã đơn vị", Width: 10, Format: workbook.Code},
		{Title: "Đơn vị", Width: 30},
		{Title: "Bộ câu hỏi", Width: 12, Format: workbook.Code},
		{Title: "Ngày", Width: 11, Format: workbook.Date},
		{Title: "Giờ", Width: 6, Format: workbook.Integer},
		{Title: "Câu trả lời (0 = không áp dụng, 1–5)", Width: 26, Format: workbook.Code},
		{Title: "Thông tin người trả lời", Width: 26},
		{Title: "Cờ chất lượng", Width: 16},
		{Title: "Nguồn", Width: 8, Format: workbook.Code},
		{Title: "Thời gian điền (giây)", Width: 10, Format: workbook.Integer},
		{Title: "Góp ý", Width: 60},
	})
	if err != nil {
		return ResponsesSummary{}, err
	}
	var sum ResponsesSummary
	err = db.EachResponse(ctx, f, func(r store.ResponseRow) error {
		day := time.Date(r.Day.Year, time.Month(r.Day.Month), r.Day.Day, 0, 0, 0, 0, time.UTC)
		if err := s.Append(r.UnitCode, r.UnitName, r.Instrument, day, r.Hour, r.Answers, r.Profile,
			strings.ReplaceAll(r.Flags, ",", ", "), r.Source, r.FillSeconds, r.Comment); err != nil {
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
