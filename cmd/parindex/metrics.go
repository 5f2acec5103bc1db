package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/metricsxlsx"
	"parindex/store"
	"parindex/tabular"
)

func (a *app) metricsCommand() *cobra.Command {
	var dryRun bool
	var reason string
	var tab *tabular.Table
	var rows []parindex.ObservationRow
	importCmd := &cobra.Command{
		Use:   "import FILE.csv|FILE.xlsx",
		Short: "Nhập số liệu chỉ số từ CSV hoặc Excel (import operational metrics)",
		Long: `Nhập số liệu chỉ số (hồ sơ tiếp nhận, giải quyết đúng hạn, nộp trực tuyến…). Dòng tiêu đề gồm các cột
  unit, period, metric, value
(period: 2026-03 tháng, 2026-Q1 quý, 2026 năm; metric: mã trong danh mục, xem "parindex metrics catalog").
Mọi dòng được kiểm tra trước; nếu có lỗi, không số liệu nào được ghi và lệnh kết thúc với mã 1.
Nhập lại cùng tệp không ghi trùng; giá trị khác giá trị đã có là đính chính (lưu lịch sử và nhật ký).
--dry-run chỉ kiểm tra và báo cáo. Tệp mẫu: "parindex metrics template --out mau.xlsx".

Imports metrics; the whole file is checked first and nothing is written when any row is wrong
(exit code 1, every problem listed with its row and column). Re-importing is harmless; a changed
value is a correction, kept in history and the audit log. --dry-run only reports.`,
		Args: positionalArgs(1, 1),
		PreRunE: readWholeFirst(func(rd *tabular.Reader) (err error) {
			tab, rows, err = metricsxlsx.Read(rd)
			return err
		}),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			res, err := db.PutObservations(cmd.Context(), cliActor(), rows,
				store.PutOptions{Source: parindex.MetricSourceImport, File: tab.File, Sheet: tab.Sheet, Reason: reason, DryRun: dryRun})
			if err != nil {
				return err
			}
			if dryRun {
				fmt.Fprintf(a.stdout, "Chạy thử %s: %d số liệu hợp lệ; sẽ ghi mới %d, đính chính %d, không đổi %d. Không ghi gì.\n"+
					"(dry run: %d valid; %d new, %d corrections, %d unchanged; nothing written)\n",
					tab.File, len(rows), res.Inserted, res.Updated, res.Unchanged, len(rows), res.Inserted, res.Updated, res.Unchanged)
				return nil
			}
			fmt.Fprintf(a.stdout, "Đã nhập %s: ghi mới %d, đính chính %d, không đổi %d. (new %d, corrections %d, unchanged %d)\n",
				tab.File, res.Inserted, res.Updated, res.Unchanged, res.Inserted, res.Updated, res.Unchanged)
			return nil
		}),
	}
	importCmd.Flags().BoolVar(&dryRun, "dry-run", false, "chỉ kiểm tra và báo cáo, không ghi (check and report only)")
	reasonFlag(importCmd.Flags(), &reason)

	var out string
	templateCmd := &cobra.Command{
		Use:   "template --out FILE.xlsx",
		Short: "Ghi tệp Excel mẫu để nhập số liệu (write the Excel import template)",
		Long: `Ghi tệp Excel mẫu: sheet "Số liệu" với bốn cột unit, period, metric, value và ô được kiểm tra
(mã đơn vị, mã chỉ số chọn trong danh sách; kỳ dạng văn bản; giá trị là số không âm); danh mục chỉ số
và danh sách đơn vị nằm ở sheet ẩn.

Writes the Excel template: the data sheet with validated cells, the catalogue and units on hidden sheets.`,
		Args: positionalArgs(0, 0),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{errors.New("--out FILE.xlsx is required")}
			}
			if !strings.HasSuffix(strings.ToLower(out), ".xlsx") {
				return usageError{fmt.Errorf("--out must name an .xlsx file, got %q", out)}
			}
			return nil
		},
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			catalog, err := db.Metrics(cmd.Context())
			if err != nil {
				return err
			}
			units, err := db.FindOrgUnits(cmd.Context(), store.OrgFilter{ValidOn: parindex.DateOf(time.Now())})
			if err != nil {
				return err
			}
			data, err := metricsxlsx.Bytes(catalog, units)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return fmt.Errorf("không ghi được %s (unable to write %s): %w", out, out, err)
			}
			fmt.Fprintf(a.stdout, "Đã ghi %s: %d chỉ số, %d đơn vị. (template written)\n", out, len(catalog), len(units))
			return nil
		}),
	}
	templateCmd.Flags().StringVar(&out, "out", "", "tệp .xlsx cần ghi (the .xlsx file to write)")

	catalogCmd := &cobra.Command{
		Use:   "catalog",
		Short: "In danh mục chỉ số (print the metrics catalogue)",
		Args:  positionalArgs(0, 0),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			ms, err := db.Metrics(cmd.Context())
			if err != nil {
				return err
			}
			w := newTable(a.stdout)
			fmt.Fprintln(w, "CODE\tCOMBINE\tSELF_REPORT\tUNIT\tNAME")
			for _, m := range ms {
				fmt.Fprintf(w, "%s\t%s\t%v\t%s\t%s\n", m.Code, m.Combine, m.SelfReport, m.Unit, m.NameVI)
			}
			return w.FlushTotal("%d chỉ số (metrics)\n", len(ms))
		}),
	}
	return groupCommand("metrics", "Số liệu chỉ số từ hệ thống một cửa và đơn vị (operational metrics)", importCmd, templateCmd, catalogCmd)
}

