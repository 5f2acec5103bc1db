// Package integrity judges whether a counter's QR ratings can be believed
// (issue 22). Given what the store gathers per link and per unit for a
// period (plain structs, model.go), Assess computes each indicator with its
// test from stats (response rate, share outside office hours, the busiest
// five minutes against the link's own arrival rate, device concentration,
// repeated answer vectors, quality-flag shares, top-box share against the
// province's funnel, the gap to an independent sample) and labels each
// link and unit credible, check or doubtful under a versioned policy
// (policy.yaml, embedded; ParsePolicy reads a replacement strictly).
// docs/integrity.md, explains each test.
//
// The package is pure: it imports only the standard library, the YAML
// reader, parindex, parindex/stats and parindex/vn; never SQL, HTTP, files
// or a clock. The store gathers the aggregates (store/integrity.go); the
// command line, the pages, the API and the survey workbook show the report,
// the command line's --json and the API in its one JSON form (Document).
package integrity
