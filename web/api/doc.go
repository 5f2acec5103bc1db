// Package api serves /api/v1 to other systems (the one-stop-shop system,
// dashboards) with JSON only. It authenticates by bearer token alone: the
// session cookie of a staff browser is never consulted, so a page a user
// has open cannot call it for them. Every decision goes through
// parindex.Can with the token presented as a user (parindex.APIToken.User).
// docs/api.md is the guide; openapi.json the contract, checked against
// these routes by a test in package web.
package api
