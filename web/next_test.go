package web

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileNext is a corpus of open-redirect bypasses, as a form value
// arrives after decoding (a literal "%09" in an entry is the value a
// browser sends as "%2509"). safeNext refuses every one of them.
var hostileNext = []string{
	// Scheme-relative references, and what browsers turn into one.
	"//evil.example",
	"//evil.example/app",
	"///evil.example",
	"////evil.example",
	"/\\evil.example",
	"\\\\evil.example",
	"\\/evil.example",
	"/\\/evil.example",
	"/app\\..\\..\\\\evil.example",
	"//evil.example\\@parindex.example",
	"//%09evil.example",
	"//evil.example%E3%80%82com",
	// Tab, CR and LF are removed by browsers before parsing: "/\t/x" is "//x".
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r/evil.example",
	"/\r\n/evil.example",
	"\t//evil.example",
	// The same, encoded once more: the path decodes to a control character.
	"/%09/evil.example",
	"/%0a/evil.example",
	"/%0D%0A/evil.example",
	"/%0d%0aSet-Cookie:%20x=y",
	"/%00",
	"/%7F",
	"/%C2%85/evil.example",
	"/%E2%80%AE/evil.example",
	// Percent-encoded slashes and backslashes that a decoding proxy or router
	// would see as "//" or "/\".
	"/%2F%2Fevil.example",
	"/%2f%2fevil.example",
	"/%2F/evil.example",
	"/%5Cevil.example",
	"/%5cevil.example",
	"/%5C%5Cevil.example",
	"/app/%5c..%5c",
	// Absolute URLs, in every case, and other schemes.
	"https://evil.example",
	"https:evil.example",
	"http:/evil.example",
	"HtTpS://evil.example",
	"http://localhost@evil.example",
	"http://parindex.example@evil.example/app",
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	" javascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)",
	"mailto:x@evil.example",
	"file:///etc/passwd",
	// Spaces, controls and other non-printing characters, raw.
	"/ /evil.example",
	" /app",
	"/app ",
	"/app?q=Hà Nội",
	"/\x00",
	"/app\x00",
	"/app\x7f",
	"/\u0085/evil.example",
	"/\u200b/evil.example",
	"/\u202e/evil.example",
	"/\u00a0/evil.example",
	"/\u3000/evil.example",
	"/\u2028/evil.example",
	"\ufeff/app",
	"/\xff",
	// Look-alike slashes (fullwidth, division, fraction): not a leading "/".
	"／／evil.example",
	"\u2215\u2215evil.example",
	"\u2044\u2044evil.example",
	"ⓔⓥⓘⓛ.example",
	// Dot segments: "/.//evil" resolves to the path "//evil", which is a
	// scheme-relative reference wherever it is copied into a link.
	"/.//evil.example",
	"/./evil.example",
	"/../evil.example",
	"/app/..//evil.example",
	"/%2e%2e//evil.example",
	"/%2E/evil.example",
	"/app//evil.example",
	// Not a path at all.
	"",
	"evil.example",
	"app",
	"./app",
	"?next=//evil.example",
	"#//evil.example",
	"/%",
	"/%u002f%u002fevil.example",
	"/" + strings.Repeat("a", 4096),
}

// legitimateNext are targets the app itself produces; they come back
// exactly as given.
var legitimateNext = []string{
	"/",
	"/app",
	"/app/units/",
	"/app/units/SNV/dashboard?year=2026",
	"/app/assessments/3#leaf-1.2",
	"/app/units/SNV?tab=metrics&year=2026#chart",
	"/admin/audit?actor=admin&page=2",
	"/app/survey/responses?unit=SNV&q=" + url.QueryEscape("Phường Hồng Hà, tỉnh Minh Giang"),
	"/app/units/SNV?name=S%E1%BB%9F%20N%E1%BB%99i%20v%E1%BB%A5",
	"/app/evidence/B%C3%A1o%20c%C3%A1o%202026.pdf",
	"/app/responses?from=2026-01-01&to=2026-03-31",
	"/app?",
}

