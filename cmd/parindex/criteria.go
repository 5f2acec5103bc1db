package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/criteria"
	"parindex/criteriaxlsx"
	"parindex/stats"
	"parindex/store"
)

func (a *app) criteriaCommand() *cobra.Command {
	validateCmd := &cobra.Command{
		Use:   "validate FILE…",
		Short: "Kiểm tra tệp bộ tiêu chí YAML hoặc Excel (validate framework files)",
		Long: `Kiểm tra từng tệp bộ tiêu chí (.yaml, .yml hoặc .xlsx) mà không cần cơ sở dữ liệu.
Tệp hợp lệ: mã thoát 0, các cảnh báo được in ra. Có lỗi: mọi lỗi được in ra stderr
theo dạng TỆP:DÒNG: node MÃ: thông báo, mã thoát 1.

Checks each framework file without a database. Valid: exit 0, warnings printed.
Invalid: every problem on stderr as FILE:LINE: node CODE: message, exit 1.`,
		Args: positionalArgs(1, unbounded),
		RunE: func(cmd *cobra.Command, args []string) error {
			invalid := 0
			for _, path := range args {
				f, warnings, err := loadFrameworkFile(path)
				for _, w := range warnings {
					fmt.Fprintln(a.stderr, "cảnh báo (warning): "+w.String())
				}
				if err != nil {
					invalid++
					printFrameworkProblems(a.stderr, err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s: hợp lệ (valid): %s, %d tiêu chí (nodes), tổng điểm tối đa (total max) %s\n",
					path, f.Code, len(f.All()), points(f.TotalMax()))
			}
			if invalid > 0 {
				return fmt.Errorf("%d/%d tệp không hợp lệ (%d of %d files are not valid)", invalid, len(args), invalid, len(args))
			}
			return nil
		},
	}

	showCmd := &cobra.Command{
		Use:   "show FILE|CODE",
		Short: "In cây tiêu chí với điểm tối đa và phương pháp chấm (print the tree with maxima and methods)",
		Long: `In bộ tiêu chí: thông tin chung, xếp loại, rồi cây lĩnh vực → tiêu chí → tiêu chí thành phần
với điểm tối đa từng cấp và phương pháp chấm. CODE được tìm trong cơ sở dữ liệu, sau đó trong
các bộ tiêu chí mẫu tích hợp sẵn.

Prints a framework (a file, or a CODE from the database, then from the embedded references).`,
		Args: positionalArgs(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := a.resolveFramework(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			printFramework(a.stdout, r, a.cfg.Clock())
			return nil
		},
	}

	diffCmd := &cobra.Command{
		Use:   "diff A B",
		Short: "So sánh hai bộ tiêu chí (list what changed from A to B; each a FILE or CODE)",
		Args:  positionalArgs(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ra, err := a.resolveFramework(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			rb, err := a.resolveFramework(cmd.Context(), args[1])
			if err != nil {
				return err
			}
			changes := criteria.Diff(ra.f, rb.f)
			fmt.Fprintf(a.stdout, "%s → %s\n", ra.label, rb.label)
			if len(changes) == 0 {
				fmt.Fprintln(a.stdout, "Không có khác biệt (no differences).")
				return nil
			}
			var added, removed, changed int
			for _, c := range changes {
				fmt.Fprintln(a.stdout, c.String())
				switch c.Kind {
				case criteria.Added:
					added++
				case criteria.Removed:
					removed++
				default:
					changed++
				}
			}
			fmt.Fprintf(a.stdout, "Thêm %d, bỏ %d, thay đổi %d (added %d, removed %d, changed %d)\n", added, removed, changed, added, removed, changed)
			return nil
		},
	}

	var importReason string
	var imported *criteria.Framework
	importCmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Nhập bộ tiêu chí (YAML hoặc Excel) thành bản nháp (import a framework as a draft)",
		Long: `Nhập bộ tiêu chí từ tệp .yaml, .yml hoặc .xlsx và lưu thành bản nháp theo mã trong tệp.
Nhập lại cùng mã khi còn là bản nháp sẽ thay thế bản nháp (có ghi nhật ký); bộ tiêu chí đã
ban hành không thể thay đổi: hãy nhập nội dung sửa đổi với mã mới.

Stores the file as a draft under its code. Re-importing a draft replaces it (audited); a
published code is refused: import the correction as a new version under a new code.`,
		Args: positionalArgs(1, 1),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			f, warnings, err := loadFrameworkFile(args[0])
			for _, w := range warnings {
				fmt.Fprintln(a.stderr, "cảnh báo (warning): "+w.String())
			}
			imported = f
			return asInputErrors(err)
		},
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			res, err := db.ImportFramework(cmd.Context(), cliActor(), imported, importReason)
			if err != nil {
				return err
			}
			what := map[string]string{
				store.ImportCreated:   "Đã tạo bản nháp (draft created)",
				store.ImportReplaced:  "Đã thay thế bản nháp (draft replaced)",
				store.ImportUnchanged: "Bản nháp không thay đổi (draft unchanged)",
			}[res.Action]
			fmt.Fprintf(a.stdout, "%s: %s, hash %s\n", what, res.Record.Code, res.Record.Hash[:12])
			return nil
		}),
	}
	reasonFlag(importCmd.Flags(), &importReason)

	var publishReason string
	publishCmd := &cobra.Command{
		Use:   "publish CODE",
		Short: "Ban hành bộ tiêu chí; sau đó không thể sửa (publish a draft; it is frozen afterwards)",
		Args:  positionalArgs(1, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			rec, err := db.PublishFramework(cmd.Context(), cliActor(), args[0], publishReason)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã ban hành (published) %s, hash %s\n", rec.Code, rec.Hash)
			return nil
		}),
	}
	publishCmd.Flags().StringVar(&publishReason, "reason", "", "căn cứ ban hành, ghi vào nhật ký (the decision, recorded in the audit log)")

	var copyTo, copyReason string
	var copyYear int
	copyCmd := &cobra.Command{
		Use:   "copy CODE --to NEWCODE [--year N]",
		Short: "Sao chép bộ tiêu chí đã ban hành sang năm sau thành bản nháp (copy to next year as a draft)",
		Long: `Tạo bản nháp cho năm sau từ một bộ tiêu chí đã ban hành, với mã mới; mỗi tiêu chí cũ được
ghi nhận tương ứng với tiêu chí mới để so sánh giữa các năm.

Creates next year's draft under a new code from a published framework, and records which
old node each new node continues, for year-over-year comparison.`,
		Args: positionalArgs(1, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			year := copyYear
			if year == 0 {
				from, err := db.FrameworkByCode(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				year = from.Year + 1
			}
			rec, err := db.CopyFramework(cmd.Context(), cliActor(), args[0], copyTo, year, copyReason)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã tạo bản nháp %s năm %d từ %s (draft created from %s)\n", rec.Code, rec.Year, args[0], args[0])
			return nil
		}),
	}
	copyCmd.Flags().StringVar(&copyTo, "to", "", "mã của bộ tiêu chí mới (code of the new framework)")
	copyCmd.Flags().IntVar(&copyYear, "year", 0, "năm của bộ tiêu chí mới (default: the year after the original's)")
	reasonFlag(copyCmd.Flags(), &copyReason)
	_ = copyCmd.MarkFlagRequired("to")

	var exportFormat, exportOut string
	exportCmd := &cobra.Command{
		Use:   "export FILE|CODE [--format yaml|xlsx] [--out FILE]",
		Short: "Xuất bộ tiêu chí ra YAML hoặc Excel (export a framework as YAML or Excel)",
		Long: `Xuất bộ tiêu chí (trong cơ sở dữ liệu, mẫu tích hợp, hoặc một tệp cần chuyển đổi) ra YAML
dạng chuẩn hoặc Excel. Mặc định in YAML ra màn hình; định dạng lấy theo đuôi của --out.

Writes the canonical YAML or the Excel workbook; the format defaults to --out's extension.`,
		Args: positionalArgs(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format := strings.ToLower(exportFormat)
			if format == "" {
				format = "yaml"
				if strings.EqualFold(filepath.Ext(exportOut), ".xlsx") {
					format = "xlsx"
				}
			}
			if format != "yaml" && format != "xlsx" {
				return usageError{fmt.Errorf("--format must be yaml or xlsx, got %q", exportFormat)}
			}
			r, err := a.resolveFramework(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			var data []byte
			if format == "xlsx" {
				data, err = criteriaxlsx.Bytes(r.f)
			} else {
				data, err = criteria.Marshal(r.f)
			}
			if err != nil {
				return err
			}
			if exportOut == "" || exportOut == "-" {
				_, err = a.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(exportOut, data, 0o644); err != nil {
				return fmt.Errorf("không ghi được %s (cannot write): %w", exportOut, err)
			}
			fmt.Fprintf(a.stderr, "Đã xuất %s ra %s (exported)\n", r.f.Code, exportOut)
			return nil
		},
	}
	exportCmd.Flags().StringVar(&exportFormat, "format", "", "yaml hoặc xlsx (default: from --out, else yaml)")
	exportCmd.Flags().StringVar(&exportOut, "out", "-", "tệp kết quả; - là màn hình (output file; - for stdout)")

	listCmd := &cobra.Command{
		Use:   "list",
		Short: "Liệt kê các bộ tiêu chí đã lưu (list stored frameworks)",
		Args:  positionalArgs(0, 0),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			recs, err := db.FindFrameworks(cmd.Context(), store.FrameworkFilter{})
			if err != nil {
				return err
			}
			w := newTable(a.stdout)
			fmt.Fprintln(w, "CODE\tYEAR\tSTATUS\tHASH\tAGENCY_TYPES\tPUBLISHED\tNAME")
			for _, r := range recs {
				published := ""
				if r.Published() {
					published = a.cfg.Clock().FormatDay(r.PublishedAt) + " " + r.PublishedBy
				}
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Code, r.Year, r.Status, r.Hash[:12],
					strings.Join(r.AgencyTypes, ","), published, r.Name)
			}
			return w.FlushTotal("%d bộ tiêu chí (frameworks). Mẫu tích hợp (embedded references): %s\n",
				len(recs), strings.Join(criteria.References(), ", "))
		}),
	}

	return groupCommand("criteria", "Bộ tiêu chí: kiểm tra, nhập, ban hành, sao chép, xuất (criteria frameworks)",
		validateCmd, showCmd, diffCmd, importCmd, publishCmd, copyCmd, exportCmd, listCmd)
}

