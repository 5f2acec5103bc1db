// Package workbook is the product's one helper for Excel workbooks (.xlsx):
// every export (criteria frameworks, scorecards, rankings) writes through
// it, so that all of them look alike and behave alike in a Vietnamese
// office:
//
//   - styles created once per workbook and reused (header, text, codes kept
//     as text, integers, points, percentages, dates), with number formats
//     that Excel shows with the reader's own separators (1.234,5 on a
//     Vietnamese system);
//   - safe sheet names (at most 31 characters, none of []:*?/\);
//   - a styled, frozen header row, column widths and an auto-filter;
//   - drop-down lists for columns with a closed vocabulary;
//   - RFC 5987 Content-Disposition headers for download names such as
//     "Bộ tiêu chí - province-departments-2026.xlsx";
//   - opening uploaded workbooks with size limits and reading the raw cell
//     values (never the displayed text, which number formats round) with
//     the row numbers users see.
//
// It may import excelize, golang.org/x/text and the root package (for
// InputError); it knows nothing of what the sheets mean and must never
// import store, web or any domain package.
package workbook
