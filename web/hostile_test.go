package web_test

import (
	"context"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parindex/store"
	"parindex/tabular/tabulartest"
)

// underLoad posts a hostile file through send while another client keeps
// asking /healthz, and returns the heap bytes allocated meanwhile and how
// many /healthz answers were not 200. The server must keep answering.
func underLoad(t *testing.T, ts *testServer, send func()) (allocated uint64, healthy, failed int64) {
	t.Helper()
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		cl := &http.Client{Timeout: 5 * time.Second}
		for !stop.Load() {
			resp, err := cl.Get(ts.URL + "/healthz")
			if err != nil || resp.StatusCode != http.StatusOK {
				atomic.AddInt64(&failed, 1)
			} else {
				atomic.AddInt64(&healthy, 1)
			}
			if resp != nil {
				resp.Body.Close()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	send()
	runtime.ReadMemStats(&after)
	time.Sleep(20 * time.Millisecond) // one more /healthz after the refusal
	stop.Store(true)
	wg.Wait()
	return after.TotalAlloc - before.TotalAlloc, healthy, failed
}

// The red-team files, each sent through the page a person would use: an
// agency clerk's own self-assessment upload with a hidden sheet whose rows
// reach column XFD, and DoHA's metrics and paper-form imports with a header
// of a million columns or an .xlsx row reaching XFD. Each is refused with
// the place named, allocating far less than the gigabytes it took before
// (the 250 KB workbook stopped the server), while /healthz keeps answering.
func TestHostileUploadsAreRefusedInBoundedMemory(t *testing.T) {
	eachServer(t, newE2EServer, func(t *testing.T, ts *testServer) {
		withSurvey(t, ts)
		clerk := ts.loggedIn(t, "snv.editor")
		template := clerk.get(e2eSheet + "/template.xlsx")
		wantStatus(t, "template", template, http.StatusOK)
		admin := ts.loggedIn(t, "admin")

		hidden := tabulartest.WithRows(t, []byte(template.Body), "_parindex", tabulartest.SparseRows(1000, 46_000, "XFD"))
		wide := "unit,metric,period,value," + strings.Repeat("x,", 1_000_000) + "\n" + strings.Repeat("SNV,m,2026,1"+strings.Repeat(",", 20_000)+"\n", 300)
		// Rows that stay within the columns but never end: a sheet of the
		// workbook hands out 500,000 cells at most.
		long := tabulartest.WithRows(t, []byte(template.Body), "Tự đánh giá", tabulartest.SparseRows(5000, 60_000, "A", "BL"))
		paper := tabulartest.WithRows(t, tabulartest.XLSXFromCSV(t, "unit,date,A1\nSNV,2026-03-14,5\n"), "Sheet1", tabulartest.SparseRows(3, 46_000, "XFD"))
		tests := []struct {
			what, path, file string
			data             []byte
			fields           url.Values
			from             *client
			wants            []string
		}{
			{"assessment workbook", e2eSheet + "/upload", "snv.xlsx", hidden, nil, clerk, []string{"_parindex", "XFD"}},
			{"assessment workbook of many rows", e2eSheet + "/upload", "snv.xlsx", long, nil, clerk, []string{"Tự đánh giá", "500000 ô"}},
			{"metrics CSV", "/admin/metrics/import", "so-lieu.csv", []byte(wide), nil, admin, []string{"dòng dài hơn 256 KiB", "CSV"}},
			{"paper forms", "/admin/survey/paper", "phieu.xlsx", paper, url.Values{"instrument": {"sipas-2026"}}, admin, []string{"cột XFD", "256 cột"}},
		}
		for _, tt := range tests {
			var r response
			req := fileRequest(tt.from, tt.path, tt.file, tt.data, tt.fields) // built before the count starts
			start := time.Now()
			used, healthy, failed := underLoad(t, ts, func() { r = tt.from.do(req) })
			t.Logf("%s: %d KB refused in %v, %.1f MiB allocated, /healthz answered %d times meanwhile",
				tt.what, len(tt.data)>>10, time.Since(start).Round(time.Millisecond), float64(used)/(1<<20), healthy)
			wantStatus(t, tt.what, r, http.StatusBadRequest)
			mustContain(t, tt.what, r, tt.wants...)
			if used > 100<<20 {
				t.Errorf("%s: refusing %d KB allocated %d MiB, want under 100 MiB", tt.what, len(tt.data)>>10, used>>20)
			}
			if failed > 0 || healthy == 0 {
				t.Errorf("%s: /healthz failed %d times and answered %d times while the file was read", tt.what, failed, healthy)
			}
		}
		if n, _ := ts.DB.CountResponses(context.Background(), store.ResponseFilter{}); n != 0 {
			t.Errorf("%d responses stored from refused files", n)
		}
	})
}
