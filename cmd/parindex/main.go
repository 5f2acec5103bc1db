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
	"strings"
	"syscall"
	// The zone database inside the binary: PARINDEX_TIME_ZONE must load on
	// a server without /usr/share/zoneinfo (a minimal container).
	_ "time/tzdata"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"parindex"
	"parindex/config"
)

// version is set at link time by the Makefile (-X main.version=…).
var version = "dev"

func main() {
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
		fmt.Fprintf(stderr, "Lỗi: %d vấn đề, không có gì được ghi. (%d problems; nothing was written.)\n", len(ie), len(ie))
		return 1
	}
	fmt.Fprintln(stderr, "Lỗi (error):", err)
	var ue usageError
	var ce *config.Error
	if errors.As(err, &ue) || errors.As(err, &ce) || isCobraUsageError(err) {
		return 2
	}
	return 1
}

// isCobraUsageError recognises cobra's own argument errors, which carry no type.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument", "required flag"} {
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
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q", args[0])}
			}
			return cmd.Help()
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{err} })
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
	)
	return root
}

func defaultNote(o config.Option) string {
	if o.Default == "" {
		return ""
	}
	return ", default " + o.Default
}

// exactArgs is cobra.ExactArgs whose error is a usage error (exit code 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// rangeArgs is cobra.RangeArgs whose error is a usage error (exit code 2).
func rangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.RangeArgs(min, max)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// groupCommand is a command that only holds subcommands: called bare or with
// an unknown subcommand it is a usage error.
func groupCommand(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			cmd.Help()
			return usageError{fmt.Errorf("%s needs a subcommand", cmd.CommandPath())}
		},
	}
	c.AddCommand(subs...)
	return c
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "In phiên bản (print the version)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(a.stdout, "parindex", version)
			return nil
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "In cấu hình đang dùng, ẩn bí mật (print the effective configuration, secrets masked)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, kv := range a.cfg.Effective() {
				fmt.Fprintf(a.stdout, "%-26s %s\n", kv[0], kv[1])
			}
			return nil
		},
	}
}
