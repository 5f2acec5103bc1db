package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/assessment"
	"parindex/assessmentxlsx"
	"parindex/criteria"
	"parindex/store"
)

// assessmentCommand is the command line of the self-assessment cycle:
// what DoHA checks and sets without the web pages.
func (a *app) assessmentCommand() *cobra.Command {
	listCmd := &cobra.Command{
		Use:   "list FRAMEWORK",
		Short: "Trạng thái tự đánh giá của mọi đơn vị (every agency's state)",
		Args:  positionalArgs(1, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			list, f, err := db.ListAssessments(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "UNIT\tSTATE\tDEADLINE\tLOCKED\tWAITING\tEVIDENCE\tNAME")
			for _, as := range list {
				files := 0
				for _, e := range as.Evidence {
					files += len(e)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\t%d\t%s\n", as.UnitCode, as.State, as.Deadline, as.Locked,
					len(as.PendingLeaves(f)), files, as.UnitName)
			}
			return tw.Flush()
		}),
	}
	finalCmd := &cobra.Command{
		Use:   "final FRAMEWORK",
		Short: "Điểm thẩm định chính thức, dạng dữ liệu của lệnh score (final appraised inputs as score JSON)",
		Long: `In điểm thẩm định chính thức của các đơn vị đã có kết quả (trạng thái final) theo định dạng
dữ liệu đầu vào của "parindex score" (không gồm kết quả khảo sát).

Prints the final appraised inputs of the agencies in state final, in the JSON form that
"parindex score" reads (survey figures are not included).`,
		Args: positionalArgs(1, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			final, err := db.FinalAssessments(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			type agency struct {
				Code          string             `json:"code"`
				Points        map[string]float64 `json:"points,omitempty"`
				Answers       map[string]bool    `json:"answers,omitempty"`
				Metrics       map[string]float64 `json:"metrics,omitempty"`
				NotApplicable []string           `json:"not_applicable,omitempty"`
			}
			out := struct {
				Framework string   `json:"framework"`
				Agencies  []agency `json:"agencies"`
			}{Framework: args[0], Agencies: []agency{}}
			for code, in := range final {
				if in.State == string(assessment.StateFinal) {
					out.Agencies = append(out.Agencies, agency{code, in.Points, in.Answers, in.Metrics, in.NotApplicable})
				}
			}
			sort.Slice(out.Agencies, func(i, j int) bool { return out.Agencies[i].Code < out.Agencies[j].Code })
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}),
	}
	var outPath string
	templateCmd := &cobra.Command{
		Use:   "template FRAMEWORK UNIT",
		Short: "Xuất mẫu Excel tự đánh giá của một đơn vị (write an agency's Excel template)",
		Args:  positionalArgs(2, 2),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			ref := assessment.Ref{Framework: args[0], Unit: args[1]}
			as, f, err := db.Assessment(cmd.Context(), ref)
			if err != nil {
				return err
			}
			rec, _, err := db.AssessedFramework(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			names := map[string]string{}
			for _, m := range criteria.ReferenceMetrics {
				names[m.Code] = m.Name
			}
			data, err := assessmentxlsx.Bytes(assessmentxlsx.Template{Framework: f, Hash: rec.Hash, Assessment: as, MetricNames: names})
			if err != nil {
				return err
			}
			if outPath == "" {
				outPath = args[1] + "-" + args[0] + ".xlsx"
			}
			if err := os.WriteFile(outPath, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã ghi (written) %s\n", outPath)
			return nil
		}),
	}
	templateCmd.Flags().StringVar(&outPath, "out", "", "tệp ghi ra (output file), mặc định UNIT-FRAMEWORK.xlsx")
	var reason string
	var due parindex.Date
	deadlineCmd := &cobra.Command{
		Use:   "deadline FRAMEWORK STAGE DATE",
		Short: "Đặt hạn một giai đoạn: self_assessment, appraisal_1, explanation, appraisal_2 (set a stage deadline; DATE yyyy-mm-dd or none)",
		Args:  positionalArgs(3, 3),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if args[2] != "none" {
				var err error
				if due, err = parindex.ParseDate(args[2]); err != nil {
					return usageError{err}
				}
			}
			return nil
		},
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			if err := db.SetDeadline(cmd.Context(), cliActor(), args[0], args[1], due, reason); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s %s: %s\n", args[0], args[1], args[2])
			return nil
		}),
	}
	deadlineCmd.Flags().StringVar(&reason, "reason", "", "lý do, căn cứ (recorded in the audit log)")
	return groupCommand("assessment", "Tự đánh giá và thẩm định (self-assessment and appraisal)", listCmd, finalCmd, templateCmd, deadlineCmd)
}
