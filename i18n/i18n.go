package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// The languages every message exists in. Vietnamese is the default: a
// language nobody asked for, or a message missing in another language,
// falls back to it.
const (
	VI = "vi"
	EN = "en"
)

//go:embed locales/*.yaml
var localeFS embed.FS

// cat is the catalogue of the embedded message files, loaded once; a file
// that does not load stops the program at start-up, as a template would.
var cat = mustLoad(localeFS, "locales")

// catalogue holds the messages of every language.
type catalogue struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	// text is each language's message, its "other" form for a plural
	// message; T reads it without going through the bundle.
	text map[string]map[string]string
	// forms lists the plural forms a language's file gives a message:
	// {"other"} for a plain one.
	forms map[string]map[string][]string
	langs []string // VI first, then the others in file-name order
}

// identity keeps message texts as they are: placeholders are fmt verbs,
// never text/template actions, so "{{" in a text is just text.
var identity = template.IdentityParser{}

func mustLoad(fsys fs.FS, dir string) *catalogue {
	c, err := load(fsys, dir)
	if err != nil {
		panic(err)
	}
	return c
}

// load reads dir/<language>.yaml for every language. A duplicate key in a
// file is a YAML error; a message missing from the Vietnamese file is
// refused, so that every key has the default language.
func load(fsys fs.FS, dir string) (*catalogue, error) {
	b := goi18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &catalogue{bundle: b, localizers: map[string]*goi18n.Localizer{}, text: map[string]map[string]string{},
		forms: map[string]map[string][]string{}}
	files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		buf, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(buf, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".yaml")
		if mf.Tag.String() != lang {
			return nil, fmt.Errorf("i18n: %s: the file name must be a language tag (read as %q)", f, mf.Tag)
		}
		text, forms := map[string]string{}, map[string][]string{}
		for _, m := range mf.Messages {
			if _, dup := text[m.ID]; dup {
				return nil, fmt.Errorf("i18n: %s: message %q appears twice", f, m.ID)
			}
			if m.Other == "" {
				return nil, fmt.Errorf("i18n: %s: message %q has no text (a plural message needs its \"other\" form)", f, m.ID)
			}
			text[m.ID] = m.Other
			for _, pf := range []struct{ name, s string }{{"zero", m.Zero}, {"one", m.One}, {"two", m.Two}, {"few", m.Few}, {"many", m.Many}, {"other", m.Other}} {
				if pf.s != "" {
					forms[m.ID] = append(forms[m.ID], pf.name)
				}
			}
		}
		c.text[lang], c.forms[lang] = text, forms
		c.localizers[lang] = goi18n.NewLocalizer(b, lang)
		c.langs = append(c.langs, lang)
	}
	if c.text[VI] == nil {
		return nil, fmt.Errorf("i18n: no %s.yaml in %s: Vietnamese is the default language", VI, dir)
	}
	slices.SortStableFunc(c.langs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == VI:
			return -1
		case b == VI:
			return 1
		}
		return strings.Compare(a, b)
	})
	for lang, text := range c.text {
		for key := range text {
			if _, ok := c.text[VI][key]; !ok {
				return nil, fmt.Errorf("i18n: message %q is in %s.yaml but not in %s.yaml", key, lang, VI)
			}
		}
	}
	return c, nil
}

// Lang normalises a language choice: a language the catalogue has, else
// the default Vietnamese.
func Lang(s string) string {
	if _, ok := cat.text[s]; ok {
		return s
	}
	return VI
}

// Languages lists the catalogue's languages, Vietnamese first.
func Languages() []string { return slices.Clone(cat.langs) }

// T returns the message for key in lang, formatted with args (fmt verbs)
// when any are given. A message missing in lang falls back to Vietnamese; a
// key missing altogether returns the key itself, so that it shows in tests
// and reviews (a test checks that every key the code names exists).
func T(lang, key string, args ...any) string {
	s, ok := cat.text[lang][key]
	if !ok {
		if s, ok = cat.text[VI][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// N is T for a message that shows a count: count chooses the plural form
// by the language's CLDR rule ("1 problem", "2 problems"), then the form is
// formatted with args, or with count alone when no args are given.
func N(lang, key string, count int, args ...any) string {
	if len(args) == 0 {
		args = []any{count}
	}
	l, ok := cat.localizers[lang]
	if !ok {
		l = cat.localizers[VI]
	}
	// A message that reads the same for every count gives only its
	// "other" form; go-i18n then answers that form with an error saying
	// the rule's form is missing, which is no error here.
	s, _ := l.Localize(&goi18n.LocalizeConfig{MessageID: key, PluralCount: count, TemplateParser: identity})
	if s == "" {
		return key
	}
	return fmt.Sprintf(s, args...)
}

// Label returns the message for key in lang when the catalogue has it, and
// fallback otherwise: for labels of things people may add as data (a unit
// type added to the org_types table has its own name there).
func Label(lang, key, fallback string) string {
	if !Has(key) {
		return fallback
	}
	return T(lang, key)
}

// Both returns a message in Vietnamese and in English, for texts shown in
// both at once (the QR poster) and for logs.
func Both(key string, args ...any) (vi, en string) {
	return T(VI, key, args...), T(EN, key, args...)
}

// Has reports whether the catalogue has key.
func Has(key string) bool {
	_, ok := cat.text[VI][key]
	return ok
}

// Keys lists every key of the catalogue, sorted.
func Keys() []string {
	keys := make([]string, 0, len(cat.text[VI]))
	for k := range cat.text[VI] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
