package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

func (a *app) scoreCommand() *cobra.Command {
	var frameworkArg, inputsPath, format, outPath string
	var draws int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "score --framework FILE|CODE --inputs FILE.json",
		Short: "Tính điểm, chỉ số, xếp loại và xếp hạng các đơn vị (score agencies against a criteria framework)",
		Long: `Tính điểm từng tiêu chí, chỉ số CCHC, xếp loại và xếp hạng của các đơn vị từ một tệp JSON
(điểm thẩm định, câu trả lời có/không, số liệu, kết quả khảo sát, tiêu chí không áp dụng).
Không cần cơ sở dữ liệu. Mọi lỗi dữ liệu được liệt kê cùng lúc (mã 1).

Scores every agency of the inputs file: points per criterion, index, band and rank; with
--uncertainty N, simulates N survey rounds and reports each agency's 5th–95th percentile
rank interval. --framework is a YAML file or a reference code (` + strings.Join(criteria.References(), ", ") + `).
The JSON formats are documented in docs/scoring.md. Needs no database.`,
		Args: positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if inputsPath == "" {
				return usageError{errors.New("--inputs FILE.json is required (use - for standard input)")}
			}
			if format != "json" && format != "table" {
				return usageError{fmt.Errorf("--format must be json or table, got %q", format)}
			}
			if draws < 0 {
				return usageError{fmt.Errorf("--uncertainty must be 0 (off) or a number of draws, got %d", draws)}
			}
			if cmd.Flags().Changed("seed") && draws == 0 {
				return usageError{errors.New("--seed only matters with --uncertainty N")}
			}
			f, err := a.loadFramework(frameworkArg)
			if err != nil {
				return err
			}
			inputs, err := readScoreInputs(cmd.InOrStdin(), inputsPath)
			if err != nil {
				return err
			}
			opts := scoring.Options{}
			if draws > 0 {
				opts.Uncertainty = &scoring.UncertaintyOptions{Draws: draws, Seed: seed, Correlation: scoring.DefaultSurveyCorrelation}
			}
			res, err := scoring.ScoreWith(f, inputs, opts)
			if err != nil {
				var ie scoring.InputErrors
				if errors.As(err, &ie) {
					return toInputErrors(inputsPath, ie)
				}
				return err
			}
			var buf bytes.Buffer
			if format == "json" {
				enc := json.NewEncoder(&buf)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else if err := writeScoreTable(&buf, f, res); err != nil {
				return err
			}
			if outPath == "" {
				_, err := a.stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(outPath, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("score: không ghi được %s (unable to write %s): %w", outPath, outPath, err)
			}
			fmt.Fprintf(a.stderr, "Đã ghi %s: %d đơn vị. (wrote %s: %d agencies)\n", outPath, len(res.Agencies), outPath, len(res.Agencies))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&frameworkArg, "framework", "", "bộ tiêu chí: tệp YAML hoặc mã bộ tham khảo (criteria framework: YAML file or reference code)")
	fl.StringVar(&inputsPath, "inputs", "", "tệp JSON dữ liệu các đơn vị, - là đầu vào chuẩn (inputs JSON file; - for standard input)")
	fl.StringVar(&format, "format", "json", "định dạng: json hoặc table (output format: json or table)")
	fl.StringVar(&outPath, "out", "", "ghi kết quả vào tệp này thay vì màn hình (write the result to this file)")
	fl.IntVar(&draws, "uncertainty", 0, "số lần mô phỏng khảo sát để ước lượng khoảng xếp hạng, 0 là tắt (Monte Carlo draws for rank intervals; 0: off)")
	fl.Uint64Var(&seed, "seed", 1, "hạt giống ngẫu nhiên của mô phỏng (random seed of the simulation)")
	cmd.AddCommand(a.scoreRunCommand(), a.scorePreflightCommand(), a.scorePublishCommand(), a.scoreCheckCommand())
	return cmd
}

// scoreRunCommand scores a published framework over the database and stores
// the result as a draft snapshot.
func (a *app) scoreRunCommand() *cobra.Command {
	var frameworkCode, note string
	var year, draws int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "run --framework CODE [--year N]",
		Short: "Chấm điểm trên cơ sở dữ liệu, lưu bản nháp kết quả (score from the database into a draft snapshot)",
		Long: `Lấy bộ tiêu chí đã công bố, các đơn vị thuộc loại của bộ tiêu chí còn hiệu lực cuối năm, điểm thẩm định
cuối cùng, số liệu và kết quả khảo sát của năm; tính điểm và lưu thành bản nháp (snapshot) để công bố sau.

Scores a published framework over the database (agencies of its types at the end of the year, final appraised
scores, metrics, survey results of the year) and stores the result as a draft snapshot; see "score publish".`,
		Args:    positionalArgs(0, 0),
		PreRunE: required("--framework CODE is required", func() bool { return frameworkCode == "" }),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db),
				Integrity: &a.cfg.IntegrityPolicy, Location: a.cfg.Location}
			s, res, err := rn.Score(cmd.Context(), cliActor(), frameworkCode, snapshot.Options{Year: year, Draws: draws, Seed: seed, Note: note})
			if err != nil {
				var ie scoring.InputErrors
				if errors.As(err, &ie) {
					return toInputErrors("database", ie)
				}
				return err
			}
			rec, err := db.FrameworkByCode(cmd.Context(), frameworkCode)
			if err != nil {
				return err
			}
			f, err := rec.Framework()
			if err != nil {
				return err
			}
			if err := writeScoreTable(a.stdout, f, res); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Bản nháp số %d (draft snapshot %d), năm %d: %d đơn vị. Công bố: parindex score publish %d\n",
				s.ID, s.ID, s.Year, len(s.Units), s.ID)
			if rec, err := snapshot.DecodeRecord(s); err == nil && len(rec.Preflight) > 0 {
				fmt.Fprintf(a.stdout, "Còn %d mục chưa đầy đủ: parindex score preflight %d (%d incomplete items)\n", len(rec.Preflight), s.ID, len(rec.Preflight))
			}
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&frameworkCode, "framework", "", "mã bộ tiêu chí đã công bố (code of a published framework)")
	fl.IntVar(&year, "year", 0, "năm chấm điểm, mặc định là năm của bộ tiêu chí (year; default: the framework's)")
	fl.IntVar(&draws, "uncertainty", 1000, "số lần mô phỏng cho khoảng xếp hạng (draws for rank intervals)")
	fl.Uint64Var(&seed, "seed", 0, "hạt giống ngẫu nhiên, mặc định là năm (random seed; default: the year)")
	fl.StringVar(&note, "note", "", "ghi chú của lần chấm (a note on this run)")
	return cmd
}

