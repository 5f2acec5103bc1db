// Package kit is the request kernel every page handler of the web server
// uses, in package web and in its feature packages (web/assessment): who is
// asking (CurrentUser, Actor, RequestID), typed parameters (IDParam,
// QueryInt, FormID), the catalogue's text in the reader's language (T,
// Pick, Number, Points), names instead of codes (Names), the one table from
// domain error codes to HTTP statuses (HTTPStatus), and Host: what a
// feature asks of the server (rendering a page, answering an error, the
// session's flash, the one authorisation policy, the upload flow).
//
// It imports no feature package and never package web.
package kit
