// Package metricsxlsx lays out the Excel template for importing operational
// metrics and reads the rows of a metrics file back, for the import page and
// `parindex metrics import` alike.
//
// The layout:
//
//   - sheet "Số liệu" (data, first and active, the one imports read): the
//     four columns unit, period, metric, value, with validated cells (unit
//     and metric from drop-down lists, period as text so that Excel does not
//     turn 2026-03 into a date, value a number ≥ 0);
//   - sheet "Hướng dẫn": help text, ignored on reading;
//   - hidden sheets "DanhMuc" (the metric catalogue) and "DonVi" (the
//     units) that feed the lists.
//
// Reading takes any table with the four columns in any order, CSV or .xlsx,
// the template filled in or not: the caller opens it through tabular with
// the limits of its channel, and the rows go to store.PutObservations, which
// checks them (parindex.PlanObservations).
//
// It is separate from package workbook because workbook is the product's
// generic Excel helper and must not know metrics, and from web because the
// command line writes and reads the same file. It imports tabular, workbook,
// excelize and the root package; never store or web.
package metricsxlsx
