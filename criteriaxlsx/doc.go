// Package criteriaxlsx lays a criteria framework out as an Excel workbook
// and reads the same layout back, for DoHA staff who prefer to draft a
// year's criteria in Excel rather than in YAML.
//
// The layout (documented for users in docs/criteria-format.md):
//
//   - sheet "Bộ tiêu chí" (framework): one row per framework-level key,
//     columns key, value and an explanation that is ignored on reading;
//   - sheet "Xếp loại" (bands): one row per band, highest first;
//   - sheet "Tiêu chí" (nodes): one row per node in tree order, with its
//     parent's code, its name, max, method and one column per method
//     parameter; tiers are written "min: points; min: points; …";
//   - sheet "Hướng dẫn" (guide): help text, ignored on reading.
//
// Every key of the YAML format has a cell, so a framework survives the
// round trip YAML → Excel → YAML byte for byte (criteria.Marshal). Reading
// reports every problem at once as parindex.InputErrors naming the sheet,
// row and column; the tree rules are criteria.Validate's, mapped back from
// nodes to their rows.
//
// It is separate from package workbook because workbook is the product's
// generic Excel helper (styles, names, downloads, raw reading) and must not
// know criteria, while criteria must stay free of excelize. It imports
// criteria, workbook and the root package; never store or web.
package criteriaxlsx
