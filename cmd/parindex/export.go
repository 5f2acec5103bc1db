package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"parindex"
	"parindex/export"
	"parindex/store"
	"parindex/survey"
	"parindex/workbook"
)

func (a *app) exportCommand() *cobra.Command {
	return groupCommand("export", "Xuất tệp Excel: phiếu điểm, xếp hạng, phiếu khảo sát (Excel exports)",
		a.exportScorecardsCommand(), a.exportRankingCommand(), a.exportSurveyCommand(), a.exportResponsesCommand())
}

func (a *app) exportSurveyCommand() *cobra.Command {
	var out, instrument, from, to, unit string
	var includeFlagged bool
	var year int
	var period survey.Period
	cmd := &cobra.Command{
		Use:   "survey --instrument CODE (--year YYYY | --from YYYY-MM-DD --to YYYY-MM-DD) [--unit PARENT] [--include-flagged] --out FILE.xlsx|DIR",
		Short: "Xuất kết quả khảo sát theo đơn vị và câu hỏi (survey results workbook for a period and a group of units)",
		Long: `Xuất kết quả khảo sát của một bộ câu hỏi trong một khoảng thời gian: mỗi đơn vị một dòng (số người trả lời,
chỉ số chung, từng yếu tố, mức tin cậy; khoảng tin cậy của chỉ số chung khi nhóm có tối đa 30 đơn vị), một biểu đồ
cho mỗi yếu tố, mỗi đơn vị × câu hỏi một dòng (n, tỷ lệ hài lòng, khoảng tin cậy 95%) và, khi xuất cả một năm, độ
tin cậy phiếu của từng đơn vị và mã QR kèm lý do (PARINDEX_INTEGRITY_POLICY). --unit giới hạn ở một đơn vị và các đơn
vị trực thuộc. Trang /admin/survey/results.xlsx tải đúng tệp này.

Writes the survey results of one instrument over a period, for every unit or for --unit and the units below it,
with the counter integrity of a calendar year: the same workbook as the web download /admin/survey/results.xlsx.`,
		Args: positionalArgs(0, 0),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if out == "" || instrument == "" {
				return usageError{errors.New("--instrument CODE and --out FILE.xlsx|DIR are required")}
			}
			var err error
			period, err = surveyPeriod(year, from, to)
			return err
		},
		RunE: a.withExportDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			res, err := export.LoadSurveyResults(ctx, db, survey.NewService(db, survey.ResultOptions{}), export.SurveyQuery{Instrument: instrument,
				Period: period, Parent: unit, IncludeFlagged: includeFlagged, Policy: a.cfg.IntegrityPolicy, Location: a.cfg.Location})
			if err != nil {
				return err
			}
			path := outputPath(out, export.SurveyFileName(res))
			if err := writeFileAtomic(path, func(w io.Writer) error { return export.WriteSurveyResults(w, res) }); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã xuất kết quả khảo sát của %d đơn vị: %s (wrote the survey results).\n", len(res.Units), path)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&out, "out", "", "tệp .xlsx hoặc thư mục (output file or directory)")
	fl.StringVar(&instrument, "instrument", "", "mã bộ câu hỏi, ví dụ sipas-2026 (instrument code)")
	fl.IntVar(&year, "year", 0, "cả năm (a calendar year)")
	dateRangeFlags(fl, &from, &to)
	fl.StringVar(&unit, "unit", "", "đơn vị cha: chỉ đơn vị này và các đơn vị trực thuộc (parent unit)")
	fl.BoolVar(&includeFlagged, "include-flagged", false, "tính cả phiếu bị gắn cờ khi sàng lọc (include the forms screening flags)")
	return cmd
}

// snapshotExport is what the exports of one snapshot (scorecards, ranking)
// take alike: --snapshot ID and --out, both required, and the snapshot
// loaded from the database before the command writes anything.
type snapshotExport struct {
	id  int64
	out string
}

// flags declares --snapshot and --out; outHelp says whether --out is a file
// or a directory.
func (s *snapshotExport) flags(fl *pflag.FlagSet, outHelp string) {
	fl.Int64Var(&s.id, "snapshot", 0, "số bản chốt điểm số (snapshot id)")
	fl.StringVar(&s.out, "out", "", outHelp)
}

// check is the command's PreRunE: both flags are required; outName is
// what the usage calls --out's value (DIR, FILE.xlsx|DIR).
func (s *snapshotExport) check(outName string) func(*cobra.Command, []string) error {
	return required("--snapshot ID and --out "+outName+" are required", func() bool { return s.id <= 0 || s.out == "" })
}

// run is the command's RunE: it opens the database, loads the snapshot and
// hands both to write.
func (a *app) runSnapshotExport(s *snapshotExport, write func(ctx context.Context, db *store.DB, sc *export.Scored) error) func(*cobra.Command, []string) error {
	return a.withExportDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
		sc, err := export.LoadSnapshot(cmd.Context(), db, s.id)
		if err != nil {
			return err
		}
		return write(cmd.Context(), db, sc)
	})
}

