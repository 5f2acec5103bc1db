// Package dashboard assembles the staff dashboards: the province overview
// (ranking, bands, heatmap of areas, index over the years, funnel plot of
// satisfaction), one agency's page (scorecard tree, radar against its
// peers, survey results, comments, QR links) and the panels of a QR link's
// integrity drill-down (responses by hour, kept five-minute slots, devices). It reads published snapshots
// and survey results and returns view models: figures, data tables and
// chart options built with go-echarts.
//
// Charts are data, never code: every option is encoded with encoding/json
// (which escapes <, > and &) and read by a static script from a JSON data
// block; nothing here uses go-echarts' page templates, snippet scripts or
// JS-function markers, so a unit's name can only ever appear as text.
//
// It may import store, survey, snapshot, scoring, criteria, integrity,
// stats and vn;
// never web: the web package renders what it returns and decides who may
// see it.
package dashboard
