package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"parindex/i18n"
	"parindex/integrity"
	"parindex/store"
	"parindex/survey"
)

func (a *app) surveyIntegrityCommand() *cobra.Command {
	var instrument, unit string
	var year int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "integrity --instrument CODE --year YYYY [--unit CODE] [--json]",
		Short: "Độ tin cậy phiếu khảo sát theo đơn vị và mã QR (which counters' ratings to believe)",
		Long: `Xếp hạng các đơn vị và mã QR theo mức đáng nghi của phiếu khảo sát trong năm: tỷ lệ phiếu trên hồ sơ đã giải
quyết, phiếu ngoài giờ làm việc, phiếu dồn trong 5 phút, tập trung thiết bị, phiếu giống hệt nhau, tỷ lệ bị gắn cờ,
tỷ lệ 5 sao so với giới hạn phễu của tỉnh, chênh lệch với mẫu độc lập. Mỗi đơn vị và mã QR được xếp "đáng tin cậy",
"cần kiểm tra" hoặc "đáng nghi ngờ" kèm lý do, theo ngưỡng của chính sách (PARINDEX_INTEGRITY_POLICY).

Ranks units and QR links by how doubtful their ratings are, with the reasons, under the integrity policy
(docs/integrity.md). --json prints every figure.`,
		Args:    positionalArgs(0, 0),
		PreRunE: required("cần cả --instrument và --year (--instrument and --year are required)", func() bool { return instrument == "" || year == 0 }),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			in, report, err := survey.NewService(db, survey.ResultOptions{}).Integrity(ctx, instrument, year, a.cfg.IntegrityPolicy, a.cfg.Location)
			if err != nil {
				return err
			}
			if unit != "" {
				u, ok := report.Unit(strings.ToUpper(strings.TrimSpace(unit)))
				if !ok {
					return usageError{fmt.Errorf("đơn vị %q không có mã QR nào của bộ câu hỏi %s (unit %q has no QR link of instrument %s)", unit, in.Code, unit, in.Code)}
				}
				report.Units = []integrity.UnitJudgement{u}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(integrity.NewDocument(in.Code, year, report, i18n.T))
			}
			return writeIntegrityTable(a, report)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&instrument, "instrument", "", "mã bộ câu hỏi, ví dụ sipas-2026 (instrument code)")
	fl.IntVar(&year, "year", 0, "năm (calendar year)")
	fl.StringVar(&unit, "unit", "", "chỉ một đơn vị (one unit only)")
	fl.BoolVar(&asJSON, "json", false, "in JSON với mọi số liệu (print JSON with every figure)")
	return cmd
}

func writeIntegrityTable(a *app, report integrity.Report) error {
	w := newTable(a.stdout)
	fmt.Fprintf(w, "Chính sách phiên bản %d (policy version %d)\n", report.PolicyVersion, report.PolicyVersion)
	fmt.Fprintln(w, "ĐƠN VỊ / MÃ QR\tĐÁNH GIÁ\tSỐ PHIẾU\tLÝ DO")
	for _, u := range report.Units {
		fmt.Fprintf(w, "%s %s\t%s\t%d\t%s\n", u.Unit.Code, u.Unit.Name, i18n.T(i18n.VI, "integrity.label."+u.Label.String()),
			u.Responses, reasonsText(i18n.VI, u.Findings))
		for _, l := range u.Links {
			name := fmt.Sprintf("  #%d %s", l.Link.ID, l.Link.Label)
			if l.Link.Independent {
				name += " (độc lập)"
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", name, i18n.T(i18n.VI, "integrity.label."+l.Label.String()), l.Responses, reasonsText(i18n.VI, l.Findings))
		}
	}
	return w.Flush()
}

func reasonsText(lang string, fs []integrity.Finding) string {
	texts := make([]string, len(fs))
	for i, f := range fs {
		texts[i] = f.Text(lang, i18n.T)
	}
	return strings.Join(texts, " ")
}
