package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
)

// fileKeys reads the top-level keys of a message file in their order.
func fileKeys(t *testing.T, lang string) []string {
	t.Helper()
	buf, err := localeFS.ReadFile("locales/" + lang + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf, &doc); err != nil {
		t.Fatal(err)
	}
	var keys []string
	m := doc.Content[0]
	for i := 0; i < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
	}
	return keys
}

// Every language has every key of vi.yaml, no other, in the same order, so
// that a translator reads the files side by side.
func TestEveryLanguageHasEveryKeyInOrder(t *testing.T) {
	if got := Languages(); len(got) < 2 || got[0] != VI || !slices.Contains(got, EN) {
		t.Fatalf("languages %v: want vi first, and en", got)
	}
	want := fileKeys(t, VI)
	if len(want) < 700 {
		t.Fatalf("vi.yaml has %d keys: the file no longer reads as the catalogue", len(want))
	}
	for _, lang := range Languages()[1:] {
		got := fileKeys(t, lang)
		for _, k := range want {
			if !slices.Contains(got, k) {
				t.Errorf("%s.yaml lacks %q", lang, k)
			}
		}
		for _, k := range got {
			if !slices.Contains(want, k) {
				t.Errorf("%s.yaml has %q, which vi.yaml lacks", lang, k)
			}
		}
		if !t.Failed() && !slices.Equal(got, want) {
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s.yaml: key %d is %q where vi.yaml has %q: keep the order of vi.yaml", lang, i+1, got[i], want[i])
					break
				}
			}
		}
	}
}

