package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"

	"parindex/survey"
	"parindex/tabular"
)

func (a *app) importCommand() *cobra.Command {
	var instrument string
	var dryRun bool
	responses := &cobra.Command{
		Use:   "responses FILE.csv|FILE.xlsx --instrument CODE",
		Short: "Nhập phiếu khảo sát giấy (import paper survey forms)",
		Long: `Nhập phiếu khảo sát trên giấy đã gõ vào bảng tính, theo một bộ câu hỏi đã công bố.
Dòng tiêu đề gồm: unit (mã đơn vị), date (yyyy-mm-dd), một cột cho mỗi mã câu hỏi (1–5, NA hoặc
để trống), có thể thêm các cột thông tin người trả lời (gender, …) và comment. Xem docs/survey-format.md.
Mọi ô được kiểm tra trước; nếu có lỗi, không phiếu nào được ghi và lệnh kết thúc với mã 1.
Nhập lại cùng một tệp không ghi trùng. --dry-run chỉ kiểm tra và báo cáo.

Imports paper survey forms typed into a spreadsheet for a published instrument. Every cell is
checked first; when any is wrong nothing is written (exit code 1, every problem listed with its
row and column). Importing the same file again stores nothing twice. --dry-run only reports.`,
		Args: positionalArgs(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if instrument == "" {
				return usageError{errors.New("--instrument CODE is required (the published instrument the forms answer, e.g. sipas-2026)")}
			}
			// The file is read twice (checked, then stored), each time as
			// a stream: a file of millions of forms needs little memory.
			// On a terminal each reading shows how much of the file is read.
			var opened []*os.File
			var bar *progress
			defer func() {
				if bar != nil {
					bar.Finish()
				}
				for _, f := range opened {
					f.Close()
				}
			}()
			file := func() (*tabular.Reader, error) {
				f, err := os.Open(args[0])
				if err != nil {
					return tabular.OpenFile(args[0], tabular.Stream) // its located refusal
				}
				opened = append(opened, f)
				var size int64
				if st, err := f.Stat(); err == nil {
					size = st.Size()
				}
				label := "Kiểm tra (checking) "
				if bar != nil {
					bar.Finish()
					label = "Ghi (storing) "
				}
				bar = newProgress(a.stderr, label+filepath.Base(args[0]), size, "B")
				return tabular.Open(filepath.Base(args[0]), progressReader{f, bar}, tabular.Stream)
			}
			defer limitStreamMemory()()
			db, err := openDB(cmd.Context(), a.cfg, a.logger())
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := survey.ImportPaper(cmd.Context(), db, cliActor(), file, instrument, dryRun)
			if err != nil {
				return err
			}
			if res.DryRun {
				fmt.Fprintf(a.stdout, "Chạy thử %s (bộ câu hỏi %s): %d phiếu hợp lệ; sẽ ghi mới %d, đã có từ lần nhập trước %d. Không ghi gì.\n"+
					"(dry run: %d valid forms; %d would be stored, %d already stored; nothing written)\n",
					res.File, res.Instrument, res.Rows, res.New, res.AlreadyStored, res.Rows, res.New, res.AlreadyStored)
				return nil
			}
			fmt.Fprintf(a.stdout, "Đã nhập %s (bộ câu hỏi %s): %d phiếu; ghi mới %d, đã có từ lần nhập trước %d.\n"+
				"(imported: %d forms; %d stored, %d already stored)\n",
				res.File, res.Instrument, res.Rows, res.Inserted, res.AlreadyStored, res.Rows, res.Inserted, res.AlreadyStored)
			return nil
		},
	}
	responses.Flags().StringVar(&instrument, "instrument", "", "mã bộ câu hỏi đã công bố, ví dụ sipas-2026 (the published instrument code)")
	responses.Flags().BoolVar(&dryRun, "dry-run", false, "chỉ kiểm tra và báo cáo, không ghi (check and report only)")
	return groupCommand("import", "Nhập dữ liệu từ tệp CSV, Excel (import data from files)", responses)
}

// streamMemory is the soft heap limit of the commands that stream large
// files (survey stats, import responses): the garbage of parsing millions of
// rows is collected before the heap doubles, which keeps a five-million-row
// file within 256 MB resident (docs/BENCHMARKS.md). GOMEMLIMIT, when set,
// decides instead.
const streamMemory = 192 << 20

// limitStreamMemory sets the limit and returns what puts the previous one
// back (commands also run inside tests).
func limitStreamMemory() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	previous := debug.SetMemoryLimit(streamMemory)
	return func() { debug.SetMemoryLimit(previous) }
}