func (a *app) scorePublishCommand() *cobra.Command {
	var reason, as string
	cmd := &cobra.Command{
		Use:   "publish SNAPSHOT [--as final|final_with_exceptions|provisional] --reason TEXT",
		Short: "Công bố một bản nháp kết quả; sau đó không sửa được (publish a draft snapshot; it is then frozen)",
		Long: `Công bố bản nháp. Nếu còn mục chưa đầy đủ (xem "parindex score preflight"), phải chọn công bố tạm thời
(--as provisional) hoặc chính thức kèm ngoại lệ (--as final_with_exceptions: chấp nhận mọi mục chưa đầy đủ),
và ghi lý do.

Publishes a draft. When items are incomplete (see "parindex score preflight"), choose provisional or final
with exceptions (accepting every incomplete item as it is) and give a reason.`,
		Args: positionalArgs(1, 1),
		RunE: a.withSnapshot(func(cmd *cobra.Command, db *store.DB, id int64) error {
			if err := snapshot.Publish(cmd.Context(), db, cliActor(), id, snapshot.Decision{As: parindex.Publication(as), Note: reason}); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã công bố bản kết quả số %d (%s). (snapshot %d published as %s)\n", id, as, id, as)
			return nil
		}),
	}
	cmd.Flags().StringVar(&as, "as", string(parindex.PublicationFinal), "hình thức công bố: final, final_with_exceptions, provisional (how to publish)")
	cmd.Flags().StringVar(&reason, "reason", "", "căn cứ công bố, ghi vào nhật ký (reason, recorded in the audit log)")
	return cmd
}