// verb matches a fmt verb. Flags are limited to those the files use, so
// that "95% interval" in a message without arguments is no verb.
var verb = regexp.MustCompile(`%(\[\d+\])?[-+0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists a text's fmt verbs as "argument:verb", implicit positions
// numbered as fmt numbers them.
func verbs(s string) []string {
	var out []string
	next := 1
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		if strings.HasSuffix(m[0], "%%") || m[0] == "%%" {
			continue
		}
		arg := next
		if m[1] != "" {
			fmt.Sscanf(m[1], "[%d]", &arg)
		}
		next = arg + 1
		out = append(out, fmt.Sprintf("%d:%c", arg, m[0][len(m[0])-1]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Each text of a message, in every language and plural form, takes the same
// arguments as the Vietnamese one: a translation cannot drop or mistype one.
func TestTranslationsKeepTheArguments(t *testing.T) {
	for _, key := range Keys() {
		want := verbs(cat.text[VI][key])
		for _, lang := range Languages() {
			for _, form := range cat.forms[lang][key] {
				s := formText(t, lang, key, form)
				if got := verbs(s); !slices.Equal(got, want) {
					t.Errorf("%s (%s, %s) %q takes %v; vi takes %v", key, lang, form, s, got, want)
				}
			}
		}
	}
}

var rawFiles = map[string]map[string]any{}

// formText reads one plural form of a message back from its file.
func formText(t *testing.T, lang, key, form string) string {
	t.Helper()
	raw, ok := rawFiles[lang]
	if !ok {
		buf, err := localeFS.ReadFile("locales/" + lang + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(buf, &raw); err != nil {
			t.Fatal(err)
		}
		rawFiles[lang] = raw
	}
	switch v := raw[key].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v[form].(string)
		return s
	}
	t.Fatalf("%s.yaml: %q is neither a text nor plural forms", lang, key)
	return ""
}

// A message with plural forms gives every form its language's rule picks
// (go-i18n's CLDR data), for any count; a plain message is one text.
func TestPluralMessagesHaveEveryForm(t *testing.T) {
	plural := 0
	for _, lang := range Languages() {
		l := cat.localizers[lang]
		for key, forms := range cat.forms[lang] {
			if len(forms) == 1 {
				continue
			}
			plural++
			for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 11, 12, 21, 22, 25, 100, 101, 1000, 1_000_000} {
				if _, err := l.Localize(&goi18n.LocalizeConfig{MessageID: key, PluralCount: n, TemplateParser: identity}); err != nil {
					t.Errorf("%s (%s) with count %d: %v", key, lang, n, err)
				}
			}
		}
	}
	if plural < 20 {
		t.Errorf("only %d plural messages: the files no longer give plural forms", plural)
	}
}

func TestTAndN(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{T(VI, "nav.home"), "Trang chính"},
		{T(EN, "nav.home"), "Home"},
		{T("fr", "nav.home"), "Trang chính"},
		{T(EN, "no.such.key"), "no.such.key"},
		{T(EN, "dash.ranking_title", 2026), "PAR index ranking, 2026"},
		{N(EN, "login.wait_seconds", 1), "1 second"},
		{N(EN, "login.wait_seconds", 30), "30 seconds"},
		{N(VI, "login.wait_seconds", 1), "1 giây"},
		{N(VI, "login.wait_seconds", 30), "30 giây"},
		{N(EN, "assess.files", 0), "0 files"},
		{N(EN, "inbox.appraise", 1, 1, "Sở Tư pháp", 2), "1 criterion of Sở Tư pháp waits for your appraisal (round 2)"},
		{N(EN, "inbox.appraise", 3, 3, "Sở Tư pháp", 2), "3 criteria of Sở Tư pháp wait for your appraisal (round 2)"},
		{N(EN, "no.such.key", 2), "no.such.key"},
		{Label(EN, "unit_type.ward", "x"), "Ward"},
		{Label(EN, "unit_type.hamlet", "Thôn"), "Thôn"},
		{Lang("en"), EN}, {Lang("xx"), VI}, {Lang(""), VI},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if vi, en := Both("nav.home"); vi != "Trang chính" || en != "Home" {
		t.Errorf("Both: %q, %q", vi, en)
	}
}

// A broken file stops the program at start-up, saying which file and why.
func TestLoadRefusesBrokenFiles(t *testing.T) {
	vi := "a.b: một\nc: hai\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"duplicate key", map[string]string{"vi.yaml": "a.b: một\na.b: hai\n"}, "already defined"},
		{"no Vietnamese", map[string]string{"en.yaml": "a.b: one\n"}, "no vi.yaml"},
		{"key only in English", map[string]string{"vi.yaml": vi, "en.yaml": "a.b: one\nc: two\nd: three\n"}, `"d" is in en.yaml but not in vi.yaml`},
		{"plural without other", map[string]string{"vi.yaml": vi, "en.yaml": "a.b:\n  one: one\nc: two\n"}, `"a.b" has no text`},
		{"not a language", map[string]string{"vi.yaml": vi, "english.yaml": "a.b: one\n"}, "language"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range c.files {
				fsys["locales/"+name] = &fstest.MapFile{Data: []byte(text)}
			}
			_, err := load(fsys, "locales")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("load: %v, want an error saying %q", err, c.want)
			}
		})
	}
	if _, err := load(fstest.MapFS{"locales/vi.yaml": {Data: []byte(vi)}, "locales/en.yaml": {Data: []byte("a.b: one\nc: two\n")}}, "locales"); err != nil {
		t.Fatalf("a valid pair of files: %v", err)
	}
}

// Keys that code builds from a prefix and a value of the domain exist for
// every value.
func TestKeysOfDomainValuesExist(t *testing.T) {
	var want []string
	for _, r := range parindex.Roles {
		want = append(want, "role."+r)
	}
	for _, s := range assessment.States {
		want = append(want, "assess.state."+string(s))
	}
	for _, tr := range assessment.Transitions {
		want = append(want, "assess.tr."+string(tr), "assess.tr_help."+string(tr), "assess.tr_done."+string(tr))
	}
	for _, s := range assessment.DeadlineStages {
		want = append(want, "assess.stage."+s)
	}
	for _, ty := range []string{parindex.OrgTypeProvince, parindex.OrgTypeDepartment, parindex.OrgTypeCommune, parindex.OrgTypeWard,
		parindex.OrgTypeDistrict, parindex.OrgTypeOneStopCentre, parindex.OrgTypeOther} {
		want = append(want, "unit_type."+ty)
	}
	for _, fl := range []string{parindex.FlagSpeeder, parindex.FlagStraightline, parindex.FlagDuplicateDevice, parindex.FlagBot} {
		want = append(want, "survey.flag_"+fl)
	}
	// survey.Rule values (package survey imports this one).
	for _, r := range []string{"satisfaction", "mean100", "mean"} {
		want = append(want, "survey.rule."+r)
	}
	for _, r := range criteria.SurveyResponsesSettings {
		want = append(want, "results.survey_responses."+string(r))
	}
	for _, c := range parindex.Combines {
		want = append(want, "metrics.combine."+string(c))
	}
	for _, k := range want {
		if !Has(k) {
			t.Errorf("no message %q", k)
		}
	}
}

// Every action that judges a unit has the account page's warning, in every
// language, with the four arguments the page passes (the agency role, the
// unit's name, its code, and users.conflict_sub when the grant includes
// sub-units).
func TestConflictWarningPerJudgingAction(t *testing.T) {
	judging := 0
	for _, a := range parindex.Actions {
		if !a.JudgesUnit() {
			continue
		}
		judging++
		key := "users.conflict." + string(a)
		if !Has(key) {
			t.Errorf("no warning %s", key)
			continue
		}
		for _, lang := range Languages() {
			text := cat.text[lang][key]
			for _, arg := range []string{"%[1]s", "%[2]s", "%[3]s", "%[4]s"} {
				if !strings.Contains(text, arg) {
					t.Errorf("%s (%s) lacks %s", key, lang, arg)
				}
			}
		}
	}
	if judging == 0 {
		t.Error("no action judges a unit")
	}
}

// The code names only keys the catalogue has: a missing key would show its
// raw name to people. Templates are read for {{t}}, {{n}} and {{.T}}; Go
// files for the literal key a catalogue call is given.
func TestKeysInUseExist(t *testing.T) {
	root := os.DirFS("..")
	tmplUse := regexp.MustCompile(`\{\{-?\s*(?:t|n) (?:\$|\.|\.P) "([^"]+)"|\((?:t|n) (?:\$|\.|\.P) "([^"]+)"|\{\{-?\s*\.(?:T|N) "([^"]+)"`)
	// A call whose function is one of these and whose argument is a
	// literal key: translate(lang, "k"), i18n.T(lang, "k"), i18n.N(lang,
	// "k", n), tr("k"), l.T("k"), l.n("k", n), s.render(c, 200, "page",
	// "title.key", d), s.setFlash(c, "k"), bothLanguages("k")...
	goUse := regexp.MustCompile(`\b(?:translate|T|N|n|tr|Label|Both|bothLanguages|setFlash|render|message)\((?:[^()"]*?,\s*)?"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
	keyShape := regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	found := map[string]int{}
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		var pattern *regexp.Regexp
		switch {
		case strings.HasSuffix(p, ".html"):
			pattern = tmplUse
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			pattern = goUse
		default:
			return nil
		}
		buf, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		for _, m := range pattern.FindAllStringSubmatch(string(buf), -1) {
			key := strings.Join(m[1:], "")
			if !keyShape.MatchString(key) {
				continue
			}
			found[path.Ext(p)]++
			if !Has(key) {
				t.Errorf("%s names the message %q, which the catalogue lacks", p, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d key uses in templates, %d in Go", found[".html"], found[".go"])
	if found[".html"] < 300 || found[".go"] < 150 {
		t.Errorf("found %d keys in templates and %d in Go: the patterns no longer match the code", found[".html"], found[".go"])
	}
}

// go-i18n answers a message missing the form a count needs with that form's
// error; N relies on it answering the "other" text with it.
func TestNFallsBackToOther(t *testing.T) {
	b := goi18n.NewBundle(cat.bundle.LanguageTags()[0])
	b.MustAddMessages(cat.bundle.LanguageTags()[0], &goi18n.Message{ID: "x", Other: "%d thing"})
	s, err := goi18n.NewLocalizer(b, VI).Localize(&goi18n.LocalizeConfig{MessageID: "x", PluralCount: 1, TemplateParser: identity})
	if s != "%d thing" {
		t.Fatalf("got %q, %v", s, err)
	}
	var notFound *goi18n.MessageNotFoundErr
	if errors.As(err, &notFound) {
		t.Fatalf("a missing form reads as a missing message: %v", err)
	}
}
