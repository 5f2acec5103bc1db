package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)

// userAudit is the audited form of an account: never the password hash.
type userAudit struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Disabled    bool   `json:"disabled"`
	IsDemo      bool   `json:"is_demo,omitempty"`
	Lang        string `json:"lang"`
}

func userAuditOf(u *parindex.User) *userAudit {
	return &userAudit{u.Username, u.DisplayName, u.Disabled, u.IsDemo, u.Lang}
}

func validateUser(u *parindex.User) error {
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if u.Lang == "" {
		u.Lang = "vi"
	}
	switch {
	case !usernamePattern.MatchString(u.Username):
		return parindex.Errorf(parindex.ECodeInvalid,
			"Tên đăng nhập %q không hợp lệ: 3–40 ký tự gồm chữ thường không dấu, số, '.', '_', '-' (invalid username)", u.Username)
	case u.DisplayName == "" || len(u.DisplayName) > 200:
		return parindex.Errorf(parindex.ECodeInvalid, "Cần họ tên hiển thị, tối đa 200 ký tự (display name required)")
	case u.Lang != "vi" && u.Lang != "en":
		return parindex.Errorf(parindex.ECodeInvalid, "Ngôn ngữ phải là vi hoặc en (language must be vi or en)")
	}
	return nil
}

// CreateUser stores a new account with the given password hash and its
// grants, audited as one change.
func (db *DB) CreateUser(ctx context.Context, actor parindex.Actor, u *parindex.User, passwordHash string) error {
	if err := validateUser(u); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, u.Username).Scan(&exists); err != nil {
			return fmt.Errorf("store: unable to check username: %w", err)
		}
		if exists > 0 {
			return parindex.Errorf(parindex.ECodeConflict, "Tên đăng nhập %q đã có (username already exists)", u.Username)
		}
		now := db.now()
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO users (username, display_name, password_hash, disabled, is_demo, lang, session_epoch, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) RETURNING id`,
			u.Username, u.DisplayName, passwordHash, u.Disabled, u.IsDemo, u.Lang, now).Scan(&u.ID); err != nil {
			return fmt.Errorf("store: unable to create user %s: %w", u.Username, err)
		}
		if err := writeAudit(ctx, tx, now, actor, "user.create", "user", u.Username, nil, userAuditOf(u), ""); err != nil {
			return err
		}
		grants := u.Grants
		u.Grants = nil
		for _, g := range grants {
			if err := db.addGrant(ctx, tx, now, actor, u, g); err != nil {
				return err
			}
		}
		return nil
	})
}

const userSelect = `SELECT id, username, display_name, disabled, is_demo, lang, session_epoch FROM users`

func scanUser(row interface{ Scan(...any) error }) (*parindex.User, error) {
	u := &parindex.User{}
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &u.IsDemo, &u.Lang, &u.SessionEpoch)
	return u, err
}

// loadGrants fills the grants of the given users in one query.
func loadGrants(ctx context.Context, q queryer, users []*parindex.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := map[int64]*parindex.User{}
	for _, u := range users {
		byID[u.ID] = u
		u.Grants = nil
	}
	// One user (every request's session check) reads only its rows; a list reads all.
	var only int64
	if len(users) == 1 {
		only = users[0].ID
	}
	rows, err := q.QueryContext(ctx, `
		SELECT r.id, r.user_id, r.role, COALESCE(r.org_unit_id, 0), COALESCE(o.code, ''), COALESCE(o.name, ''),
		       r.include_descendants, r.framework, COALESCE(f.name, ''), r.area
		FROM user_roles r LEFT JOIN org_units o ON o.id = r.org_unit_id
		     LEFT JOIN frameworks f ON f.code = r.framework
		WHERE $1 = 0 OR r.user_id = $1
		ORDER BY r.user_id, r.id`, only)
	if err != nil {
		return fmt.Errorf("store: unable to read roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g parindex.RoleGrant
		var userID int64
		if err := rows.Scan(&g.ID, &userID, &g.Role, &g.UnitID, &g.UnitCode, &g.UnitName, &g.IncludeDescendants, &g.Framework, &g.FrameworkName, &g.Area); err != nil {
			return fmt.Errorf("store: unable to read a role: %w", err)
		}
		if u, ok := byID[userID]; ok {
			u.Grants = append(u.Grants, g)
		}
	}
	return rows.Err()
}

// findUser reads the account of id through q, without its grants.
func findUser(ctx context.Context, q queryer, id int64) (*parindex.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, userSelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có tài khoản này (no such user)")
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read user %d: %w", id, err)
	}
	return u, nil
}

// UserByID returns an account with its grants.
func (db *DB) UserByID(ctx context.Context, id int64) (*parindex.User, error) {
	u, err := findUser(ctx, db.db, id)
	if err != nil {
		return nil, err
	}
	return u, loadGrants(ctx, db.db, []*parindex.User{u})
}

// UserCredentials returns an account and its password hash, for login.
func (db *DB) UserCredentials(ctx context.Context, username string) (*parindex.User, string, error) {
	var hash string
	var id int64
	err := db.db.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE username = $1`,
		strings.ToLower(strings.TrimSpace(username))).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", parindex.Errorf(parindex.ECodeNotFound, "Không có tài khoản này (no such user)")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to read credentials: %w", err)
	}
	u, err := db.UserByID(ctx, id)
	return u, hash, err
}

