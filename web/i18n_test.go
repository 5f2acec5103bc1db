package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// Every message key a template names must be in the catalogue, in both
// languages: a missing key would show its raw name to users.
func TestTemplateKeysExist(t *testing.T) {
	keyUse := regexp.MustCompile(`\{\{t (?:\.|\$|\.P) "([a-z0-9_.]+)"`)
	found := 0
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(data), -1) {
			found++
			msg, ok := messages[m[1]]
			if !ok {
				t.Errorf("%s uses unknown message key %q", p, m[1])
			} else if msg[0] == "" || msg[1] == "" {
				t.Errorf("message %q lacks a language", m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Errorf("only %d message uses found: the pattern no longer matches the templates", found)
	}
	for _, role := range []string{"admin", "viewer", "agency_editor", "agency_leader", "appraiser"} {
		if _, ok := messages["role."+role]; !ok {
			t.Errorf("no message for role %s", role)
		}
	}
}