func (a *app) exportScorecardsCommand() *cobra.Command {
	var s snapshotExport
	var units []string
	cmd := &cobra.Command{
		Use:   "scorecards --snapshot ID --out DIR [--unit CODE]...",
		Short: "Xuất phiếu điểm CCHC của từng đơn vị, mỗi đơn vị một tệp (one scorecard workbook per agency)",
		Long: `Xuất phiếu điểm CCHC (.xlsx) của mọi đơn vị được chấm trong bản chốt điểm số, hoặc chỉ các đơn vị --unit,
vào thư mục --out (tạo nếu chưa có), mỗi đơn vị một tệp "Phiếu điểm CCHC NĂM - TÊN ĐƠN VỊ.xlsx".
Tiến độ được in trên stderr.

Writes one scorecard workbook per agency of the snapshot (or per --unit) into --out; progress goes to stderr.`,
		Args:    positionalArgs(0, 0),
		PreRunE: s.check("DIR"),
		RunE: a.runSnapshotExport(&s, func(ctx context.Context, db *store.DB, sc *export.Scored) error {
			codes := units
			if len(codes) == 0 {
				for _, ag := range sc.Result.Agencies {
					codes = append(codes, ag.Code)
				}
			}
			for _, c := range codes {
				if sc.Result.Agency(c) == nil {
					return usageError{fmt.Errorf("--unit %s: snapshot %d did not score this unit", c, s.id)}
				}
			}
			if err := os.MkdirAll(s.out, 0o755); err != nil {
				return fmt.Errorf("export: không tạo được %s (unable to create %s): %w", s.out, s.out, err)
			}
			svc := survey.NewService(db, survey.ResultOptions{})
			used := map[string]bool{}
			start := time.Now()
			bar := newProgress(a.stderr, "", int64(len(codes)), "")
			for i, code := range codes {
				ag := sc.Result.Agency(code)
				bar.Step("Phiếu điểm (scorecards) "+ag.Code, int64(i), int64(len(codes)))
				surveys, err := export.SurveyFor(ctx, svc, sc, code)
				if err != nil {
					return err
				}
				name := workbook.SafeFileName(export.ScorecardFileName(sc, ag))
				if used[strings.ToLower(name)] { // two agencies with one name
					name = strings.TrimSuffix(name, ".xlsx") + " (" + workbook.SafeFileName(ag.Code) + ").xlsx"
				}
				used[strings.ToLower(name)] = true
				if err := writeFileAtomic(filepath.Join(s.out, name), func(w io.Writer) error {
					return export.WriteScorecard(w, sc, code, surveys, a.cfg.Clock())
				}); err != nil {
					return err
				}
			}
			bar.Step("Phiếu điểm (scorecards)", int64(len(codes)), int64(len(codes)))
			bar.Finish()
			fmt.Fprintf(a.stdout, "Đã xuất %d phiếu điểm vào %s trong %s (wrote %d scorecards).\n", len(codes), s.out, time.Since(start).Round(time.Millisecond), len(codes))
			return nil
		}),
	}
	s.flags(cmd.Flags(), "thư mục ghi tệp (output directory)")
	cmd.Flags().StringSliceVar(&units, "unit", nil, "chỉ các đơn vị này (only these unit codes)")
	return cmd
}

func (a *app) exportRankingCommand() *cobra.Command {
	var s snapshotExport
	cmd := &cobra.Command{
		Use:     "ranking --snapshot ID --out FILE.xlsx|DIR",
		Short:   "Xuất bảng xếp hạng CCHC của bản chốt điểm số (the province ranking workbook)",
		Args:    positionalArgs(0, 0),
		PreRunE: s.check("FILE.xlsx|DIR"),
		RunE: a.runSnapshotExport(&s, func(ctx context.Context, db *store.DB, sc *export.Scored) error {
			types, err := export.UnitTypes(ctx, db, sc)
			if err != nil {
				return err
			}
			path := outputPath(s.out, export.RankingFileName(sc))
			if err := writeFileAtomic(path, func(w io.Writer) error { return export.WriteRanking(w, sc, types, a.cfg.Clock()) }); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã xuất bảng xếp hạng %d đơn vị: %s (wrote the ranking).\n", len(sc.Result.Agencies), path)
			return nil
		}),
	}
	s.flags(cmd.Flags(), "tệp .xlsx hoặc thư mục (output file or directory)")
	return cmd
}