// withSnapshot is the RunE of a command on the snapshot its one argument
// names: a number, checked before the database is opened.
func (a *app) withSnapshot(fn func(cmd *cobra.Command, db *store.DB, id int64) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		id, err := snapshotArg(args[0])
		if err != nil {
			return err
		}
		return a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			return fn(cmd, db, id)
		})(cmd, args)
	}
}

func snapshotArg(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Errorf("SNAPSHOT phải là số của bản chốt điểm (SNAPSHOT must be a snapshot number), got %q", arg)}
	}
	return id, nil
}

// scorePreflightCommand lists what is incomplete in a snapshot.
func (a *app) scorePreflightCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "preflight SNAPSHOT",
		Short: "Liệt kê các mục chưa đầy đủ của một bản chốt điểm (list what is incomplete in a snapshot)",
		Args:  positionalArgs(1, 1),
		RunE: a.withSnapshot(func(cmd *cobra.Command, db *store.DB, id int64) error {
			snap, err := db.Snapshot(cmd.Context(), id)
			if err != nil {
				return err
			}
			rec, err := snapshot.DecodeRecord(snap)
			if err != nil {
				return err
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "ĐƠN VỊ\tTIÊU CHÍ\tLOẠI\tLÝ DO")
			for _, p := range rec.Preflight {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Unit, p.Node, p.Kind, p.VI)
			}
			return tw.FlushTotal("Bản chốt %d: %d mục chưa đầy đủ (%d incomplete items)\n", id, len(rec.Preflight), len(rec.Preflight))
		}),
	}
}

// scoreCheckCommand scores a snapshot again and checks what it shows.
func (a *app) scoreCheckCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check SNAPSHOT",
		Short: "Chấm lại một bản chốt từ dữ liệu đã lưu và so sánh đến chữ số cuối (recompute a snapshot and compare)",
		Long: `Chấm lại bản chốt từ dữ liệu đầu vào và bộ tiêu chí đã lưu, so sánh kết quả, bảng đơn vị và giá trị cuối
cùng đến chữ số cuối; báo lỗi khi một tiêu chí có giá trị mà ghi thiếu dữ liệu, có điểm từ giá trị thiếu, hoặc
ghi thiếu dữ liệu mà không có lý do.

Scores the snapshot again from its stored inputs and framework and compares to the last digit; fails on a
leaf that shows a value yet says missing, shows points from a missing value, or says missing without a reason.`,
		Args: positionalArgs(1, 1),
		RunE: a.withSnapshot(func(cmd *cobra.Command, db *store.DB, id int64) error {
			checked, problems, err := snapshot.Check(cmd.Context(), db, id)
			if err != nil {
				return err
			}
			if len(problems) > 0 {
				out := make(parindex.InputErrors, len(problems))
				for i, p := range problems {
					out[i] = parindex.InputError{File: fmt.Sprintf("snapshot %d", id), Column: strings.TrimSpace(p.Unit + " " + p.Node), VI: p.VI, EN: p.EN}
				}
				return out
			}
			fmt.Fprintf(a.stdout, "Bản chốt %d khớp: %d đơn vị, %d kết quả tiêu chí chấm lại đúng đến chữ số cuối. (snapshot %d consistent: %d units, %d leaf results)\n",
				id, checked.Units, checked.Leaves, id, checked.Units, checked.Leaves)
			return nil
		}),
	}
}

