// Package assessment is the model of an agency's yearly self-assessment
// against a published criteria framework and of its appraisal
// (docs/assessment.md), as plain values and the rules about them.
//
// It owns:
//   - the assessment (Assessment, Ref), its states and transitions
//     (State, Transition, NextState, Assessment.Next), the deadline stages
//     and when a sheet locks (Locked, AgencyMayEdit, AgencyMayExplain);
//   - the leaf values (LeafValue) by stage: the agency's own (Entry,
//     MetricValue), round 1's and round 2's decisions (Appraisal), the
//     final value (AppraisedValue, ScoringInputs);
//   - the entry checks: what a clerk or an appraiser may enter for a leaf
//     of each kind (CheckLeafValue, CheckMetricValue, CheckEntries), every
//     problem in Vietnamese and English (EntryError), and when the agency
//     may edit, explain, add evidence or be reopened (CheckEdit,
//     CheckExplanation, CheckEvidence, CheckReopen);
//   - appraisal decisions (Assessment.Decide, Assessment.Record);
//   - pending work per role, what waits for whom next (Cycle.Work,
//     Cycle.Queue), and the progress counts of a cycle (Cycle.Progress,
//     AppraiserLoads, UnassignedAreas).
//
// The package is pure. It may import only the standard library, parindex
// (dates, errors with codes, users and the authorisation policy) and
// parindex/criteria. It must never import database/sql or any SQL driver,
// net/http or gin, os, math/rand, the store or web, and it never reads the
// clock: a day (parindex.Date) or a time is an argument, time.Time only a
// type (imports_test.go checks all of this). The store loads and saves the
// model's values and asks its rules inside its transactions, where the
// audit rows are written too; the web pages build a Cycle from what the
// store returns and the server's today, and show what the model answers.
//
// parindex does not import this package (it is imported by it): who may
// make a transition stays parindex.Can's decision, asked with
// Transition.Action.
package assessment
