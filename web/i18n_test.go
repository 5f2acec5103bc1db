package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"parindex"
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

// Every action that judges a unit has the account page's warning, in both
// languages, with the four arguments conflictWarnings passes.
func TestConflictWarningPerJudgingAction(t *testing.T) {
	judging := 0
	for _, a := range parindex.Actions {
		if !a.JudgesUnit() {
			continue
		}
		judging++
		msg, ok := messages["users.conflict."+string(a)]
		if !ok {
			t.Errorf("no warning users.conflict.%s", a)
			continue
		}
		for i, text := range msg {
			for _, arg := range []string{"%[1]s", "%[2]s", "%[3]s", "%[4]s"} {
				if !strings.Contains(text, arg) {
					t.Errorf("users.conflict.%s (language %d) lacks %s", a, i, arg)
				}
			}
		}
	}
	if judging == 0 {
		t.Error("no action judges a unit")
	}
}
