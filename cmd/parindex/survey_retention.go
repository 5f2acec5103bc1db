package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"parindex/store"
	"parindex/vn"
)

// surveyRetentionCommand removes the raw responses of old years and keeps
// their counts (store.RemoveRawResponses).
func (a *app) surveyRetentionCommand() *cobra.Command {
	var keepYears int
	var dryRun bool
	var reason string
	cmd := &cobra.Command{
		Use:   "retention --keep-years N [--dry-run] [--reason TEXT]",
		Short: "Xoá phiếu gốc của các năm cũ, giữ số đếm (remove old raw responses, keep the counts)",
		Long: `Xoá phiếu gốc (câu trả lời, ý kiến, cờ, mã băm) của các năm trước N năm gần nhất, giữ năm nay và N năm trước
đó: với --keep-years 10 vào năm 2026, xoá phiếu trước ngày 01/01/2016. Bảng số đếm theo ngày và các kỳ chấm điểm đã
lưu được giữ nguyên, nên kết quả khảo sát tính từ số đếm không đổi; khoảng tin cậy của từng đơn vị, kết quả bỏ các
mã QR đáng ngờ, báo cáo tính trung thực và tệp phiếu gốc của những năm đã xoá không còn tính được. Trên PostgreSQL
mỗi năm là một bảng con, xoá cả bảng. Ghi nhật ký kiểm tra trong cùng giao dịch. --dry-run chỉ báo cáo.

Removes the raw responses of the years before the last N whole years (the current year and N before it are kept):
answers, comments, flags and hashes. The count table and the stored snapshots stay, so survey results read from
the counts do not change; a unit's intervals, results leaving out doubtful links, the integrity report and the raw
export have nothing left for the removed years. On PostgreSQL each year is a partition, dropped whole. Audited in
the same transaction. --dry-run only reports.`,
		Args: positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keepYears < 1 {
				return usageError{errors.New("cần --keep-years từ 1 trở lên (--keep-years must be 1 or more)")}
			}
			db, err := openDB(cmd.Context(), a.cfg, a.logger())
			if err != nil {
				return err
			}
			defer db.Close()
			cutoff := store.RetentionCutoff(db.Now(), keepYears)
			res, err := db.RemoveRawResponses(cmd.Context(), cliActor(), cutoff, dryRun, reason)
			if err != nil {
				return err
			}
			w := newTable(a.stdout)
			fmt.Fprintln(w, "NĂM (YEAR)\tPHIẾU (RESPONSES)\tCÁCH XOÁ (HOW)")
			for _, y := range res.Years {
				how := "xoá từng phiếu (rows deleted)"
				if y.Partition != "" {
					how = "xoá bảng " + y.Partition + " (partition dropped)"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\n", y.Year, vn.FormatNumber("vi", float64(y.Responses), 0), how)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			n := vn.FormatNumber("vi", float64(res.Responses()), 0)
			if res.DryRun {
				fmt.Fprintf(a.stdout, "Chạy thử: sẽ xoá %s phiếu gốc trước ngày %s; số đếm giữ nguyên. Không xoá gì.\n"+
					"(dry run: %d raw responses before %s would be removed; counts kept; nothing removed)\n",
					n, cutoff.VietnameseString(), res.Responses(), cutoff.VietnameseString())
				return nil
			}
			fmt.Fprintf(a.stdout, "Đã xoá %s phiếu gốc trước ngày %s; số đếm giữ nguyên.\n"+
				"(removed %d raw responses before %s; counts kept)\n",
				n, cutoff.VietnameseString(), res.Responses(), cutoff.VietnameseString())
			return nil
		},
	}
	cmd.Flags().IntVar(&keepYears, "keep-years", 0, "số năm giữ phiếu gốc trước năm nay (whole years of raw responses kept before this one)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "chỉ báo cáo, không xoá (report only)")
	cmd.Flags().StringVar(&reason, "reason", "", "lý do, ghi vào nhật ký kiểm tra (the reason, written to the audit log)")
	return cmd
}
