package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"parindex/i18n"
	"parindex/integrity"
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
		Args: positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if instrument == "" || year == 0 {
				return usageError{errors.New("cần cả --instrument và --year (--instrument and --year are required)")}
			}
			ctx := cmd.Context()
			db, err := openDB(ctx, a.cfg, a.logger())
			if err != nil {
				return err
			}
			defer db.Close()
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
				return enc.Encode(integrityJSON(in.Code, year, report))
			}
			return writeIntegrityTable(a, report)
		},
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

func reasonText(lang string, f integrity.Finding) string { return f.Text(lang, i18n.T) }

func reasonsText(lang string, fs []integrity.Finding) string {
	texts := make([]string, len(fs))
	for i, f := range fs {
		texts[i] = reasonText(lang, f)
	}
	return strings.Join(texts, " ")
}

// The JSON form of a report: shares as fractions, undefined figures null.
type (
	integrityReportJSON struct {
		Instrument     string              `json:"instrument"`
		Year           int                 `json:"year"`
		PolicyVersion  int                 `json:"policy_version"`
		ProvinceTopBox *float64            `json:"province_top_box"`
		Units          []integrityUnitJSON `json:"units"`
	}
	integrityUnitJSON struct {
		Code            string                `json:"code"`
		Name            string                `json:"name"`
		Label           integrity.Label       `json:"label"`
		Responses       int                   `json:"responses"`
		RecordsResolved *int                  `json:"records_resolved"`
		IndependentGap  *[3]float64           `json:"independent_gap"` // gap, 95 % lower, upper
		Reasons         []integrityReasonJSON `json:"reasons"`
		Links           []integrityLinkJSON   `json:"links"`
	}
	integrityLinkJSON struct {
		ID          int64                 `json:"id"`
		Counter     string                `json:"counter"`
		Independent bool                  `json:"independent"`
		Label       integrity.Label       `json:"label"`
		Responses   int                   `json:"responses"`
		Reasons     []integrityReasonJSON `json:"reasons"`
	}
	integrityReasonJSON struct {
		Indicator integrity.Indicator `json:"indicator"`
		Label     integrity.Label     `json:"label"`
		Flag      string              `json:"flag,omitempty"`
		Value     *float64            `json:"value"`
		Limit     *float64            `json:"limit"`
		PValue    *float64            `json:"p_value"`
		Lower95   *float64            `json:"lower95"`
		TextVI    string              `json:"text_vi"`
		TextEN    string              `json:"text_en"`
	}
)

func integrityJSON(instrument string, year int, r integrity.Report) integrityReportJSON {
	out := integrityReportJSON{Instrument: instrument, Year: year, PolicyVersion: r.PolicyVersion, ProvinceTopBox: finite(r.ProvinceTopBox),
		Units: []integrityUnitJSON{}}
	for _, u := range r.Units {
		uj := integrityUnitJSON{Code: u.Unit.Code, Name: u.Unit.Name, Label: u.Label, Responses: u.Responses,
			Reasons: reasonsJSON(u.Findings), Links: []integrityLinkJSON{}}
		if u.Unit.RecordsKnown {
			uj.RecordsResolved = &u.Unit.RecordsReturned
		}
		if !math.IsNaN(u.IndependentGap) {
			uj.IndependentGap = &[3]float64{u.IndependentGap, u.GapLower, u.GapUpper}
		}
		for _, l := range u.Links {
			uj.Links = append(uj.Links, integrityLinkJSON{ID: l.Link.ID, Counter: l.Link.Label, Independent: l.Link.Independent,
				Label: l.Label, Responses: l.Responses, Reasons: reasonsJSON(l.Findings)})
		}
		out.Units = append(out.Units, uj)
	}
	return out
}

func reasonsJSON(fs []integrity.Finding) []integrityReasonJSON {
	out := []integrityReasonJSON{}
	for _, f := range fs {
		out = append(out, integrityReasonJSON{Indicator: f.Indicator, Label: f.Label, Flag: f.Flag,
			Value: finite(f.Value), Limit: finite(f.Limit), PValue: finite(f.PValue), Lower95: finite(f.Lower),
			TextVI: reasonText(i18n.VI, f), TextEN: reasonText(i18n.EN, f)})
	}
	return out
}

// finite is x, or nil (JSON null) when x is NaN or infinite.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
