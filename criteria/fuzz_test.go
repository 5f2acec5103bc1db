package criteria

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// survives Marshal and a second Parse unchanged. The seed corpus lives in
// testdata/fuzz/FuzzParse as well.
func FuzzParse(f *testing.F) {
	for _, code := range References() {
		data, err := ReferenceSource(code)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(head(okNode)))
	f.Add([]byte(head("  - {code: \"1\", name: A, max: 2, method: tiers, numerator: a, denominator: b, tiers: [{min: 0.9, points: 2}, {min: 0, points: 0}]}\n")))
	f.Add([]byte(head("  - {code: \"1\", name: A, max: 1, method: formula, formula: \"max * min(1, a / b)\"}\n")))
	f.Add([]byte(head("  - {code: \"1\", name: \"yes\", description: \"a\\tb\\n c \", max: 1e-7, method: survey, instrument: s, question: q, measure: mean100}\n")))
	f.Add([]byte(head(okNode + "  - code: T\n    name: T\n    adjustment: true\n    children:\n      - {code: T.1, name: B, method: bonus, cap: 0}\n")))
	f.Add([]byte(head("  - {code: \"1\", name: \"a\\0b\", max: 1, method: assessed}\n")))
	f.Add([]byte("code: &a t\nname: *a\n"))
	f.Add([]byte("- [\n"))
	f.Add([]byte(""))

	f.Fuzz(func(t *testing.T, data []byte) {
		fw, _, err := Parse("fuzz.yaml", data)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if path := textWithNUL(reflect.ValueOf(fw), "framework"); path != "" {
			t.Fatalf("accepted a NUL character in %s, which PostgreSQL cannot store", path)
		}
		out, err := Marshal(fw)
		if err != nil {
			t.Fatalf("Marshal of a parsed framework: %v", err)
		}
		again, _, err := Parse("canonical.yaml", out)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(withoutLines(fw), withoutLines(again)) {
			t.Fatalf("round trip changed the framework\n%s", out)
		}
		out2, err := Marshal(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not idempotent (%v)\n%s\n---\n%s", err, out, out2)
		}
	})
}

// textWithNUL returns the path of the first string under v that holds a
// NUL character, or "".
func textWithNUL(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.String:
		if strings.ContainsRune(v.String(), 0) {
			return path
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return textWithNUL(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if p := textWithNUL(v.Field(i), path+"."+v.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := textWithNUL(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if p := textWithNUL(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k)); p != "" {
				return p
			}
			if p := textWithNUL(k, path+" key"); p != "" {
				return p
			}
		}
	}
	return ""
}
