// Package criteria owns the criteria framework (bộ tiêu chí): the tree of
// areas, criteria and sub-criteria that a province issues each year to
// score its agencies, the way each leaf earns points (its method), the
// bands (xếp loại) and the rounding rule.
//
// It owns:
//   - the model (Framework, Node, Band, Tier and the Method, MissingPolicy
//     and Measure vocabularies) and the tree helpers the scoring engine
//     needs (walk, find, parent, leaves, maxima, metrics a leaf reads,
//     compiled formulas, rounding and banding of the index);
//   - the YAML file format: Parse reads it with line numbers and reports
//     every problem at once as FILE:LINE: node CODE: message; Marshal writes
//     the canonical form that Framework.Hash is computed from;
//   - Diff between two frameworks (year to year, or draft to published);
//   - the metrics a framework needs (MetricNeeds) and what a unit lacks of
//     them for a period (Check), given the metrics it has and the catalogue,
//     and what the frameworks of an agency type need together (NeededBy);
//   - the embedded reference frameworks and the catalogue of metric names
//     they use (ReferenceMetrics).
//
// The package is pure: it is data and rules, so it is where correctness is
// tested densely. Besides the standard library it imports only YAML, expr and
// stats (for the one half-up rounding helper). It must never import database/sql or any SQL driver, net/http
// or gin, excelize, the store or scoring packages, and it must never read the
// clock or any other hidden state. Callers that know more (the survey
// instruments in the database, for example) pass that knowledge in, as
// CheckSurveyRefs does.
//
// The file format is documented for users in docs/criteria-format.md at the
// root of the repository; keep the two in step.
package criteria
