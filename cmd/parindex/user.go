package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/password"
	"parindex/store"
)

// bootstrapAdmin creates the first administrator when there is no account at
// all, and prints its random password once: nobody else will ever see it.
func bootstrapAdmin(ctx context.Context, db *store.DB, out io.Writer) error {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := password.Random(16)
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return err
	}
	u := &parindex.User{Username: "admin", DisplayName: "Quản trị hệ thống", Lang: "vi",
		Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}
	if err := db.CreateUser(ctx, parindex.Actor{Name: "system"}, u, hash); err != nil {
		return err
	}
	fmt.Fprintf(out, `
================================================================
 Tài khoản quản trị đầu tiên (first administrator account)
   tên đăng nhập (username): admin
   mật khẩu (password):      %s
 Mật khẩu chỉ hiển thị lần này. Đổi nó sau khi đăng nhập.
 Shown only this once; "parindex user passwd admin" resets it.
================================================================
`, pw)
	return nil
}

// newPassword is the password user add and user passwd set: read from
// stdin (--password-stdin) or generated, checked against the rules for the
// account and hashed, all before the database is opened.
type newPassword struct {
	plain, hash string
	generated   bool
}

func readNewPassword(fromStdin bool, stdin io.Reader, username string) (newPassword, error) {
	var pw newPassword
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return pw, err
		}
		pw.plain = strings.TrimRight(line, "\r\n")
	} else {
		pw.plain, pw.generated = password.Random(14), true
	}
	if err := password.Check(username, pw.plain); err != nil {
		return pw, err
	}
	var err error
	pw.hash, err = password.Hash(pw.plain, password.Default)
	return pw, err
}

func (a *app) userCommand() *cobra.Command {
	var name, role, unit, framework, area string
	var descendants, pwStdin bool
	var pw newPassword
	add := &cobra.Command{
		Use:   "add USERNAME",
		Short: "Tạo tài khoản (create an account)",
		Long: `Tạo tài khoản với một vai trò. Vai trò: admin, viewer, agency_editor, agency_leader (cần --unit),
appraiser (cần --area, có thể kèm --framework). Mật khẩu được sinh ngẫu nhiên và in ra, hoặc đọc từ
stdin với --password-stdin.

Creates an account with one role; the password is generated and printed, or read from stdin.`,
		Args: positionalArgs(1, 1),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if role != "" && !contains(parindex.Roles, role) {
				return usageError{fmt.Errorf("--role must be one of %s", strings.Join(parindex.Roles, ", "))}
			}
			var err error
			pw, err = readNewPassword(pwStdin, os.Stdin, args[0])
			return err
		},
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			u := &parindex.User{Username: args[0], DisplayName: name, Lang: "vi"}
			if u.DisplayName == "" {
				u.DisplayName = args[0]
			}
			if role != "" {
				u.Grants = []parindex.RoleGrant{{Role: role, UnitCode: unit, IncludeDescendants: descendants, Framework: framework, Area: area}}
			}
			if err := db.CreateUser(cmd.Context(), cliActor(), u, pw.hash); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã tạo tài khoản (created) %s.\n", u.Username)
			if pw.generated {
				fmt.Fprintf(a.stdout, "Mật khẩu (password): %s\n", pw.plain)
			}
			return nil
		}),
	}
	add.Flags().StringVar(&name, "name", "", "họ và tên hiển thị (display name)")
	add.Flags().StringVar(&role, "role", "", "vai trò (role): "+strings.Join(parindex.Roles, ", "))
	add.Flags().StringVar(&unit, "unit", "", "mã đơn vị, với vai trò của cơ quan (unit code for agency roles)")
	add.Flags().BoolVar(&descendants, "descendants", false, "kể cả đơn vị trực thuộc (include sub-units)")
	add.Flags().StringVar(&framework, "framework", "", "mã bộ tiêu chí, với appraiser (framework code)")
	add.Flags().StringVar(&area, "area", "", "mã lĩnh vực, với appraiser (area code)")
	add.Flags().BoolVar(&pwStdin, "password-stdin", false, "đọc mật khẩu từ stdin (read the password from stdin)")

	var passwdStdin bool
	var reset newPassword
	passwd := &cobra.Command{
		Use:   "passwd USERNAME",
		Short: "Đặt lại mật khẩu, kết thúc mọi phiên (reset a password; ends every session)",
		Args:  positionalArgs(1, 1),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			var err error
			reset, err = readNewPassword(passwdStdin, os.Stdin, args[0])
			return err
		},
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			u, _, err := db.UserCredentials(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := db.SetPassword(cmd.Context(), cliActor(), u.ID, reset.hash, "reset from the command line"); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã đặt lại mật khẩu của (password reset for) %s.\n", u.Username)
			if reset.generated {
				fmt.Fprintf(a.stdout, "Mật khẩu mới (new password): %s\n", reset.plain)
			}
			return nil
		}),
	}
	passwd.Flags().BoolVar(&passwdStdin, "password-stdin", false, "đọc mật khẩu từ stdin (read the password from stdin)")

	var reason string
	disable := &cobra.Command{
		Use:   "disable USERNAME",
		Short: "Khóa tài khoản, kết thúc mọi phiên (disable an account; ends every session)",
		Args:  positionalArgs(1, 1),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			u, _, err := db.UserCredentials(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			yes := true
			if err := db.UpdateUser(cmd.Context(), cliActor(), u.ID, store.UserUpdate{Disabled: &yes}, reason); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Đã khóa (disabled) %s.\n", u.Username)
			return nil
		}),
	}
	disable.Flags().StringVar(&reason, "reason", "", "lý do, ghi vào nhật ký (reason for the audit log)")

	list := &cobra.Command{
		Use:   "list",
		Short: "Liệt kê tài khoản (list accounts)",
		Args:  positionalArgs(0, 0),
		RunE: a.withDB(func(cmd *cobra.Command, args []string, db *store.DB) error {
			users, err := db.FindUsers(cmd.Context())
			if err != nil {
				return err
			}
			w := newTable(a.stdout)
			fmt.Fprintln(w, "USERNAME\tNAME\tROLES\tSTATUS")
			for _, u := range users {
				var roles []string
				for _, g := range u.Grants {
					r := g.Role
					if g.UnitCode != "" {
						r += ":" + g.UnitCode
						if g.IncludeDescendants {
							r += "+"
						}
					}
					if g.Area != "" {
						r += ":" + strings.Trim(g.Framework+"/"+g.Area, "/")
					}
					roles = append(roles, r)
				}
				status := "active"
				if u.Disabled {
					status = "disabled"
				}
				if u.IsDemo {
					status += " (demo)"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, strings.Join(roles, ", "), status)
			}
			return w.Flush()
		}),
	}
	return groupCommand("user", "Tài khoản cán bộ (staff accounts)", add, passwd, disable, list)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
