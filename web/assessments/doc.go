// Package assessments serves the self-assessment and appraisal pages
// (docs/assessment.md): an agency's sheet with live points, one leaf's page
// with evidence, comments and explanations, the Excel round trip, the
// transitions of the yearly cycle, the inbox, the appraisers' queue and
// DoHA's progress page. The rules are package assessment's; the SQL is
// store's; what is shared with every other page (layout, answers, session,
// policy, uploads) is the server's, reached through kit.Host.
package assessments
