// Package assessmentxlsx lays one agency's self-assessment out as an Excel
// workbook that the agency fills in offline, and reads it back.
//
// The layout (documented for users in docs/assessment.md):
//
//   - sheet "Tự đánh giá" (scores): the framework's tree in order, one row
//     per node, with its code, name, maximum and method; on each leaf the
//     cells the agency fills for that method — points or an amount, yes or
//     no, "not applicable", a note — and, for metric-based leaves, the
//     metrics they read. Only those cells are unlocked, and each is
//     validated by Excel to its range (0 to the maximum, 0 to the cap, the
//     yes/no list);
//   - sheet "Số liệu" (metrics): one row per metric the framework's leaves
//     read, with the agency's value and the leaves that use it;
//   - sheet "Hướng dẫn": help text, ignored on reading;
//   - a very hidden sheet "_parindex" with the framework's code and
//     content hash, the unit's code, and the node code of every row of the
//     scores sheet, so that a file for another framework version or
//     another agency is refused and a row whose code was changed is found.
//
// Reading reports every problem at once as parindex.InputErrors naming the
// sheet, row and column, checks values with the assessment model's rules,
// which the store asks too (assessment.CheckLeafValue,
// assessment.CheckMetricValue), and returns the updates for
// store.SaveEntries with the changes they would make, so that the web page
// can show a dry run before anything is applied.
//
// The workbook helper (package workbook) writes the sheets; cell locking,
// per-cell validation, sheet protection and the hidden sheet are not part
// of its API yet, so this package applies them with excelize on the
// written bytes. It imports criteria, assessment (the assessment types and
// the value rules), workbook, excelize and the root package; never store
// or web.
package assessmentxlsx
