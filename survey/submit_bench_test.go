package survey_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// BenchmarkSubmit posts complete sipas-2026 forms to a real handler on a
// real SQLite store, as a phone that opened the form a few minutes ago
// would. Each commit reaches the database, so ns/op is mostly SQLite; the
// allocation figures are the handler's.
func BenchmarkSubmit(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(b)
	clk := &clock{t: time.Date(2026, 3, 10, 8, 47, 31, 0, time.UTC)}
	publishedSipas(b, db, clk.Now)
	actor := parindex.Actor{Name: "bench"}
	links, err := db.CreateLinks(ctx, actor, []store.LinkSpec{{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: "SNV", CounterLabel: "Quầy 1"}})
	if err != nil {
		b.Fatal(err)
	}
	token := links[0].Token
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ing := survey.NewIngester(db, log, 0)
	runCtx, stop := context.WithCancel(context.Background())
	go ing.Run(runCtx)
	b.Cleanup(func() { stop(); ing.Wait() })
	h, err := survey.NewHandler(db, ing, survey.Options{SecretKey: secret, Now: clk.Now, Log: log,
		IPPerMinute: 1e9, LinkPerMinute: 1e9, LinkCacheTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	h.Routes(e)

	// What every phone answers; only the hidden fields and the device
	// cookie differ between forms.
	answers := url.Values{"lang": {"vi"}, "p_gender": {"female"}, "p_age_group": {"age_30_44"},
		"comment": {"Cán bộ nhiệt tình, hướng dẫn rõ ràng"}, "dossier": {"H12.345-6789"}, "website": {""}}
	for i, q := range in.Questions() {
		answers.Set(q.Code, string(rune('1'+i%5)))
	}
	openedAt := clk.Now().Add(-3 * time.Minute)
	newRequest := func() *http.Request {
		key, stamp := survey.FormFields(secret, token, openedAt)
		form := url.Values{"k": {key}, "ts": {stamp}}
		for name, v := range answers {
			form[name] = v
		}
		// A distinct dossier per form, or all but the first would be refused as a repeat.
		form.Set("dossier", form.Get("dossier")+"-"+key[:8])
		r := httptest.NewRequest(http.MethodPost, "/s/"+token, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: survey.DeviceCookie, Value: "device-" + key})
		return r
	}
	// One warm-up request loads the link and instrument caches.
	w := httptest.NewRecorder()
	e.ServeHTTP(w, newRequest())
	if w.Code != http.StatusOK {
		b.Fatalf("warm-up submit = %d: %s", w.Code, w.Body)
	}
	requests := make([]*http.Request, b.N)
	recorders := make([]*httptest.ResponseRecorder, b.N)
	for i := range requests {
		requests[i], recorders[i] = newRequest(), httptest.NewRecorder()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e.ServeHTTP(recorders[i], requests[i])
	}
	b.StopTimer()
	for i, w := range recorders {
		if w.Code != http.StatusOK {
			b.Fatalf("submit %d = %d: %s", i, w.Code, w.Body)
		}
	}
}
