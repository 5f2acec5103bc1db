package web_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/survey"
)

var testActor = parindex.Actor{Name: "test"}

// withSurvey publishes the reference instrument on a test server.
func withSurvey(t *testing.T, ts *testServer) *parindex.StoredInstrument {
	t.Helper()
	in, err := survey.EnsureReference(context.Background(), ts.DB, testActor, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func mustLink(t *testing.T, db *store.DB, unit, counter string) *parindex.SurveyLink {
	t.Helper()
	links, err := db.CreateLinks(context.Background(), testActor, []store.LinkSpec{{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: unit, CounterLabel: counter}})
	if err != nil {
		t.Fatal(err)
	}
	return links[0]
}

func unitLinks(t *testing.T, db *store.DB, code string) []*parindex.SurveyLink {
	t.Helper()
	links, err := db.FindLinks(context.Background(), store.LinkFilter{UnitID: unitID(t, db, code)})
	if err != nil {
		t.Fatal(err)
	}
	return links
}

func auditOf(t *testing.T, db *store.DB, action string) []parindex.AuditEntry {
	t.Helper()
	all, err := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: "survey_link", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []parindex.AuditEntry
	for _, a := range all {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// surveyFormKeys reads the public survey form's hidden key and time stamp,
// as url.Values a citizen's browser sends back with the answers.
func surveyFormKeys(t *testing.T, form response) url.Values {
	t.Helper()
	keys := url.Values{}
	for _, name := range []string{"k", "ts"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(form.Body)
		if m == nil {
			t.Fatalf("the form has no %s", name)
		}
		keys.Set(name, m[1])
	}
	return keys
}

// postFile sends a multipart form with one file, as a browser does.
func (c *client) postFile(path, field, name string, content []byte, fields map[string]string) response {
	c.t.Helper()
	if field == "" {
		name = "" // a form without a file
	} else if field != "file" {
		c.t.Fatalf("postFile: the file goes in field \"file\", not %q", field)
	}
	values := url.Values{}
	for k, v := range fields {
		values.Set(k, v)
	}
	return c.do(fileRequest(c, path, name, content, values))
}
