package survey_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"parindex/store/storetest"
	"parindex/survey"
)

// When the database cannot be read, opening a form and sending one both
// answer 503 with a Retry-After and a page that says what to do: reload the
// page, or send the answers again.
func TestDatabaseDownAnswersTryAgain(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	fs := newFormServer(t, db, survey.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p := fs.phone(t)
	hidden, radios, _ := p.open() // the link is now cached; the next token is not
	other := survey.NewLinkToken()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	r := p.do(http.MethodGet, "/s/"+other, nil, "")
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("GET with the database down = %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	for _, want := range []string{"chưa mở được phiếu khảo sát", `href="/s/` + other + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("GET with the database down: page lacks %q:\n%s", want, r.Body)
		}
	}

	form := filled(hidden, radios, "4")
	r = p.do(http.MethodPost, "/s/"+fs.Link.Token, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("POST with the database down = %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.Body, "phiếu chưa được ghi nhận") {
		t.Errorf("POST with the database down: page lacks the not-saved message:\n%s", r.Body)
	}
}
