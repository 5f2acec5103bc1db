package metricsxlsx

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/workbook"
)

// Sheet names of the metrics template. The lists live on hidden sheets
// with plain ASCII names, so the validation formulas need no quoting.
const (
	dataSheet     = "Số liệu"
	catalogSheet  = "DanhMuc"
	unitsSheet    = "DonVi"
	helpSheet     = "Hướng dẫn"
	validatedRows = 5000 // rows with validated cells
)

// Bytes is the Excel template for importing metrics: the data
// sheet (first and active, the one imports read) with the four columns and
// validated cells (unit and metric from drop-down lists, period as text so
// that Excel does not turn 2026-03 into a date, value a number ≥ 0), a
// short help sheet, and the catalogue and the units on hidden sheets that
// feed the lists.
func Bytes(catalog []*parindex.Metric, units []*parindex.OrgUnit) ([]byte, error) {
	w := workbook.New("Mẫu nhập số liệu chỉ số (metrics import template)")
	defer w.Close()
	data, err := w.AddSheet(dataSheet, []workbook.Column{
		{Title: "unit", Width: 14, Format: workbook.Code},
		{Title: "period", Width: 12, Format: workbook.Code},
		{Title: "metric", Width: 30, Format: workbook.Code},
		{Title: "value", Width: 14, Format: workbook.Number},
	})
	if err != nil {
		return nil, err
	}
	if err := data.Finish(); err != nil {
		return nil, err
	}
	help, err := w.AddSheet(helpSheet, []workbook.Column{{Title: "Hướng dẫn (how to fill in)", Width: 110, Format: workbook.Text}})
	if err != nil {
		return nil, err
	}
	for _, line := range []string{
		"Mỗi dòng của sheet “" + dataSheet + "” là một số liệu: đơn vị, kỳ, chỉ số, giá trị. (One figure per row: unit, period, metric, value.)",
		"unit: mã đơn vị, chọn trong danh sách. (Unit code, from the list.)",
		"period: 2026-03 (tháng), 2026-Q1 (quý) hoặc 2026 (năm). Số liệu năm được cộng dồn từ tháng, quý theo quy tắc của từng chỉ số, trừ khi nhập giá trị năm. (Month, quarter or year; a year is derived from months and quarters by each metric's rule unless a yearly value is given.)",
		"metric: mã chỉ số, chọn trong danh sách; tên và quy tắc cộng dồn ở sheet ẩn “" + catalogSheet + "” (chuột phải vào tên sheet → Unhide). (Metric code from the list; names and rules on the hidden sheet.)",
		"value: số không âm, không dùng dấu phân cách hàng nghìn. (A number ≥ 0, no thousands separators.)",
		"Cả tệp được kiểm tra trước; nếu có lỗi, không số liệu nào được ghi và mọi lỗi được liệt kê theo dòng, cột. Nhập lại cùng tệp không ghi trùng; giá trị khác với giá trị đã có được ghi là đính chính (lưu lịch sử, nhật ký). (The whole file is checked first; nothing is written when any row is wrong. Re-importing is harmless; a different value is a correction, kept in history and the audit log.)",
	} {
		if _, err := help.Append(false, line); err != nil {
			return nil, err
		}
	}
	cat, err := w.AddSheet(catalogSheet, []workbook.Column{
		{Title: "code", Width: 30, Format: workbook.Code}, {Title: "name_vi", Width: 60}, {Title: "name_en", Width: 50},
		{Title: "unit", Width: 14}, {Title: "combine", Width: 10, Format: workbook.Code}, {Title: "self_report", Width: 10, Format: workbook.Code},
		{Title: "description", Width: 60},
	})
	if err != nil {
		return nil, err
	}
	for _, m := range catalog {
		self := "không"
		if m.SelfReport {
			self = "có"
		}
		if _, err := cat.Append(false, m.Code, m.NameVI, m.NameEN, m.Unit, string(m.Combine), self, m.Description); err != nil {
			return nil, err
		}
	}
	us, err := w.AddSheet(unitsSheet, []workbook.Column{{Title: "code", Width: 14, Format: workbook.Code}, {Title: "name", Width: 50}, {Title: "type", Width: 16}})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if _, err := us.Append(false, u.Code, u.Name, u.Type); err != nil {
			return nil, err
		}
	}
	raw, err := w.Bytes()
	if err != nil {
		return nil, err
	}
	// The workbook helper writes sheets and styles; hiding sheets and
	// validating cells against a range on another sheet are done on the
	// written file.
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
	}
	defer f.Close()
	last := strconv.Itoa(validatedRows + 1)
	list := func(col, sheet string, n int, prompt, errMsg string) error {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + last)
		dv.SetSqrefDropList(fmt.Sprintf("%s!$A$2:$A$%d", sheet, max(n+1, 2)))
		dv.SetInput(col, prompt)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", errMsg)
		return f.AddDataValidation(dataSheet, dv)
	}
	if err := list("A", unitsSheet, len(units), "Chọn mã đơn vị (unit code)", "Chọn một mã đơn vị trong danh sách (choose a unit code from the list)"); err != nil {
		return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
	}
	if err := list("C", catalogSheet, len(catalog), "Chọn mã chỉ số (metric code)", "Chọn một mã chỉ số trong danh mục (choose a metric code from the catalogue)"); err != nil {
		return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
	}
	period := excelize.NewDataValidation(true)
	period.SetSqref("B2:B" + last)
	if err := period.SetRange(4, 7, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween); err != nil {
		return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
	}
	period.SetInput("period", "2026-03 (tháng), 2026-Q1 (quý), 2026 (năm)")
	period.SetError(excelize.DataValidationErrorStyleStop, "Kỳ không hợp lệ", "Kỳ dạng 2026-03, 2026-Q1 hoặc 2026 (period as 2026-03, 2026-Q1 or 2026)")
	value := excelize.NewDataValidation(true)
	value.SetSqref("D2:D" + last)
	if err := value.SetRange(0, parindex.MaxMetricValue, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
		return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
	}
	value.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Giá trị là số không âm (value must be a number ≥ 0)")
	for _, dv := range []*excelize.DataValidation{period, value} {
		if err := f.AddDataValidation(dataSheet, dv); err != nil {
			return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
		}
	}
	for _, sheet := range []string{catalogSheet, unitsSheet} {
		if err := f.SetSheetVisible(sheet, false); err != nil {
			return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
		}
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		return nil, fmt.Errorf("metricsxlsx: unable to write the template: %w", err)
	}
	return out.Bytes(), nil
}
