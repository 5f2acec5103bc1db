package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"parindex/store"
)

func (a *app) migrateCommand() *cobra.Command {
	up := &cobra.Command{
		Use:   "up",
		Short: "Áp dụng các migration còn thiếu (apply pending migrations)",
		Args:  positionalArgs(0, 0),
		RunE: a.withSchema(func(cmd *cobra.Command, db *store.DB) error {
			applied, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(a.stdout, "Cơ sở dữ liệu đã ở phiên bản mới nhất. (The database is up to date.)")
				return nil
			}
			fmt.Fprintf(a.stdout, "Đã áp dụng (applied) %d migration: %v\n", len(applied), applied)
			return nil
		}),
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Liệt kê migration và trạng thái (list migrations and whether they are applied)",
		Args:  positionalArgs(0, 0),
		RunE: a.withSchema(func(cmd *cobra.Command, db *store.DB) error {
			states, err := db.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			w := newTable(a.stdout)
			fmt.Fprintf(w, "VERSION\tNAME\tSTATE\tAPPLIED AT\n")
			for _, s := range states {
				state, at := "pending", ""
				if s.Applied {
					state, at = "applied", a.cfg.Clock().FormatTime(s.AppliedAt)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", s.Version, s.Name, state, at)
			}
			return w.Flush()
		}),
	}
	return groupCommand("migrate", "Quản lý lược đồ cơ sở dữ liệu (database migrations)", up, status)
}

// withSchema is the RunE of a migrate command: the database is opened as it
// is, not migrated first as withDB would.
func (a *app) withSchema(fn func(cmd *cobra.Command, db *store.DB) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := store.Open(cmd.Context(), a.cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(cmd, db)
	}
}
