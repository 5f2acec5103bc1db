package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"parindex/store"
)

func (a *app) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Sao lưu cơ sở dữ liệu SQLite khi máy chủ vẫn chạy (back up the SQLite database while serving)",
		Long: `Ghi một bản sao nhất quán của cơ sở dữ liệu SQLite vào FILE (VACUUM INTO), kể cả khi máy chủ đang chạy.
FILE phải chưa tồn tại. Khôi phục: dừng máy chủ, chép FILE thành tệp cơ sở dữ liệu, chạy lại (docs/deploy.md).
Với PostgreSQL, dùng pg_dump và pg_restore.

Writes a consistent copy of the SQLite database to FILE (VACUUM INTO), safe while the server runs. FILE must
not exist. To restore: stop the server, copy FILE over the database file, start it (docs/deploy.md). On
PostgreSQL, use pg_dump and pg_restore.`,
		Args: positionalArgs(1, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			start := time.Now()
			if err := db.Backup(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã sao lưu vào %s trong %s (backed up into %s).\n", args[0], time.Since(start).Round(time.Millisecond), args[0])
			return nil
		}),
	}
}