// FindUsers returns every account with its grants, ordered by username.
func (db *DB) FindUsers(ctx context.Context) ([]*parindex.User, error) {
	users, err := listAll(ctx, db.db, "list users", "read a user", scanUser, userSelect+` ORDER BY username`)
	if err != nil {
		return nil, err
	}
	return users, loadGrants(ctx, db.db, users)
}

// CountUsers returns how many accounts exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count users: %w", err)
	}
	return n, nil
}

// UserUpdate holds the editable fields of an account; nil leaves a field alone.
type UserUpdate struct {
	DisplayName *string
	Lang        *string
	Disabled    *bool
}

// UpdateUser changes an account, audited. Disabling an account also ends its
// sessions.
func (db *DB) UpdateUser(ctx context.Context, actor parindex.Actor, id int64, up UserUpdate, reason string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := findUser(ctx, tx, id)
		if err != nil {
			return err
		}
		after := *before
		if up.DisplayName != nil {
			after.DisplayName = *up.DisplayName
		}
		if up.Lang != nil {
			after.Lang = *up.Lang
		}
		if up.Disabled != nil {
			after.Disabled = *up.Disabled
		}
		if err := validateUser(&after); err != nil {
			return err
		}
		if *userAuditOf(before) == *userAuditOf(&after) {
			return nil
		}
		epoch := before.SessionEpoch
		if after.Disabled && !before.Disabled {
			epoch++
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $1, lang = $2, disabled = $3, session_epoch = $4, updated_at = $5 WHERE id = $6`,
			after.DisplayName, after.Lang, after.Disabled, epoch, now, id); err != nil {
			return fmt.Errorf("store: unable to update user %s: %w", before.Username, err)
		}
		// A language switch is a preference, not an official change.
		if before.DisplayName == after.DisplayName && before.Disabled == after.Disabled {
			return nil
		}
		return writeAudit(ctx, tx, now, actor, "user.update", "user", before.Username, userAuditOf(before), userAuditOf(&after), reason)
	})
}

// SetPassword replaces an account's password hash and ends its sessions.
func (db *DB) SetPassword(ctx context.Context, actor parindex.Actor, id int64, passwordHash, reason string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return db.bumpEpoch(ctx, tx, actor, id, "user.password", `password_hash = $3, `, passwordHash, reason)
	})
}

// EndAllSessions logs an account out everywhere: every session made before
// now stops working at its next request.
func (db *DB) EndAllSessions(ctx context.Context, actor parindex.Actor, id int64) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return db.bumpEpoch(ctx, tx, actor, id, "user.logout_all", ``, nil, "")
	})
}

func (db *DB) bumpEpoch(ctx context.Context, tx *sqlx.Tx, actor parindex.Actor, id int64, action, extraSet string, extra any, reason string) error {
	var username string
	if err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = $1`, id).Scan(&username); errors.Is(err, sql.ErrNoRows) {
		return parindex.Errorf(parindex.ECodeNotFound, "Không có tài khoản này (no such user)")
	} else if err != nil {
		return fmt.Errorf("store: unable to read user %d: %w", id, err)
	}
	now := db.now()
	args := []any{now, id}
	if extra != nil {
		args = append(args, extra)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET `+extraSet+`session_epoch = session_epoch + 1, updated_at = $1 WHERE id = $2`, args...); err != nil {
		return fmt.Errorf("store: unable to update user %s: %w", username, err)
	}
	return writeAudit(ctx, tx, now, actor, action, "user", username, nil, nil, reason)
}

// grantAudit is the audited form of a role grant.
type grantAudit struct {
	Role               string `json:"role"`
	Unit               string `json:"unit,omitempty"`
	IncludeDescendants bool   `json:"include_descendants,omitempty"`
	Framework          string `json:"framework,omitempty"`
	Area               string `json:"area,omitempty"`
}

// AddGrant gives a user a role with its scope, audited.
func (db *DB) AddGrant(ctx context.Context, actor parindex.Actor, userID int64, g parindex.RoleGrant) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		u, err := findUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		return db.addGrant(ctx, tx, db.now(), actor, u, g)
	})
}

func (db *DB) addGrant(ctx context.Context, tx *sqlx.Tx, now time.Time, actor parindex.Actor, u *parindex.User, g parindex.RoleGrant) error {
	if !slices.Contains(parindex.Roles, g.Role) {
		return parindex.Errorf(parindex.ECodeInvalid, "Vai trò %q không có (unknown role)", g.Role)
	}
	agency := g.Role == parindex.RoleAgencyEditor || g.Role == parindex.RoleAgencyLeader
	var unitID any
	if agency {
		if g.UnitCode == "" {
			return parindex.Errorf(parindex.ECodeInvalid, "Vai trò của cơ quan cần chọn đơn vị (an agency role needs a unit)")
		}
		unit, err := orgUnitByCode(ctx, tx, g.UnitCode)
		if err != nil {
			return err
		}
		unitID = unit.ID
	} else {
		g.UnitCode, g.IncludeDescendants = "", false
	}
	if g.Role == parindex.RoleAppraiser {
		g.Framework, g.Area = strings.TrimSpace(g.Framework), strings.TrimSpace(g.Area)
		if g.Area == "" {
			return parindex.Errorf(parindex.ECodeInvalid, "Thành viên thẩm định cần được giao lĩnh vực (an appraiser needs an area)")
		}
	} else {
		g.Framework, g.Area = "", ""
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO user_roles (user_id, role, org_unit_id, include_descendants, framework, area)
		VALUES ($1, $2, $3, $4, $5, $6)`, u.ID, g.Role, unitID, g.IncludeDescendants, g.Framework, g.Area); err != nil {
		return fmt.Errorf("store: unable to grant %s to %s: %w", g.Role, u.Username, err)
	}
	return writeAudit(ctx, tx, now, actor, "user.grant", "user", u.Username, nil,
		grantAudit{g.Role, g.UnitCode, g.IncludeDescendants, g.Framework, g.Area}, "")
}

// RemoveGrant takes a role grant away from a user, audited.
func (db *DB) RemoveGrant(ctx context.Context, actor parindex.Actor, userID, grantID int64) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		u, err := findUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := loadGrants(ctx, tx, []*parindex.User{u}); err != nil {
			return err
		}
		i := slices.IndexFunc(u.Grants, func(g parindex.RoleGrant) bool { return g.ID == grantID })
		if i < 0 {
			return parindex.Errorf(parindex.ECodeNotFound, "Không có vai trò này (no such grant)")
		}
		g := u.Grants[i]
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE id = $1`, grantID); err != nil {
			return fmt.Errorf("store: unable to revoke a role of %s: %w", u.Username, err)
		}
		return writeAudit(ctx, tx, db.now(), actor, "user.revoke", "user", u.Username,
			grantAudit{g.Role, g.UnitCode, g.IncludeDescendants, g.Framework, g.Area}, nil, "")
	})
}
