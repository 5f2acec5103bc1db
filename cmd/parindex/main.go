// Command parindex serves the citizen survey, the staff web app and the API,
// and runs batch jobs (migrations, imports, demo data) from the command line.
//
// Exit codes: 0 success, 1 failure, 2 bad usage or configuration.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	// The zone database inside the binary: PARINDEX_TIME_ZONE must load on
	// a server without /usr/share/zoneinfo (a minimal container).
	_ "time/tzdata"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"parindex"
	"parindex/config"
	"parindex/i18n"
	"parindex/tabular"
)

// version, commit and echartsVersion are set at link time by the Makefile
// (-X main.version=…); a plain go build falls back on what the Go
// toolchain recorded of the checkout (debug.ReadBuildInfo).
var (
	version        = "dev"
	commit         = ""
	echartsVersion = ""
)

// buildCommit is the commit the binary was built from: the link-time value,
// else the toolchain's record, marked when the checkout had changes.
func buildCommit() string {
	if commit != "" {
		return commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "unknown"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		revision += "-dirty"
	}
	return revision
}

func main() {
	if code, ran := runAsService(); ran {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError marks a mistake in how the command was called: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ie parindex.InputErrors
	if errors.As(err, &ie) {
		for _, e := range ie {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "%s (%s)\n", i18n.N(i18n.VI, "cli.problems", len(ie)), i18n.N(i18n.EN, "cli.problems", len(ie)))
		return 1
	}
	var ue usageError
	var ce *config.Error
	usage := errors.As(err, &ue) || errors.As(err, &ce)
	if !usage && isCobraUsageError(err) {
		// cobra's own words are English only: say it in Vietnamese too.
		usage = true
		err = fmt.Errorf("lệnh chưa đúng: %v; xem --help. (bad usage: %v; see --help.)", err, err)
	}
	fmt.Fprintln(stderr, "Lỗi (error):", err)
	if usage {
		return 2
	}
	return 1
}

// isCobraUsageError recognises cobra's own argument errors, which carry no
// type: the checks of required flags, and any other path that escapes
// positionalArgs, unknownSubcommand and the flag error function.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument", "required flag", "accepts "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// app carries what every command needs, filled before each command runs.
type app struct {
	stdout, stderr io.Writer
	flags          *pflag.FlagSet
	cfg            config.Config
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "parindex",
		Short: "Chỉ số cải cách hành chính và mức độ hài lòng (PAR index and citizen satisfaction)",
		Long: `parindex đo lường cải cách hành chính của tỉnh: khảo sát người dân qua mã QR,
tự chấm điểm và thẩm định theo bộ tiêu chí, tính điểm, xếp hạng, bảng điều khiển và Excel.

parindex measures a province's administrative reform: QR citizen surveys,
self-assessment and appraisal against criteria sets, scoring, dashboards, Excel.

Every setting comes from a flag or a PARINDEX_* environment variable; see "parindex config".`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			set := map[string]string{}
			cmd.Flags().Visit(func(f *pflag.Flag) { set[f.Name] = f.Value.String() })
			cfg, err := config.Load(set, os.Getenv)
			if err != nil {
				return err
			}
			a.cfg = cfg
			return nil
		},
		Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		path := cmd.CommandPath()
		return usageError{fmt.Errorf("%s: tùy chọn không hợp lệ: %v. Xem %s --help. (%s: bad flag: %v. See %s --help.)", path, err, path, path, err, path)}
	})
	pf := root.PersistentFlags()
	for _, o := range config.Options {
		pf.String(o.Flag, "", fmt.Sprintf("%s (env %s", o.Help, o.Env())+defaultNote(o)+")")
	}
	a.flags = pf
	root.AddCommand(
		a.serveCommand(),
		a.migrateCommand(),
		a.demoCommand(),
		a.orgCommand(),
		a.importCommand(),
		a.userCommand(),
		a.criteriaCommand(),
		a.configCommand(),
		a.versionCommand(),
		a.scoreCommand(),
		a.assessmentCommand(),
		a.surveyCommand(),
		a.exportCommand(),
		a.metricsCommand(),
		a.tokenCommand(),
		a.backupCommand(),
	)
	return root
}

func defaultNote(o config.Option) string {
	if o.Default == "" {
		return ""
	}
	return ", default " + o.Default
}

// unbounded is positionalArgs's max for a command that takes any number of
// arguments from min up.
const unbounded = -1

// positionalArgs is the one validator of every command's arguments: between
// min and max of them (max unbounded: no upper limit). A wrong count is a
// usage error (exit code 2) that says, in Vietnamese and English, what the
// command expects, named as in its Use line ("show FILE|CODE" expects
// FILE|CODE), what it received, and where to read more.
func positionalArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= min && (max == unbounded || len(args) <= max) {
			return nil
		}
		// A command that also holds subcommands (score: score run, score
		// publish) was most likely given a misspelt one.
		if max == 0 && cmd.HasAvailableSubCommands() {
			return unknownSubcommand(cmd, args)
		}
		return usageError{argsError(cmd, min, max, args)}
	}
}

