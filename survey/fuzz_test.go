package survey_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
	"parindex/tabular"
	"parindex/tabular/tabulartest"
)

// FuzzSubmit posts fuzzed bodies to the real form handler, in front of a
// real database with a published instrument and an active link: SQLite,
// and PostgreSQL too when PARINDEX_TEST_POSTGRES names a server. When sign
// is set the body is followed by a fresh idempotency key and a valid signed
// stamp, as a rendered form would carry, so that the fuzzer reaches the
// answers and the storage; the body's own k and ts still come first. The
// status is never 5xx, and it is 2xx exactly when a response with the key
// was stored; a body without a valid stamp is never stored.
//
// The server's goroutines make coverage vary from run to run, and the
// fuzzer then spends its time minimising inputs that only seemed new:
// run it with -fuzzminimizetime 1x, as .ci/fuzz does.
func FuzzSubmit(f *testing.F) {
	dbs := []*store.DB{storetest.MustOpenSQLite(f)}
	if os.Getenv("PARINDEX_TEST_POSTGRES") != "" || os.Getenv("PARINDEX_TEST_POSTGRES_REQUIRED") == "1" {
		dbs = append(dbs, storetest.MustOpenPostgres(f))
	}
	var servers []*formServer
	for _, db := range dbs {
		servers = append(servers, newFormServer(f, db, survey.Options{IPPerMinute: 1e9, LinkPerMinute: 1e9}))
	}
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		f.Fatal(err)
	}
	questions := survey.QuestionCodes(in)

	complete := url.Values{}
	for _, q := range questions {
		complete.Set(q, "4")
	}
	answered := complete.Encode()
	f.Add(answered, true)
	complete.Set("E3", "0")
	complete.Set("p_gender", "female")
	complete.Set("p_channel", "online")
	complete.Set("comment", "Cán bộ nhiệt tình\r\nnhưng phải chờ lâu")
	complete.Set("dossier", "h12.345-6789")
	f.Add(complete.Encode(), true)
	complete.Set("website", "http://spam.example")
	complete.Set("comment", "a\x00b")
	f.Add(complete.Encode(), true)
	f.Add(complete.Encode(), false)
	f.Add("k=AAAAAAAAAAAAAAAAAAAAAA&ts=1773132451000.AAAAAAAAAAAAAAAAAAAAAA&A1=5", false)
	f.Add("A1=9&A2=x&p_gender=robot&dossier=%3Cscript%3E&lang=en", true)
	f.Add("%zz&A1=5", true)
	f.Add("comment="+strings.Repeat("%C6%B0", 1001), true)
	f.Add("", true)

	post := func(t testing.TB, fs *formServer, body string, sign bool) (reply, bool) {
		t.Helper()
		key, stamp := survey.FormFields(secret, fs.Link.Token, fs.Clock.Now().Add(-3*time.Minute))
		if sign {
			body += "&k=" + key + "&ts=" + url.QueryEscape(stamp)
		}
		resp, err := http.Post(fs.URL+"/s/"+fs.Link.Token, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		page, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		r := reply{Status: resp.StatusCode, Body: string(page), Header: resp.Header}
		stored, err := fs.DB.StoredResponseKeys(context.Background(), []string{key})
		if err != nil {
			t.Fatal(err)
		}
		return r, stored[key]
	}
	// The answered seed is stored, so the fuzzer starts from a form that
	// reaches the database.
	for _, fs := range servers {
		if r, stored := post(f, fs, answered, true); r.Status != http.StatusOK || !stored {
			f.Fatalf("%s: the answered seed form = %d, stored %v", fs.DB.Dialect(), r.Status, stored)
		}
	}

	f.Fuzz(func(t *testing.T, body string, sign bool) {
		for _, fs := range servers {
			r, stored := post(t, fs, body, sign)
			if r.Status >= 500 {
				t.Fatalf("%s: status %d for body %q (signed %v):\n%s", fs.DB.Dialect(), r.Status, body, sign, r.Body)
			}
			ok := r.Status >= 200 && r.Status < 300
			if ok != stored {
				t.Fatalf("%s: status %d but stored=%v for body %q (signed %v)", fs.DB.Dialect(), r.Status, stored, body, sign)
			}
			if ok && !sign {
				t.Fatalf("%s: status %d for a body with no valid stamp: %q", fs.DB.Dialect(), r.Status, body)
			}
			if ok && !strings.Contains(r.Body, "Cảm ơn") && !strings.Contains(r.Body, "Thank you") {
				t.Fatalf("%s: status %d without the thanks:\n%s", fs.DB.Dialect(), r.Status, r.Body)
			}
		}
	})
}

