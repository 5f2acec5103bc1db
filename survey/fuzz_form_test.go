package survey

import (
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"parindex"
	"parindex/i18n"
)

// FuzzFormParse sends raw application/x-www-form-urlencoded bodies through
// url.ParseQuery into parse, for the reference instrument (scale, "not
// applicable", profile, comment) and the minimal one (none of those). Parse
// must never panic, must account for every question exactly once (an answer
// within the scale or an error anchored on it), must keep only what the
// instrument allows, and a form it accepts must become a storable response.
// The end-to-end POST is FuzzSubmit (fuzz_test.go).
func FuzzFormParse(f *testing.F) {
	sipas, err := ReferenceInstrument("sipas-2026")
	if err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		f.Fatal(err)
	}
	minimal, err := ParseInstrument("minimal.yaml", data)
	if err != nil {
		f.Fatal(err)
	}
	all := url.Values{"k": {"AAAAAAAAAAAAAAAAAAAAAA"}, "ts": {"1773132451000.x"}, "lang": {"vi"}}
	for _, q := range sipas.Questions() {
		all.Set(q.Code, "4")
	}
	f.Add(all.Encode())
	if s := parse(sipas, all, i18n.VI); len(s.errors) > 0 {
		f.Fatalf("the answered seed is refused: %v", s.errors)
	}
	all.Set("E3", "0")
	all.Set("p_gender", "female")
	all.Set("p_age_group", "age_60_plus")
	all.Set("comment", "Cán bộ nhiệt tình\r\nnhưng phải chờ lâu")
	all.Set("dossier", "h12.345-6789")
	f.Add(all.Encode())
	all.Set("A1", " +5 ")
	all.Set("B2", "007")
	all.Set("website", "http://spam.example")
	f.Add(all.Encode())
	f.Add("A1=1")
	f.Add("A1=0&A1=5&a1=3")
	f.Add("A1=-0&A2=6&A3=%E2%91%A4&A4=99999999999999999999&comment=%FF%FE&dossier=%3Cscript%3E")
	f.Add("p_gender=robot&p_gender=male&comment=" + strings.Repeat("%C6%B0", 1001))
	f.Add("dossier=%C3%9F%C3%9F&comment=a%00b")
	f.Add("%zz=1&&=&A1")
	f.Add("")

	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			// The handler answers 400 to what ParseForm refuses; parse also
			// gets whatever ParseQuery kept before the error, as a lenient
			// reader might pass on.
			if form == nil {
				t.Fatalf("ParseQuery returned an error and no values: %v", err)
			}
		}
		for _, in := range []*Instrument{sipas, minimal} {
			for _, lang := range []string{i18n.VI, i18n.EN} {
				checkParsed(t, in, form, lang, parse(in, form, lang))
			}
		}
	})
}

func checkParsed(t *testing.T, in *Instrument, form url.Values, lang string, s *submission) {
	t.Helper()
	anchors := map[string]bool{"comment": in.Comment != nil, "dossier": true}
	for _, q := range in.Questions() {
		anchors["q-"+q.Code] = true
	}
	for _, p := range in.Profile {
		anchors["p-"+p.Code] = true
	}
	listed := map[string]bool{}
	for _, e := range s.errors {
		if !anchors[e.Anchor] {
			t.Fatalf("%s: error anchored on %q, which is no field of the form", in.Code, e.Anchor)
		}
		if listed[e.Anchor] {
			t.Fatalf("%s: field %s reported twice", in.Code, e.Anchor)
		}
		listed[e.Anchor] = true
		if e.Message == "" || strings.HasPrefix(e.Message, "form.") {
			t.Fatalf("%s: error on %s has no %s text: %q", in.Code, e.Anchor, lang, e.Message)
		}
	}
	for a := range s.bad {
		if !listed[a] {
			t.Fatalf("%s: field %s marked bad without a message", in.Code, a)
		}
	}
	for _, q := range in.Questions() {
		v, answered := s.answers[q.Code]
		if answered == s.bad["q-"+q.Code] {
			t.Fatalf("%s: question %s answered=%v and in error=%v: want exactly one", in.Code, q.Code, answered, s.bad["q-"+q.Code])
		}
		if !answered {
			continue
		}
		if v < 0 || v > ScaleLevels || (v == 0 && in.NotApplicable == nil) {
			t.Fatalf("%s: question %s accepted answer %d", in.Code, q.Code, v)
		}
		if sent, err := strconv.Atoi(strings.TrimSpace(form.Get(q.Code))); err != nil || sent != v {
			t.Fatalf("%s: question %s stored %d, the form sent %q", in.Code, q.Code, v, form.Get(q.Code))
		}
	}
	if len(s.answers) > len(in.Questions()) {
		t.Fatalf("%s: %d answers for %d questions", in.Code, len(s.answers), len(in.Questions()))
	}
	for code, v := range s.profile {
		i := slices.IndexFunc(in.Profile, func(p ProfileQuestion) bool { return p.Code == code })
		if i < 0 || !slices.ContainsFunc(in.Profile[i].Choices, func(c Choice) bool { return c.Code == v }) {
			t.Fatalf("%s: profile %s=%q is no choice of the instrument", in.Code, code, v)
		}
	}
	switch {
	case in.Comment == nil && s.comment != "":
		t.Fatalf("%s has no comment field but kept %q", in.Code, s.comment)
	case in.Comment != nil && !s.bad["comment"]:
		if !utf8.ValidString(s.comment) || utf8.RuneCountInString(s.comment) > in.Comment.MaxLength || strings.Contains(s.comment, "\r\n") {
			t.Fatalf("%s: accepted comment %q", in.Code, s.comment)
		}
		// PostgreSQL refuses NUL in text: a form that the database will
		// refuse must not be accepted (the citizen would retry forever).
		if strings.ContainsRune(s.comment, 0) {
			t.Fatalf("%s: accepted comment with a NUL byte %q", in.Code, s.comment)
		}
	}
	if !s.bad["dossier"] && s.dossier != "" && !dossierPattern.MatchString(s.dossier) {
		t.Fatalf("%s: accepted dossier code %q", in.Code, s.dossier)
	}
	if len(s.errors) > 0 {
		return
	}
	// An accepted form becomes a response of one digit per question.
	h := &Handler{opts: Options{SpeederFloor: 2 * time.Second}, deviceKey: []byte("d"), seenKey: []byte("s"), dossKey: []byte("o")}
	now := time.Date(2026, 3, 10, 8, 47, 31, 0, time.UTC)
	r := h.response(&parindex.SurveyLink{ID: 1, InstrumentID: 2, UnitID: 3}, in, s, "AAAAAAAAAAAAAAAAAAAAAA", "device-cookie-value", now, now.Add(-time.Minute))
	if len(r.Answers) != len(in.Questions()) {
		t.Fatalf("%s: stored answers %q for %d questions", in.Code, r.Answers, len(in.Questions()))
	}
	for i, c := range []byte(r.Answers) {
		if c < '0' || c > '0'+ScaleLevels || (c == '0' && in.NotApplicable == nil) {
			t.Fatalf("%s: stored answer %d is %q", in.Code, i, c)
		}
	}
	if (s.dossier == "") != (r.DossierHash == "") || r.Comment != s.comment {
		t.Fatalf("%s: response %+v from submission %+v", in.Code, r, s)
	}
}
