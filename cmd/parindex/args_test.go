package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command checks its arguments through positionalArgs or
// unknownSubcommand: given six words too many, each answers exit 2 with a
// message in Vietnamese and English that names the command, what it
// expects and what it received, instead of cobra's bare "accepts 1 arg(s),
// received 0".
func TestEveryCommandExplainsArgumentErrors(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}
	extra := []string{"x1", "x2", "x3", "x4", "x5", "x6"}
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" { // cobra's own
				continue
			}
			walk(sub)
		}
		if c.Args == nil {
			t.Errorf("%s has no argument check (positionalArgs or unknownSubcommand)", c.CommandPath())
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		if c.CommandPath() == "parindex criteria validate" { // any number of files
			return
		}
		code, _, errOut := cli(t, env, append(path, extra...)...)
		if code != 2 {
			t.Errorf("%s with six extra words: exit %d, want 2\n%s", c.CommandPath(), code, errOut)
			return
		}
		want := []string{c.CommandPath(), "x1"}
		if c.HasAvailableSubCommands() {
			want = append(want, "không có lệnh", "no command")
		} else {
			want = append(want, "nhận được 6", "received 6", "--help")
		}
		for _, w := range want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s with six extra words: the message lacks %q:\n%s", c.CommandPath(), w, errOut)
			}
		}
		checked++
	}
	walk(newRootCommand(io.Discard, io.Discard))
	if checked < 40 {
		t.Errorf("checked %d commands; the tree has more than 40", checked)
	}
}

func TestArgumentErrorsSayWhatIsExpected(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"criteria", "show"}, []string{"parindex criteria show cần đúng 1 đối số: FILE|CODE, nhận được 0",
			"parindex criteria show expects exactly 1 argument: FILE|CODE; received 0"}},
		{[]string{"criteria", "validate"}, []string{"cần ít nhất 1 đối số: FILE…", "expects at least 1 argument: FILE…"}},
		{[]string{"assessment", "template", "F"}, []string{"cần đúng 2 đối số: FRAMEWORK UNIT, nhận được 1 (\"F\")",
			"expects exactly 2 arguments: FRAMEWORK UNIT; received 1 (\"F\")"}},
		{[]string{"org", "tree", "A", "B"}, []string{"cần từ 0 đến 1 đối số: [CODE]", "expects 0 to 1 arguments: [CODE]"}},
		{[]string{"version", "now"}, []string{"không nhận đối số nào", "takes no arguments"}},
		{[]string{"bogus"}, []string{"không có lệnh \"bogus\"", "no command \"bogus\"", "serve"}},
		{[]string{"org"}, []string{"cần một lệnh con", "needs a subcommand"}},
		{[]string{"version", "--bogus"}, []string{"tùy chọn không hợp lệ", "bad flag", "--bogus"}},
		{[]string{"criteria", "copy", "X"}, []string{"lệnh chưa đúng", "bad usage", `required flag(s) "to" not set`}},
		{[]string{"survey", "stats", "--instrument", "sipas-2026", "--responses", "f.csv", "--by", "day"},
			[]string{`--by chỉ nhận "unit"`, `--by takes only "unit"`}},
		{[]string{"survey", "screen"}, []string{"cần --instrument", "--instrument is required"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := cli(t, env, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// --by is the one flag for grouping; --by-unit, its double, is gone.
func TestSurveyStatsHasOneGroupingFlag(t *testing.T) {
	code, _, errOut := cli(t, map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}, "survey", "stats", "--by-unit")
	if code != 2 || !strings.Contains(errOut, "--by-unit") {
		t.Errorf("--by-unit: exit %d\n%s", code, errOut)
	}
}