func (a *app) exportResponsesCommand() *cobra.Command {
	var out, unit, from, to, flag, instrument string
	cmd := &cobra.Command{
		Use:   "responses --out FILE.xlsx|DIR [--unit CODE] [--instrument CODE] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--flag any|none|NAME]",
		Short: "Xuất phiếu khảo sát thô, mỗi phiếu một dòng (raw responses, one row per response, streamed)",
		Long: `Xuất mọi phiếu khảo sát khớp bộ lọc, mỗi phiếu một dòng: đơn vị, bộ câu hỏi, ngày, thời điểm gửi (giờ của
tỉnh), mỗi câu hỏi một cột, mỗi câu hỏi về người trả lời một cột, mỗi cờ chất lượng một cột, nguồn, góp ý. Góp ý dài hơn giới hạn 32.767 ký tự của Excel được cắt và đánh dấu.

Streams every matching response into one workbook without holding them in memory.`,
		Args:    positionalArgs(0, 0),
		PreRunE: required("--out FILE.xlsx|DIR is required", func() bool { return out == "" }),
		RunE: a.withExportDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			f, err := responseFilter(ctx, db, unit, instrument, from, to, flag)
			if err != nil {
				return err
			}
			total, err := db.CountResponses(ctx, f)
			if err != nil {
				return err
			}
			path := outputPath(out, export.ResponsesFileName(time.Now()))
			start := time.Now()
			var sum export.ResponsesSummary
			bar := newProgress(a.stderr, "Xuất phiếu (exporting responses)", int64(total), "")
			err = writeFileAtomic(path, func(w io.Writer) error {
				var err error
				sum, err = export.WriteResponses(ctx, db, f, a.cfg.Clock(), w, func(n int) { bar.Set(int64(n)) })
				return err
			})
			bar.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã xuất %d phiếu vào %s trong %s; %d góp ý bị cắt (wrote %d responses, %d comments cut).\n",
				sum.Rows, path, time.Since(start).Round(time.Millisecond), sum.Cut, sum.Rows, sum.Cut)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&out, "out", "", "tệp .xlsx hoặc thư mục (output file or directory)")
	fl.StringVar(&unit, "unit", "", "mã đơn vị (unit code)")
	fl.StringVar(&instrument, "instrument", "", "mã bộ câu hỏi (instrument code)")
	dateRangeFlags(fl, &from, &to)
	fl.StringVar(&flag, "flag", "", "any, none hoặc tên cờ (quality flag)")
	return cmd
}

func responseFilter(ctx context.Context, db *store.DB, unit, instrument, from, to, flag string) (store.ResponseFilter, error) {
	var f store.ResponseFilter
	var err error
	if unit != "" {
		u, err := db.OrgUnitByCode(ctx, unit)
		if err != nil {
			return f, err
		}
		f.UnitID = u.ID
	}
	if instrument != "" {
		in, err := db.InstrumentByCode(ctx, instrument)
		if err != nil {
			return f, err
		}
		f.InstrumentID = in.ID
	}
	if f.From, f.To, err = dateRange(from, to); err != nil {
		return f, err
	}
	switch flag {
	case "", "any", "none", parindex.FlagSpeeder, parindex.FlagStraightline, parindex.FlagDuplicateDevice, parindex.FlagBatchDuplicate, parindex.FlagBot:
		f.Flag = flag
	default:
		return f, usageError{fmt.Errorf("--flag must be any, none, %s, %s, %s, %s or %s, got %q",
			parindex.FlagSpeeder, parindex.FlagStraightline, parindex.FlagDuplicateDevice, parindex.FlagBatchDuplicate, parindex.FlagBot, flag)}
	}
	return f, nil
}

// surveyPeriod is the period of --year, or of --from and --to; not both.
func surveyPeriod(year int, from, to string) (survey.Period, error) {
	switch {
	case year != 0 && (from != "" || to != ""):
		return survey.Period{}, usageError{errors.New("give --year or --from/--to, not both")}
	case year != 0:
		return survey.Year(year), nil
	}
	var p survey.Period
	var err error
	p.From, p.To, err = dateRange(from, to)
	return p, err
}

// dateRange parses --from and --to, YYYY-MM-DD; an empty one stays zero.
func dateRange(from, to string) (first, last parindex.Date, err error) {
	if from != "" {
		if first, err = parindex.ParseDate(from); err != nil {
			return first, last, usageError{fmt.Errorf("--from %q: %w", from, err)}
		}
	}
	if to != "" {
		if last, err = parindex.ParseDate(to); err != nil {
			return first, last, usageError{fmt.Errorf("--to %q: %w", to, err)}
		}
	}
	return first, last, nil
}

// outputPath is out itself, or name inside out when out is a directory.
func outputPath(out, name string) string {
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return filepath.Join(out, workbook.SafeFileName(name))
	}
	return out
}

// writeFileAtomic writes through a temporary file in the same directory
// and renames it, so a failed export never leaves a half-written workbook
// under the final name.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*.xlsx")
	if err != nil {
		return fmt.Errorf("export: không tạo được tệp trong %s (unable to create a file in %s): %w", filepath.Dir(path), filepath.Dir(path), err)
	}
	defer os.Remove(tmp.Name())
	_ = tmp.Chmod(0o644) // like any file the user writes, not private to them
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: không ghi được %s (unable to write %s): %w", path, path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: không ghi được %s (unable to write %s): %w", path, path, err)
	}
	return nil
}
