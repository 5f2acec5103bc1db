package main

import (
	"fmt"
	"io"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/store"
	"parindex/tabular"
)

// cliActor names the person at the terminal in audit rows.
func cliActor() parindex.Actor {
	name := "cli"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = "cli:" + u.Username
	}
	return parindex.Actor{Name: name}
}

func (a *app) orgCommand() *cobra.Command {
	var reason, file string
	var rows []parindex.OrgRow
	importCmd := &cobra.Command{
		Use:   "import FILE.csv|FILE.xlsx",
		Short: "Nhập danh sách đơn vị từ CSV hoặc Excel (import organisation units)",
		Long: `Nhập hoặc cập nhật đơn vị theo mã. Dòng tiêu đề gồm các cột:
  ` + strings.Join(parindex.OrgImportColumns, ", ") + `
(parent và successor là mã đơn vị; ngày dạng yyyy-mm-dd; valid_to, parent, successor có thể để trống).
Mọi dòng được kiểm tra trước; nếu có lỗi, không dòng nào được ghi và lệnh kết thúc với mã 1.

Imports or updates units by code; the whole file is checked first and nothing is written
when any row is wrong (exit code 1, every problem listed with its row and column).`,
		Args: positionalArgs(1, 1),
		PreRunE: readWholeFirst(func(rd *tabular.Reader) error {
			tab, cols, err := rd.Table([]string{"code", "name", "type", "valid_from"}, []string{"parent", "valid_to", "successor"})
			if err != nil {
				return err
			}
			file, rows = tab.File, make([]parindex.OrgRow, len(tab.Rows))
			for i, r := range tab.Rows {
				rows[i] = parindex.OrgRow{Row: r.Number, Code: r.Cell(cols, "code"), Name: r.Cell(cols, "name"),
					Type: r.Cell(cols, "type"), Parent: r.Cell(cols, "parent"), ValidFrom: r.Cell(cols, "valid_from"),
					ValidTo: r.Cell(cols, "valid_to"), Successor: r.Cell(cols, "successor")}
			}
			return nil
		}),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			res, err := db.ImportOrgUnits(cmd.Context(), cliActor(), file, rows, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã nhập %s: tạo mới %d, cập nhật %d, giữ nguyên %d. (created %d, updated %d, unchanged %d)\n",
				file, res.Created, res.Updated, res.Unchanged, res.Created, res.Updated, res.Unchanged)
			return nil
		}),
	}
	reasonFlag(importCmd.Flags(), &reason)

	var typ, on, parent string
	var all bool
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "Liệt kê đơn vị (list organisation units)",
		Args:  positionalArgs(0, 0),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			var err error
			f := store.OrgFilter{Type: typ}
			if !all {
				if f.ValidOn, err = dateFlag("on", on); err != nil {
					return err
				}
			}
			if parent != "" {
				p, err := db.OrgUnitByCode(cmd.Context(), parent)
				if err != nil {
					return err
				}
				f.ParentID = p.ID
			}
			units, err := db.FindOrgUnits(cmd.Context(), f)
			if err != nil {
				return err
			}
			w := newTable(a.stdout)
			fmt.Fprintln(w, "CODE\tNAME\tTYPE\tPARENT\tVALID_FROM\tVALID_TO\tSUCCESSOR")
			for _, u := range units {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Code, u.Name, u.Type, u.ParentCode,
					u.ValidFrom.VietnameseString(), u.ValidTo.VietnameseString(), u.SuccessorCode)
			}
			return w.FlushTotal("%d đơn vị (units)\n", len(units))
		}),
	}
	listCmd.Flags().StringVar(&typ, "type", "", "chỉ loại này (only this type: province, department, commune, ward, district, …)")
	listCmd.Flags().StringVar(&on, "on", "", "đơn vị còn hiệu lực vào ngày yyyy-mm-dd (valid on this date; default today)")
	listCmd.Flags().StringVar(&parent, "parent", "", "chỉ đơn vị trực thuộc mã này (only children of this unit)")
	listCmd.Flags().BoolVar(&all, "all", false, "gồm cả đơn vị đã hết hiệu lực (include units no longer valid)")

	var treeOn string
	var treeAll bool
	treeCmd := &cobra.Command{
		Use:   "tree [CODE]",
		Short: "Vẽ cây tổ chức (print the organisation tree)",
		Args:  positionalArgs(0, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			var err error
			f := store.OrgFilter{}
			if !treeAll {
				if f.ValidOn, err = dateFlag("on", treeOn); err != nil {
					return err
				}
			}
			units, err := db.FindOrgUnits(cmd.Context(), f)
			if err != nil {
				return err
			}
			var roots []string
			if len(args) == 1 {
				if _, err := db.OrgUnitByCode(cmd.Context(), args[0]); err != nil {
					return err
				}
				roots = args
			}
			printTree(a.stdout, units, roots)
			return nil
		}),
	}
	treeCmd.Flags().StringVar(&treeOn, "on", "", "cây vào ngày yyyy-mm-dd (the tree on this date; default today)")
	treeCmd.Flags().BoolVar(&treeAll, "all", false, "gồm cả đơn vị lịch sử (include historical units)")

	return groupCommand("org", "Cây tổ chức: sở, ngành, xã, phường (organisation tree)", importCmd, listCmd, treeCmd)
}

// dateFlag parses a yyyy-mm-dd flag value; empty means today.
func dateFlag(name, value string) (parindex.Date, error) {
	if value == "" {
		return parindex.DateOf(time.Now()), nil
	}
	d, err := parindex.ParseDate(value)
	if err != nil {
		return d, usageError{fmt.Errorf("--%s: %w", name, err)}
	}
	return d, nil
}

// printTree draws units as an indented tree; siblings are ordered by type
// and then by name in Vietnamese alphabetical order (Ă after A, Đ after D).
func printTree(w io.Writer, units []*parindex.OrgUnit, roots []string) {
	parindex.SortUnits(units)
	trees := parindex.BuildOrgTree(units)
	if roots != nil {
		trees = nil
		var find func(ns []*parindex.OrgNode)
		find = func(ns []*parindex.OrgNode) {
			for _, n := range ns {
				if slices.Contains(roots, n.Unit.Code) {
					trees = append(trees, n)
				}
				find(n.Children)
			}
		}
		find(parindex.BuildOrgTree(units))
	}
	var walk func(n *parindex.OrgNode, prefix string, last, root bool)
	walk = func(n *parindex.OrgNode, prefix string, last, root bool) {
		u := n.Unit
		branch, next := "├─ ", prefix+"│  "
		if last {
			branch, next = "└─ ", prefix+"   "
		}
		if root {
			branch, next = "", ""
		}
		note := ""
		if !u.ValidTo.IsZero() {
			note = " (đến " + u.ValidTo.VietnameseString()
			if u.SuccessorCode != "" {
				note += " → " + u.SuccessorCode
			}
			note += ")"
		}
		fmt.Fprintf(w, "%s%s%s  %s [%s]%s\n", prefix, branch, u.Code, u.Name, u.Type, note)
		for i, k := range n.Children {
			walk(k, next, i == len(n.Children)-1, false)
		}
	}
	for _, n := range trees {
		walk(n, "", true, true)
	}
}