// loadFrameworkFile reads a framework from a .yaml, .yml or .xlsx file.
// Problems come back as a *criteria.ValidationError (YAML) or
// parindex.InputErrors (Excel).
func loadFrameworkFile(path string) (*criteria.Framework, []criteria.Warning, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, parindex.InputErrors{{File: path, VI: "không đọc được tệp: " + err.Error(), EN: "cannot read the file: " + err.Error()}}
		}
		return criteria.Parse(path, data)
	case ".xlsx":
		file, err := os.Open(path)
		if err != nil {
			return nil, nil, parindex.InputErrors{{File: path, VI: "không đọc được tệp: " + err.Error(), EN: "cannot read the file: " + err.Error()}}
		}
		defer file.Close()
		return criteriaxlsx.Read(path, file)
	}
	return nil, nil, parindex.InputErrors{{File: path,
		VI: "chỉ nhận tệp bộ tiêu chí .yaml, .yml hoặc .xlsx", EN: "only .yaml, .yml and .xlsx framework files are accepted"}}
}

// printFrameworkProblems prints every problem of a file on its own line:
// FILE:LINE: node CODE: message for YAML, the sheet, row and column for Excel.
func printFrameworkProblems(w io.Writer, err error) {
	var ve *criteria.ValidationError
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			fmt.Fprintln(w, p.Error())
		}
	case errors.As(err, &ie):
		for _, e := range ie {
			fmt.Fprintln(w, e.Error())
		}
	default:
		fmt.Fprintln(w, err.Error())
	}
}

