package workbook

// SetRowLimit lowers the rows per streamed sheet, so that tests reach the
// overflow onto a second sheet without writing a million rows.
func (s *StreamSheet) SetRowLimit(n int) { s.limit = n }