func (a *app) tokenCommand() *cobra.Command {
	var name, unit string
	var write bool
	createCmd := &cobra.Command{
		Use:   "create --name NAME [--unit CODE] [--write]",
		Short: "Tạo mã truy cập API (create an API token)",
		Long: `Tạo mã truy cập API cho một hệ thống kết nối. Mã chỉ in ra một lần; hệ thống chỉ lưu giá trị băm.
Không có --unit: mọi đơn vị; có --unit: chỉ đơn vị đó. Không có --write: chỉ đọc.

Creates an API token, printed once (only its hash is stored): every unit, or one with --unit;
read-only unless --write.`,
		Args:    positionalArgs(0, 0),
		PreRunE: required("--name NAME is required (the system that will use the token)", func() bool { return strings.TrimSpace(name) == "" }),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			secret, tok, err := db.CreateAPIToken(cmd.Context(), cliActor(), store.APITokenSpec{Name: name, UnitCode: unit, Write: write})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Mã truy cập %d (%s), %s, %s. Chỉ hiện một lần (shown once):\n", tok.ID, tok.Name, scopeText(tok), accessText(tok))
			fmt.Fprintln(a.stdout, secret)
			return nil
		}),
	}
	createCmd.Flags().StringVar(&name, "name", "", "tên hệ thống dùng mã (the system using the token)")
	createCmd.Flags().StringVar(&unit, "unit", "", "chỉ đơn vị có mã này (only this unit; default every unit)")
	createCmd.Flags().BoolVar(&write, "write", false, "được gửi số liệu (may send metrics)")

	listCmd := &cobra.Command{
		Use:   "list",
		Short: "Liệt kê mã truy cập API (list API tokens)",
		Args:  positionalArgs(0, 0),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			tokens, err := db.FindAPITokens(cmd.Context())
			if err != nil {
				return err
			}
			clock := a.cfg.Clock()
			w := newTable(a.stdout)
			fmt.Fprintln(w, "ID\tNAME\tPREFIX\tSCOPE\tACCESS\tCREATED\tLAST_USED\tSTATUS")
			for _, t := range tokens {
				status := "active"
				if !t.Active() {
					status = "revoked " + clock.FormatDay(t.RevokedAt)
				}
				used := "never"
				if !t.LastUsedAt.IsZero() {
					used = clock.FormatTime(t.LastUsedAt)
				}
				fmt.Fprintf(w, "%d\t%s\t%s…\t%s\t%s\t%s %s\t%s\t%s\n", t.ID, t.Name, t.Prefix, scopeText(t), accessText(t),
					clock.FormatDay(t.CreatedAt), t.CreatedBy, used, status)
			}
			return w.FlushTotal("%d mã truy cập (tokens)\n", len(tokens))
		}),
	}

	var revokeReason string
	var id int64
	revokeCmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Thu hồi mã truy cập API (revoke an API token)",
		Args:  positionalArgs(1, 1),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if id, err = strconv.ParseInt(args[0], 10, 64); err != nil || id <= 0 {
				return usageError{fmt.Errorf("ID must be a token number from \"parindex token list\", got %q", args[0])}
			}
			return nil
		},
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			if err := db.RevokeAPIToken(cmd.Context(), cliActor(), id, revokeReason); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã thu hồi mã truy cập %d. (token %d revoked)\n", id, id)
			return nil
		}),
	}
	reasonFlag(revokeCmd.Flags(), &revokeReason)
	return groupCommand("token", "Mã truy cập API cho hệ thống khác (API tokens)", createCmd, listCmd, revokeCmd)
}

func scopeText(t *parindex.APIToken) string {
	if t.UnitCode == "" {
		return "all units"
	}
	return "unit " + t.UnitCode
}

func accessText(t *parindex.APIToken) string {
	if t.CanWrite {
		return "read+write"
	}
	return "read"
}