// asInputErrors turns YAML problems into input errors, so that the import
// command reports them like every importer (all of them, nothing written).
func asInputErrors(err error) error {
	var ve *criteria.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := make(parindex.InputErrors, len(ve.Problems))
	for i, p := range ve.Problems {
		vi, en := p.MessageVI, p.Message
		if p.Node != "" {
			vi, en = "tiêu chí "+p.Node+": "+vi, "node "+p.Node+": "+en
		}
		out[i] = parindex.InputError{File: p.File, Row: p.Line, VI: vi, EN: en}
	}
	return out
}

// resolvedFramework is a framework named on the command line, with where
// it came from.
type resolvedFramework struct {
	f      *criteria.Framework
	label  string                 // the file, or the code
	origin string                 // "file", "database" or "reference"
	rec    *store.FrameworkRecord // for the database
}

// looksLikeFile reports whether arg names a file rather than a code.
func looksLikeFile(arg string) bool {
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".yaml", ".yml", ".xlsx":
		return true
	}
	st, err := os.Stat(arg)
	return err == nil && !st.IsDir()
}

// resolveFramework loads FILE|CODE: a file by its extension; a code from
// the database, else from the embedded references.
func (a *app) resolveFramework(ctx context.Context, arg string) (*resolvedFramework, error) {
	if looksLikeFile(arg) {
		f, warnings, err := loadFrameworkFile(arg)
		for _, w := range warnings {
			fmt.Fprintln(a.stderr, "cảnh báo (warning): "+w.String())
		}
		if err != nil {
			var buf bytes.Buffer
			printFrameworkProblems(&buf, err)
			return nil, errors.New(strings.TrimSpace(buf.String()))
		}
		return &resolvedFramework{f: f, label: arg, origin: "file"}, nil
	}
	db, err := openDB(ctx, a.cfg, a.logger())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rec, err := db.FrameworkByCode(ctx, arg)
	switch {
	case err == nil:
		f, err := rec.Framework()
		if err != nil {
			return nil, err
		}
		return &resolvedFramework{f: f, label: arg, origin: "database", rec: rec}, nil
	case parindex.ErrorCode(err) != parindex.ECodeNotFound:
		return nil, err
	}
	if f, err := criteria.Reference(arg); err == nil {
		return &resolvedFramework{f: f, label: arg, origin: "reference"}, nil
	}
	return nil, parindex.Errorf(parindex.ECodeNotFound,
		"Không có bộ tiêu chí %q trong cơ sở dữ liệu hay trong các mẫu (%s), cũng không phải tệp .yaml/.xlsx (no framework, reference or file %q)",
		arg, strings.Join(criteria.References(), ", "), arg)
}