// loadFramework reads --framework: an existing file is parsed as YAML,
// anything else must be a reference code.
func (a *app) loadFramework(arg string) (*criteria.Framework, error) {
	if arg == "" {
		return nil, usageError{fmt.Errorf("--framework is required: a YAML file or a reference code (%s)", strings.Join(criteria.References(), ", "))}
	}
	data, err := os.ReadFile(arg)
	switch {
	case err == nil:
		f, warnings, err := criteria.Parse(arg, data)
		if err != nil {
			return nil, err
		}
		for _, w := range warnings {
			fmt.Fprintln(a.stderr, "Cảnh báo (warning):", w.String())
		}
		return f, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("score: không đọc được bộ tiêu chí (unable to read the framework): %w", err)
	}
	f, err := criteria.Reference(arg)
	if err != nil {
		return nil, usageError{fmt.Errorf("--framework %q is neither a file nor a reference framework (%s)", arg, strings.Join(criteria.References(), ", "))}
	}
	return f, nil
}

func readScoreInputs(stdin io.Reader, path string) (scoring.Inputs, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return scoring.Inputs{}, fmt.Errorf("score: không đọc được tệp dữ liệu đầu vào (unable to read the inputs): %w", err)
		}
		defer f.Close()
		r = f
	}
	inputs, err := scoring.DecodeInputs(r)
	if err != nil {
		var ie scoring.InputErrors
		if errors.As(err, &ie) {
			return scoring.Inputs{}, toInputErrors(path, ie)
		}
		return scoring.Inputs{}, err
	}
	return inputs, nil
}

// toInputErrors turns the engine's problems into the command line's one
// error list, which run prints one per line before exiting with code 1.
func toInputErrors(file string, errs scoring.InputErrors) parindex.InputErrors {
	if file == "-" {
		file = "stdin"
	}
	out := make(parindex.InputErrors, len(errs))
	for i, e := range errs {
		line := e.Line
		e.Line = 0 // the row is printed by InputError.Location
		out[i] = parindex.InputError{File: file, Row: line, VI: e.Vietnamese(), EN: e.Error()}
	}
	return out
}

// writeScoreTable prints the ranking: rank, code, name, rounded index in
// Vietnamese number format (72,32), band and number of missing criteria.
func writeScoreTable(w io.Writer, f *criteria.Framework, res *scoring.Result) error {
	fmt.Fprintf(w, "%s — %s\n", f.Code, f.Name)
	tw := newTable(w)
	header := "HẠNG\tMÃ\tTÊN\tCHỈ SỐ\tXẾP LOẠI\tTHIẾU"
	headerEN := "RANK\tCODE\tNAME\tINDEX\tBAND\tMISSING"
	if res.Uncertainty != nil {
		header += "\tKHOẢNG HẠNG 5–95%"
		headerEN += "\tRANK 5–95%"
	}
	fmt.Fprintln(tw, header)
	fmt.Fprintln(tw, headerEN)
	for _, a := range res.Agencies {
		rank, index, band := "–", "–", "–"
		if a.Rank > 0 {
			rank = strconv.Itoa(a.Rank)
		}
		if a.IndexRounded != nil {
			index = vietnameseDecimal(*a.IndexRounded, f.Rounding)
			band = a.Band
			if a.BandName != "" {
				band += " (" + a.BandName + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d", rank, a.Code, a.Name, index, band, len(a.Missing))
		if res.Uncertainty != nil {
			interval := "–"
			if a.RankInterval != nil {
				interval = fmt.Sprintf("%d–%d", a.RankInterval[0], a.RankInterval[1])
			}
			fmt.Fprintf(tw, "\t%s", interval)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d đơn vị (agencies)", len(res.Agencies))
	if u := res.Uncertainty; u != nil {
		fmt.Fprintf(w, "; %d lần mô phỏng, hạt giống %d (%d draws, seed %d)", u.Draws, u.Seed, u.Draws, u.Seed)
	}
	fmt.Fprintln(w)
	return nil
}

// vietnameseDecimal writes an already rounded number with a decimal comma
// and dots between thousands: 72.32 → "72,32", 1234.5 → "1.234,50".
func vietnameseDecimal(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, fraction, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if fraction != "" {
		b.WriteByte(',')
		b.WriteString(fraction)
	}
	return sign + b.String()
}
