package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"parindex/store"
	"parindex/survey"
	"parindex/tabular"
	"parindex/vn"
)

func (a *app) surveyCommand() *cobra.Command {
	var instrumentArg, responses, format, by string
	var seed uint64
	var includeFlagged bool
	stats := &cobra.Command{
		Use:   "stats --instrument FILE|CODE --responses FILE.csv [--by unit] [--format json|table]",
		Short: "Tính kết quả khảo sát từ tệp phiếu (survey results from a file of answers)",
		Long: `Tính kết quả khảo sát từ một tệp CSV hoặc Excel theo mẫu phiếu giấy (cột unit, date, mã câu hỏi, comment):
mỗi câu hỏi (n, số không áp dụng, số phiếu từng mức, tỷ lệ hài lòng, điểm trung bình, khoảng tin cậy Wilson 95%),
mỗi yếu tố và chỉ số chung (khoảng tin cậy điểm số trên cỡ mẫu hiệu dụng: phương sai tuyến tính hoá, hoặc bootstrap
hạt giống cố định dưới 100 người trả lời), Cronbach's alpha, mức tin cậy của kết quả. Mã đơn vị không phân biệt chữ
hoa, chữ thường, như khi nhập phiếu. Phiếu được sàng lọc như khi nhập (phiếu trùng hàng loạt, phiếu chọn một mức);
phiếu bị gắn cờ không được tính, trừ khi có --include-flagged. Không cần cơ sở dữ liệu: ai cũng kiểm tra lại được một con số đã công bố.

Computes survey results from a file in the paper-form layout, without a database. JSON output is documented in
docs/statistics.md. --instrument is a YAML file or a reference instrument code. Forms are screened as on import
(batch duplicates, straight-lined batches); flagged forms are left out unless --include-flagged.`,
		Args: positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if instrumentArg == "" || responses == "" {
				return usageError{errors.New("cần cả --instrument và --responses (--instrument and --responses are required)")}
			}
			if format != "json" && format != "table" {
				return usageError{fmt.Errorf("--format chỉ nhận json hoặc table, không nhận %q (--format takes json or table, not %q)", format, format)}
			}
			// One flag per meaning: --by names the grouping; "unit" is the
			// only one so far.
			if by != "" && by != "unit" {
				return usageError{fmt.Errorf("--by chỉ nhận \"unit\", không nhận %q (--by takes only \"unit\", not %q)", by, by)}
			}
			byUnit := by == "unit"
			in, err := loadInstrument(instrumentArg)
			if err != nil {
				return err
			}
			defer limitStreamMemory()()
			rd, err := tabular.OpenFile(responses, tabular.Stream)
			if err != nil {
				return err
			}
			defer rd.Close()
			res, err := survey.TableResultsSized(rd, in, byUnit, survey.ResultOptions{Seed: seed, IncludeFlagged: includeFlagged}, expectedForms(responses, len(in.Questions())))
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return writeSurveyTable(a, res)
		},
	}
	fl := stats.Flags()
	fl.StringVar(&instrumentArg, "instrument", "", "bộ câu hỏi: tệp YAML hoặc mã bộ tham khảo (instrument: YAML file or reference code)")
	fl.StringVar(&responses, "responses", "", "tệp phiếu CSV hoặc Excel (answers file)")
	fl.StringVar(&format, "format", "json", "json hoặc table")
	fl.Uint64Var(&seed, "seed", 1, "hạt giống của bootstrap, dưới 100 người trả lời (bootstrap seed, under 100 respondents)")
	fl.BoolVar(&includeFlagged, "include-flagged", false, "tính cả phiếu bị gắn cờ khi sàng lọc (include the forms screening flags)")
	fl.StringVar(&by, "by", "", "\"unit\": mỗi đơn vị một nhóm (one group per unit)")
	return groupCommand("survey", "Khảo sát sự hài lòng (citizen satisfaction survey)", stats, a.surveyScreenCommand(), a.surveyIntegrityCommand(), a.surveyRetentionCommand())
}