// points writes a number of points briefly: 2.5, 100, 0.25.
func points(x float64) string {
	return strconv.FormatFloat(stats.RoundHalfUp(x, 6), 'f', -1, 64)
}

func printFramework(w io.Writer, r *resolvedFramework, clock parindex.Clock) {
	f := r.f
	fmt.Fprintf(w, "%s  %s\n", f.Code, f.Name)
	status := map[string]string{"file": "tệp (file) " + r.label, "reference": "mẫu tích hợp (embedded reference)"}[r.origin]
	if r.rec != nil {
		status = r.rec.Status
		if r.rec.Published() {
			status += " " + clock.FormatDay(r.rec.PublishedAt) + " " + r.rec.PublishedBy
		}
	}
	fmt.Fprintf(w, "Năm (year) %d · loại cơ quan (agency types) %s · %s · hash %s\n",
		f.Year, strings.Join(f.AgencyTypes, ", "), status, f.Hash()[:12])
	capIndex := "—"
	if f.CapIndex != nil {
		capIndex = points(*f.CapIndex)
	}
	fmt.Fprintf(w, "Tổng điểm tối đa (total max) %s · làm tròn (rounding) %d · trần chỉ số (cap) %s · thiếu dữ liệu (missing) %s\n",
		points(f.TotalMax()), f.Rounding, capIndex, f.MissingFor(""))
	var bands []string
	for _, b := range f.Bands {
		bands = append(bands, fmt.Sprintf("%s %s ≥ %s", b.Code, b.Name, points(b.Min)))
	}
	fmt.Fprintf(w, "Xếp loại (bands): %s\n\n", strings.Join(bands, "; "))

	tw := newTable(w)
	fmt.Fprintln(tw, "CODE\tMAX\tMETHOD\tNAME")
	f.Walk(func(n *criteria.Node, ancestors []*criteria.Node) bool {
		indent := strings.Repeat("  ", len(ancestors))
		max := points(n.MaxPoints())
		if n.Adjustment || n.Method.IsAdjustment() || f.InAdjustment(n.Code) {
			max = "—"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\n", indent, n.Code, max, methodSummary(n), n.Name)
		return true
	})
	tw.Flush()
}

// methodSummary describes a leaf's method and parameters on one line.
func methodSummary(n *criteria.Node) string {
	var s string
	rate := n.Numerator + "/" + n.Denominator
	switch n.Method {
	case "":
		if n.Adjustment {
			s = "(bonus/penalty block)"
		}
	case criteria.MethodAssessed:
		s = "assessed, step " + points(n.InputStep())
	case criteria.MethodRatio:
		s = "ratio " + rate
		if n.RatioTarget() != criteria.DefaultTarget {
			s += ", target " + points(n.RatioTarget())
		}
	case criteria.MethodTiers:
		var tiers []string
		for _, t := range n.Tiers {
			tiers = append(tiers, "≥"+points(t.Min)+": "+points(t.Points))
		}
		s = "tiers " + rate + " [" + strings.Join(tiers, "; ") + "]"
	case criteria.MethodRelative:
		s = "relative " + rate
	case criteria.MethodCount:
		s = "count " + n.Metric + " × " + points(n.PerUnit)
	case criteria.MethodFormula:
		s = "formula " + n.Formula
	case criteria.MethodSurvey:
		s = "survey " + n.Instrument
		switch {
		case n.Element != "":
			s += " element " + n.Element
		case n.Question != "":
			s += " question " + n.Question
		default:
			s += " overall"
		}
		s += " (" + string(n.SurveyMeasure()) + ")"
	case criteria.MethodBonus, criteria.MethodPenalty:
		s = string(n.Method) + ", cap " + points(n.Cap)
	default:
		s = string(n.Method)
	}
	if n.Missing != "" {
		s += ", missing " + string(n.Missing)
	}
	return s
}
