package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"parindex/demo"
	"parindex/store"
)

func (a *app) demoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Nạp dữ liệu minh họa: tỉnh Minh Giang (seed the fictional demo province)",
		Long: `Nạp dữ liệu minh họa vào cơ sở dữ liệu đang cấu hình: tỉnh Minh Giang (giả định) với khoảng
20 sở, ngành, 60 xã, phường và hai huyện cũ (trước 01/7/2025) kèm quan hệ kế thừa.
Chạy lại nhiều lần không tạo bản trùng.

Seeds the configured database with a fictional two-tier province; running it again changes nothing.`,
		Args: positionalArgs(0, 0),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			if err := bootstrapAdmin(cmd.Context(), db, a.stdout); err != nil {
				return err
			}
			bar := newProgress(a.stderr, "", 0, "")
			s, err := demo.Seed(cmd.Context(), db, demo.Options{Progress: func(stage string, done, total int) {
				if done < total {
					bar.Step("Dữ liệu minh họa (demo data): "+stage, int64(done), int64(total))
				} else {
					bar.Step("Dữ liệu minh họa (demo data)", int64(done), int64(total))
					bar.Finish()
				}
			}})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Dữ liệu minh họa (demo data): đơn vị mới %d, cập nhật %d, giữ nguyên %d; tài khoản mới %d; bộ tiêu chí mới %d; "+
				"mã QR mới %d; phiếu khảo sát mới %d; số liệu mới %d; bản tự chấm mới %d (tài liệu %d); kết quả công bố mới %d.\n",
				s.Units.Created, s.Units.Updated, s.Units.Unchanged, s.Accounts, s.Frameworks, s.Survey.Links, s.Survey.Responses,
				s.Metrics, s.Assessment.Assessments, s.Assessment.Evidence, s.Snapshots)
			fmt.Fprintf(a.stdout, "\nTài khoản minh họa (demo logins), mật khẩu chung (password) %q:\n", demo.Password)
			for _, acc := range demo.Accounts {
				fmt.Fprintf(a.stdout, "  %-24s %s\n", acc.Username, acc.About)
			}
			return nil
		}),
	}
}
