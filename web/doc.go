// Package web is the HTTP side of parindex: the gin engine inside an
// http.Server, its middleware (request ids, structured logs, security headers
// with a per-request CSP nonce, cross-origin protection, Prometheus metrics,
// clean 500s), health endpoints, page templates (one set per page, rendered
// into a buffer) and embedded static assets under content-hashed URLs.
//
// Handlers are thin: parse, authorise, call the store, render. web may import
// config, store and the root domain package; it must never import the command
// line, and SQL never appears here.
package web