func argsError(cmd *cobra.Command, min, max int, args []string) error {
	names := strings.Join(argNames(cmd.Use), " ")
	if names != "" {
		names = ": " + names
	}
	var vi, en string
	switch {
	case max == 0:
		vi, en = "không nhận đối số nào", "takes no arguments"
	case min == max:
		vi, en = fmt.Sprintf("cần đúng %d đối số%s", min, names), fmt.Sprintf("expects exactly %d %s%s", min, plainPlural(min, "argument"), names)
	case max == unbounded:
		vi, en = fmt.Sprintf("cần ít nhất %d đối số%s", min, names), fmt.Sprintf("expects at least %d %s%s", min, plainPlural(min, "argument"), names)
	default:
		vi, en = fmt.Sprintf("cần từ %d đến %d đối số%s", min, max, names), fmt.Sprintf("expects %d to %d arguments%s", min, max, names)
	}
	got := fmt.Sprint(len(args))
	if len(args) > 0 {
		quoted := make([]string, 0, len(args))
		for i, a := range args {
			if i == 3 {
				quoted = append(quoted, "…")
				break
			}
			quoted = append(quoted, strconv.Quote(a))
		}
		got += " (" + strings.Join(quoted, " ") + ")"
	}
	path := cmd.CommandPath()
	return fmt.Errorf("%s %s, nhận được %s. Xem %s --help. (%s %s; received %s. See %s --help.)", path, vi, got, path, path, en, got, path)
}

// argNames are the positional arguments of a Use line: the words after the
// command's name up to the first flag or optional flag group
// ("copy CODE --to NEWCODE [--year N]" names CODE; "tree [CODE]" names [CODE]).
func argNames(use string) []string {
	fields := strings.Fields(use)
	var names []string
	for _, f := range fields[min(1, len(fields)):] {
		if strings.HasPrefix(f, "-") || strings.HasPrefix(f, "[-") || strings.HasPrefix(f, "(") {
			break
		}
		names = append(names, f)
	}
	return names
}

// plainPlural is English's plural of a noun that takes an s; Vietnamese
// nouns do not change.
func plainPlural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// required is the PreRunE of a command that cannot run without some of its
// flags: when missing reports them absent, a usage error saying message,
// before the database is opened.
func required(message string, missing func() bool) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error {
		if missing() {
			return usageError{errors.New(message)}
		}
		return nil
	}
}

// readWholeFirst is the PreRunE of an import whose file, its argument, is
// read whole by read before the database is opened: a file's problems are
// reported without touching the database.
func readWholeFirst(read func(rd *tabular.Reader) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		rd, err := tabular.OpenFile(args[0], tabular.Whole)
		if err != nil {
			return err
		}
		defer rd.Close()
		return read(rd)
	}
}

// reasonFlag declares --reason, the reason a change is recorded with in the
// audit log.
func reasonFlag(fl *pflag.FlagSet, reason *string) {
	fl.StringVar(reason, "reason", "", "lý do, ghi vào nhật ký (reason recorded in the audit log)")
}

// dateRangeFlags declares --from and --to, the days dateRange parses.
func dateRangeFlags(fl *pflag.FlagSet, from, to *string) {
	fl.StringVar(from, "from", "", "từ ngày YYYY-MM-DD (first day)")
	fl.StringVar(to, "to", "", "đến ngày YYYY-MM-DD (last day)")
}

// unknownSubcommand is the argument check of a command that only holds
// subcommands: any word left over names a subcommand that does not exist.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	path := cmd.CommandPath()
	return usageError{fmt.Errorf("%s: không có lệnh %q; các lệnh: %s. (%s: no command %q; the commands are: %s.)",
		path, args[0], strings.Join(names, ", "), path, args[0], strings.Join(names, ", "))}
}

// groupCommand is a command that only holds subcommands: called bare or with
// an unknown subcommand it is a usage error.
func groupCommand(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  unknownSubcommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.Help()
			path := cmd.CommandPath()
			return usageError{fmt.Errorf("%s cần một lệnh con (xem danh sách ở trên). (%s needs a subcommand, listed above.)", path, path)}
		},
	}
	c.AddCommand(subs...)
	return c
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "In phiên bản (print the version)",
		Args:  positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(a.stdout, "parindex", version)
			fmt.Fprintln(a.stdout, "commit:", buildCommit())
			fmt.Fprintln(a.stdout, "ECharts:", chartsVersion())
			fmt.Fprintln(a.stdout, "Go:", runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
			return nil
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "In cấu hình đang dùng, ẩn bí mật (print the effective configuration, secrets masked)",
		Args:  positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, kv := range a.cfg.Effective() {
				fmt.Fprintf(a.stdout, "%-26s %s\n", kv[0], kv[1])
			}
			return nil
		},
	}
}
