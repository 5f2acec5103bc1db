// Package survey owns the citizen-satisfaction survey (SIPAS): survey
// instruments, QR links, the public form and its handlers, submission
// validation, quality flags, ingestion of paper forms and survey results.
//
// An instrument is the questionnaire itself: five-level scale, elements,
// questions, profile questions, comment field and the aggregation rules.
// It is read from YAML (see docs/survey-format.md), validated with
// precise FILE:LINE messages and written back in one canonical form whose
// SHA-256 identifies a published version. The instrument model depends only
// on the standard library and YAML, so it stays testable without a
// database or a web server. Its files split the concerns as criteria's do:
// instrument.go (the model), instrument_parse.go, instrument_validate.go,
// instrument_marshal.go (the canonical writer) and instrument_reference.go
// (the embedded reference instruments).
//
// The package may import stats, store and the web helpers. It must never
// import dashboard, scoring or criteria: those build on survey results,
// not the other way round.
package survey