// surveyScreenCommand screens stored responses of every channel with the
// batch test imports get (survey.ScreenStored).
func (a *app) surveyScreenCommand() *cobra.Command {
	var instrument string
	var year int
	cmd := &cobra.Command{
		Use:   "screen --instrument CODE [--year YYYY]",
		Short: "Sàng lọc phiếu đã lưu: phiếu trùng hàng loạt, phiếu chọn một mức (screen stored responses)",
		Long: `Sàng lọc mọi phiếu đã lưu của một bộ câu hỏi trong một năm, mọi kênh (QR, web, phiếu giấy, API), như khi nhập
phiếu giấy: nhiều phiếu giống hệt nhau, hoặc nhiều phiếu chọn cùng một mức, của một đơn vị trong một ngày, vượt quá
điều ngẫu nhiên giải thích được, bị gắn cờ batch_duplicate, straightline. Chỉ thêm cờ, không bỏ cờ; kết quả khảo sát
mặc định không tính phiếu bị gắn cờ. Chạy lại không thay đổi gì nếu không có phiếu mới.

Screens an instrument's stored responses of one year, every channel alike, with the batch test of paper imports
(docs/statistics.md, "Quality flags of imported forms"), and adds the flags found. Run it periodically, e.g. nightly.`,
		Args:    positionalArgs(0, 0),
		PreRunE: required("cần --instrument (--instrument is required)", func() bool { return instrument == "" }),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			if year == 0 {
				year = db.Now().In(time.FixedZone("ICT", 7*3600)).Year() // the year in Vietnam
			}
			res, err := survey.ScreenStored(cmd.Context(), db, instrument, survey.Year(year))
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã sàng lọc %d phiếu của bộ câu hỏi %s năm %d; gắn cờ thêm %d phiếu.\n"+
				"(screened %d responses; %d newly flagged)\n", res.Responses, res.Instrument, year, res.Flagged, res.Responses, res.Flagged)
			return nil
		}),
	}
	cmd.Flags().StringVar(&instrument, "instrument", "", "mã bộ câu hỏi, ví dụ sipas-2026 (the instrument code)")
	cmd.Flags().IntVar(&year, "year", 0, "năm của phiếu, mặc định năm nay (the year of the responses; default this year)")
	return cmd
}

// loadInstrument reads a YAML file, or else a reference instrument code.
func loadInstrument(arg string) (*survey.Instrument, error) {
	data, err := os.ReadFile(arg)
	switch {
	case err == nil:
		return survey.ParseInstrument(arg, data)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("survey: không đọc được bộ câu hỏi (unable to read the instrument): %w", err)
	}
	in, err := survey.ReferenceInstrument(arg)
	if err != nil {
		return nil, usageError{fmt.Errorf("--instrument %q is neither a file nor a reference instrument (%v)", arg, survey.ReferenceInstruments())}
	}
	return in, nil
}

func writeSurveyTable(a *app, res survey.Results) error {
	w := newTable(a.stdout)
	fmt.Fprintln(w, "GROUP\tRESPONDENTS\tADEQUACY\tOVERALL\t95% INTERVAL")
	for _, g := range res.Groups {
		ci := "–"
		if g.Overall.CI95 != nil {
			ci = fmt.Sprintf("%s – %s", pct(float64(g.Overall.CI95[0])), pct(float64(g.Overall.CI95[1])))
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", g.Unit, g.Respondents, g.Adequacy, pct(float64(g.Overall.Index)), ci)
	}
	return w.Flush()
}

// pct shows a share as a percentage with one decimal, Vietnamese style.
func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return vn.FormatNumber("vi", x*100, 1) + "%"
}

// expectedForms estimates the forms of a CSV file from its size, a little
// over (a typed row holds at least unit, date and one character and a comma
// per question), so that survey stats allocates one group's answers once.
// Excel files are compressed: no estimate.
func expectedForms(path string, questions int) int {
	info, err := os.Stat(path)
	if err != nil || !strings.EqualFold(filepath.Ext(path), ".csv") {
		return 0
	}
	return int(info.Size() / int64(2*questions+16))
}
