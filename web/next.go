package web

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNextLength bounds a redirect target. The app's own links are far
// shorter, and the login form carries the target back and forth.
const maxNextLength = 2048

// safeNext returns next, re-serialised (path, query, fragment), when it is
// a path on this site, and "" otherwise. It decides what a browser would
// do with the Location, not what Go's parser says: browsers delete tab, CR
// and LF anywhere in a URL ("/\t/evil" is "//evil"), read a backslash as a
// slash in http URLs ("/\evil" is "//evil"), and a router or proxy in front
// of the app may decode "%2F" and "%5C" before it routes. So only one
// leading slash is accepted, no backslash, space or non-printing character
// anywhere (raw, or in the decoded path), no empty or dot segment in the
// path (after "/.//evil" is resolved, the path is "//evil", a
// scheme-relative reference wherever it is copied into a link), and
// nothing that parses with a scheme, host, user or opaque part. The app
// never links to such a path, so refusing costs nothing.
func safeNext(next string) string {
	if next == "" || len(next) > maxNextLength || !utf8.ValidString(next) {
		return ""
	}
	if next[0] != '/' || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, r := range next {
		if r == '\\' || r == ' ' || !unicode.IsPrint(r) {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.OmitHost || !safePath(u.Path) {
		return ""
	}
	out := u.EscapedPath()
	if u.ForceQuery || u.RawQuery != "" {
		out += "?" + escapeNonASCII(u.RawQuery)
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out
}

// safePath checks a percent-decoded path: it starts with one slash, has no
// empty, "." or ".." segment and no backslash, and prints.
func safePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.Contains(p, `\`) || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	for _, segment := range strings.Split(p[1:], "/") {
		if segment == "." || segment == ".." {
			return false
		}
	}
	return true
}

// escapeNonASCII percent-encodes the bytes of s outside ASCII, as a browser
// does to a query before it sends it.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// safeNextOr is safeNext with a fallback for a refused target.
func safeNextOr(next, fallback string) string {
	if n := safeNext(next); n != "" {
		return n
	}
	return fallback
}