// sameSiteNext are odd targets that stay on this site: accepted, in the
// re-serialised form a browser would request.
var sameSiteNext = map[string]string{
	"/\u2215evil.example":       "/%E2%88%95evil.example",
	"/／evil.example":            "/%EF%BC%8Fevil.example",
	"/%252F%252Fevil.example":   "/%252F%252Fevil.example",
	"/app?next=//evil.example":  "/app?next=//evil.example",
	"/app#//evil.example":       "/app#//evil.example",
	"/javascript:alert(1)":      "/javascript:alert(1)",
	"/app?q=Hà":                 "/app?q=H%C3%A0",
	"/app/Sở":                   "/app/S%E1%BB%9F",
	"/@evil.example":            "/@evil.example",
	"/app?x=%0d%0aSet-Cookie:x": "/app?x=%0d%0aSet-Cookie:x",
}

func TestSafeNextRefusesOpenRedirects(t *testing.T) {
	if len(hostileNext) < 40 {
		t.Fatalf("only %d hostile targets", len(hostileNext))
	}
	for _, next := range hostileNext {
		if got := safeNext(next); got != "" {
			t.Errorf("safeNext(%q) = %q, want it refused", next, got)
		}
		if got := safeNextOr(next, "/"); got != "/" {
			t.Errorf("safeNextOr(%q, /) = %q", next, got)
		}
	}
	for _, next := range legitimateNext {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it unchanged", next, got)
		}
	}
	for next, want := range sameSiteNext {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
	for _, next := range append(append(hostileNext, legitimateNext...), keysOf(sameSiteNext)...) {
		if got := safeNext(next); got != "" && !staysOnSite(got) {
			t.Errorf("safeNext(%q) = %q, which a browser resolves off the site", next, got)
		}
	}
}

// FuzzSafeNext checks that whatever safeNext accepts stays on this site when
// a browser follows it, is accepted again unchanged, and is plain ASCII.
func FuzzSafeNext(f *testing.F) {
	for _, s := range append(append(hostileNext, legitimateNext...), keysOf(sameSiteNext)...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		if !staysOnSite(got) {
			t.Fatalf("safeNext(%q) = %q, which a browser resolves off the site", next, got)
		}
		if again := safeNext(got); again != got {
			t.Fatalf("safeNext(%q) = %q, but safeNext(%q) = %q", next, got, got, again)
		}
		for i := 0; i < len(got); i++ {
			if got[i] <= ' ' || got[i] >= 0x7f || got[i] == '\\' {
				t.Fatalf("safeNext(%q) = %q holds byte %#x", next, got, got[i])
			}
		}
		if !utf8.ValidString(got) || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
	})
}

// staysOnSite follows target as a browser does from a page of the site
// (the URL Standard: tab and newlines removed, leading and trailing C0
// controls and spaces trimmed, a backslash read as a slash in http(s)
// URLs) and reports whether the result is still on the site, with a path
// that does not begin with "//" once percent-decoded.
func staysOnSite(target string) bool {
	s := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(target)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.ReplaceAll(s, `\`, "/")
	ref, err := url.Parse(s)
	if err != nil {
		return true // a browser does not navigate to an unparseable URL
	}
	base, _ := url.Parse("https://parindex.example/login")
	u := base.ResolveReference(ref)
	decoded, err := url.PathUnescape(u.EscapedPath())
	if err != nil {
		decoded = u.Path
	}
	decoded = strings.ReplaceAll(decoded, `\`, "/")
	return u.Scheme == "https" && u.Host == "parindex.example" && u.User == nil && !strings.HasPrefix(decoded, "//")
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// HostileNext and LegitimateNext are the corpora above, for the tests over
// HTTP in package web_test.
var (
	HostileNext    = hostileNext
	LegitimateNext = legitimateNext
)
