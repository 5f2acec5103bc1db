// Package export owns the layouts of the product's Excel exports: an
// agency's scorecard, the province ranking, survey results and the raw
// responses. Every workbook is written through the workbook package (styles,
// print set-up, safe sheet names, download names); figures come from stored
// snapshots (snapshot, scoring) and survey results (survey), read through
// store.
//
// It may import workbook, snapshot, scoring, criteria, survey, integrity,
// store, vn, i18n (labels such as unit types) and the root package; never
// web or the command line.
package export
