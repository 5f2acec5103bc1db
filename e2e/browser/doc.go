// Package browser holds end-to-end tests that drive a real headless Chromium
// (through chromedp) against the real web server, in-process on a real port
// over a SQLite copy of the demo province (seeded once per run), or for the
// crawl also over a PostgreSQL schema seeded for it. It has no code besides
// its tests.
//
// What runs:
//
//   - a citizen on a 390×844 phone (mobile and touch emulation) opens a QR
//     link, answers every question, sends, sees the thanks, and the response
//     is stored for the link's unit with the answers pressed; the same with
//     page scripts disabled;
//   - a form sent with a question unanswered comes back with the error
//     summary first, linking to the question, and the other answers kept;
//   - an agency clerk logs in through the form, self-scores a leaf and
//     uploads its evidence, the agency's leader submits, and after round 1
//     opens the area's appraiser adjusts the leaf: the database holds each step;
//   - the overview dashboard draws every chart with the embedded ECharts, with
//     no console error and no request to any host but the server;
//   - the agency page's Excel scorecard downloads and opens as a workbook
//     naming the agency;
//   - every kind of demo user (and the administrator in English) crawls the
//     site from the home page: no page shows an internal code where people
//     read names, and no link or GET form answers an error to the user who
//     sees it (docs/testing.md), on SQLite and, with PARINDEX_TEST_POSTGRES,
//     on PostgreSQL;
//   - axe-core checks the survey form (fresh and with errors), the thank-you
//     page, the login page and the overview dashboard against the WCAG 2.0 and
//     2.1 A and AA rules; every violation is printed with its elements.
//
// What it needs: Chromium on PATH (chromium, chromium-browser or
// google-chrome; Debian: apt-get install chromium), ECharts embedded in the
// server (make vendor-echarts, before the test binary is built) and axe-core
// in testdata/axe.min.js (make vendor-axe); both are fetched from the npm
// registry at a pinned version with a checked SHA-256 and are not committed.
// Without one of them the tests that need it skip, saying why; with
// PARINDEX_TEST_BROWSER_REQUIRED=1 (as in CI) they fail instead.
//
// To run them locally:
//
//	make vendor-echarts vendor-axe && go test ./e2e/browser/
//
// The package must never be imported: it exists for its tests only.
package browser
