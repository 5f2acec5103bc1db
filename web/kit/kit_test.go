package kit_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/internal/imports"
	"parindex/web/kit"
)

// The kernel sits under every feature: it may import neither the server
// (package web) nor a feature package, or a feature could reach the server
// around kit.Host.
func TestKitImportsNoWebPackage(t *testing.T) {
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Imports {
			if path == "parindex/web" || strings.HasPrefix(path, "parindex/web/") {
				t.Errorf("%s imports %s", f.Name, path)
			}
		}
	}
}

func contextWith(route, value, query string) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/x?"+query, nil)
	c.Params = gin.Params{{Key: route, Value: value}}
	return c
}

func TestIDParamAcceptsOnlyPositiveIDs(t *testing.T) {
	for value, want := range map[string]int64{"1": 1, "42": 42, "9223372036854775807": 9223372036854775807} {
		if got, err := kit.IDParam(contextWith("id", value, ""), "id"); err != nil || got != want {
			t.Errorf("IDParam(%q) = %d, %v; want %d", value, got, err, want)
		}
	}
	for _, value := range []string{"", "0", "-3", "abc", "1e3", "12a", " 7", "9223372036854775808"} {
		if _, err := kit.IDParam(contextWith("id", value, ""), "id"); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("IDParam(%q): %v, want a not-found error", value, err)
		}
	}
}

func TestQueryIntSaysWhenAbsentOrMalformed(t *testing.T) {
	cases := []struct {
		query string
		n     int
		ok    bool
	}{{"page=3", 3, true}, {"page=%203%20", 3, true}, {"page=-2", -2, true}, {"", 0, false}, {"page=", 0, false}, {"page=x", 0, false}, {"page=2.5", 0, false}}
	for _, tc := range cases {
		n, ok := kit.QueryInt(contextWith("", "", tc.query), "page")
		if n != tc.n || ok != tc.ok {
			t.Errorf("QueryInt(%q) = %d, %v; want %d, %v", tc.query, n, ok, tc.n, tc.ok)
		}
	}
}

func TestCleanUploadNameKeepsABaseName(t *testing.T) {
	for in, want := range map[string]string{
		"bao-cao.xlsx":             "bao-cao.xlsx",
		`C:\Users\an\Báo cáo.xlsx`: "Báo cáo.xlsx",
		"../../etc/passwd":         "passwd",
		"/":                        "upload",
		"..":                       "upload",
		"\xff\xfe.csv":             "upload",
		strings.Repeat("a", 300):   strings.Repeat("a", 200),
	} {
		if got := kit.CleanUploadName(in); got != want {
			t.Errorf("CleanUploadName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShownProblemsStopsAtTwoHundred(t *testing.T) {
	many := make(parindex.InputErrors, 250)
	if got := len(kit.ShownProblems(many)); got != 200 {
		t.Errorf("250 problems show %d, want 200", got)
	}
	if got := len(kit.ShownProblems(many[:3])); got != 3 {
		t.Errorf("3 problems show %d, want 3", got)
	}
}