// FuzzParsePaper reads fuzzed CSV and .xlsx files of paper forms with
// tabular.Read and checks them with ParsePaper against the reference
// instrument and three units. Every refusal is parindex.InputErrors naming
// the file and, for a cell, its row; an accepted table yields one response
// per row, each for a known unit valid on its date, not after today, with
// one answer digit per question, choices of the instrument and a comment the
// database can store.
func FuzzParsePaper(f *testing.F) {
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		f.Fatal(err)
	}
	stored := &parindex.StoredInstrument{ID: 7, Code: in.Code, Status: parindex.StatusPublished}
	header := sipasHeader(in)
	valid := header + ",gender,comment\n" +
		"SNV,2026-03-14," + answers22("4", map[int]string{0: "5", 2: "NA", 3: ""}) + ",female,\"Cần thêm ghế, quạt \"\"mát\"\"\nở phòng chờ\"\n" +
		"p001,2026-03-20," + answers22("3", nil) + ",,\n" +
		"X-CU,2025-06-30," + answers22("", map[int]string{5: "1"}) + ",MALE,\n"
	f.Add(false, []byte(valid))
	f.Add(false, []byte("\xef\xbb\xbf"+strings.ReplaceAll(valid, ",", ";")))
	f.Add(false, []byte(header+"\nX-CU,2025-07-01,"+answers22("6", map[int]string{1: "na", 2: "4.0"})+"\nSNV,2026-03-21,"+answers22("", nil)+"\n"))
	f.Add(false, []byte("unit,date,A1,A1,,x\nSNV,2026-02-30,5,5,7,\n"))
	f.Add(false, []byte("unit;date\n\"open quote\n"))
	f.Add(false, []byte(header+",comment\nSNV,2026-03-14,"+answers22("5", nil)+",a\x00b\n"))
	f.Add(false, []byte{0xff, 0xfe, 'u'})
	for _, csv := range []string{valid, "unit,date,A1\nSNV,2026-03-14,5\n,,\nsnv,2026-03-15,NA\n"} {
		f.Add(true, tabulartest.XLSXFromCSV(f, csv))
	}
	f.Add(true, []byte("PK\x03\x04 not really a workbook"))

	units := paperUnits()
	if tab, err := tabular.Read("valid.csv", strings.NewReader(valid), tabular.Upload); err != nil {
		f.Fatal(err)
	} else if _, err := survey.ParsePaper(tab, in, stored, units, paperToday); err != nil {
		f.Fatalf("the valid seed is refused: %v", err)
	}
	f.Fuzz(func(t *testing.T, xlsx bool, data []byte) {
		name := "phieu.csv"
		if xlsx {
			name = "phieu.xlsx"
		}
		tab, err := tabular.Read(name, bytes.NewReader(data), tabular.Upload)
		if err != nil {
			tabulartest.CheckInputErrors(t, name, err)
			return
		}
		for i, r := range tab.Rows {
			// Rows hold their own cells only, never padded to the header's
			// width, and end on a non-blank cell.
			if r.Number < 2 || (i > 0 && r.Number <= tab.Rows[i-1].Number) || len(r.Cells) == 0 || r.Cells[len(r.Cells)-1] == "" ||
				len(r.Cells) > tabular.Upload.Columns || r.Width < len(r.Cells) {
				t.Fatalf("row %d numbered %d with %d cells (width %d) under %d headers", i, r.Number, len(r.Cells), r.Width, len(tab.Header))
			}
		}
		batch, err := survey.ParsePaper(tab, in, stored, units, paperToday)
		if err != nil {
			for _, e := range tabulartest.CheckInputErrors(t, name, err) {
				if e.Row == 0 && len(tab.Rows) > 0 {
					t.Fatalf("problem without a row in a table with rows: %+v", e)
				}
				if e.Row > 1 && !slices.ContainsFunc(tab.Rows, func(r tabular.Row) bool { return r.Number == e.Row }) {
					t.Fatalf("problem on row %d, which holds no form: %+v", e.Row, e)
				}
			}
			return
		}
		if len(batch.Responses) != len(tab.Rows) || batch.Hash != survey.TableHash(tab) {
			t.Fatalf("%d responses from %d rows", len(batch.Responses), len(tab.Rows))
		}
		keys := map[string]bool{}
		for _, r := range batch.Responses {
			checkPaperResponse(t, in, units, r)
			if keys[r.IdempotencyKey] {
				t.Fatalf("key %s given twice", r.IdempotencyKey)
			}
			keys[r.IdempotencyKey] = true
		}
	})
}

// checkInputErrors fails unless err is a non-empty parindex.InputErrors,
// each naming the file and saying what is wrong in both languages.
func checkPaperResponse(t *testing.T, in *survey.Instrument, units []*parindex.OrgUnit, r *parindex.Response) {
	t.Helper()
	i := slices.IndexFunc(units, func(u *parindex.OrgUnit) bool { return u.ID == r.UnitID })
	if i < 0 || !units[i].ValidOn(r.Day) || paperToday.Before(r.Day) || r.Source != parindex.SourcePaper || r.InstrumentID != 7 {
		t.Fatalf("response for unit %d on %s: %+v", r.UnitID, r.Day, r)
	}
	if len(r.Answers) != len(in.Questions()) || strings.Trim(r.Answers, "012345") != "" {
		t.Fatalf("answers %q", r.Answers)
	}
	if r.Profile != "" {
		for _, part := range strings.Split(r.Profile, ";") {
			code, choice, _ := strings.Cut(part, "=")
			j := slices.IndexFunc(in.Profile, func(p survey.ProfileQuestion) bool { return p.Code == code })
			if j < 0 || !slices.ContainsFunc(in.Profile[j].Choices, func(c survey.Choice) bool { return c.Code == choice }) {
				t.Fatalf("profile %q", r.Profile)
			}
		}
	}
	if !utf8.ValidString(r.Comment) || utf8.RuneCountInString(r.Comment) > in.Comment.MaxLength || strings.ContainsRune(r.Comment, 0) {
		t.Fatalf("comment %q", r.Comment)
	}
}
