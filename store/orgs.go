package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// OrgFilter selects organisation units; zero fields do not filter.
type OrgFilter struct {
	ID       int64
	Code     string
	Type     string
	ParentID int64
	ValidOn  parindex.Date // only units valid on this day
}

const orgSelect = `
	SELECT u.id, u.code, u.name, u.type, COALESCE(p.id, 0), COALESCE(p.code, ''),
	       u.valid_from, u.valid_to, COALESCE(s.code, '')
	FROM org_units u
	LEFT JOIN org_units p ON p.id = u.parent_id
	LEFT JOIN org_successors os ON os.predecessor_id = u.id
	LEFT JOIN org_units s ON s.id = os.successor_id`

// queryer is what both *sqlx.DB and *sqlx.Tx offer, so read helpers run
// inside or outside a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func scanOrgUnits(rows *sql.Rows, withDepth bool) ([]*parindex.OrgUnit, error) {
	defer rows.Close()
	var out []*parindex.OrgUnit
	for rows.Next() {
		u := &parindex.OrgUnit{}
		dest := []any{&u.ID, &u.Code, &u.Name, &u.Type, &u.ParentID, &u.ParentCode, &u.ValidFrom, &u.ValidTo, &u.SuccessorCode}
		if withDepth {
			dest = append(dest, &u.Depth)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: unable to read an organisation unit: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read organisation units: %w", err)
	}
	return out, nil
}

func findOrgUnits(ctx context.Context, q queryer, f OrgFilter) ([]*parindex.OrgUnit, error) {
	var c conditions
	equal(&c, "u.id", f.ID)
	equal(&c, "u.code", f.Code)
	equal(&c, "u.type", f.Type)
	equal(&c, "u.parent_id", f.ParentID)
	if !f.ValidOn.IsZero() {
		d := c.arg(f.ValidOn)
		c.add("u.valid_from <= " + d + " AND (u.valid_to IS NULL OR u.valid_to >= " + d + ")")
	}
	rows, err := q.QueryContext(ctx, orgSelect+c.where()+" ORDER BY u.code", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find organisation units: %w", err)
	}
	return scanOrgUnits(rows, false)
}

// FindOrgUnits returns the units matching f, ordered by code.
func (db *DB) FindOrgUnits(ctx context.Context, f OrgFilter) ([]*parindex.OrgUnit, error) {
	return findOrgUnits(ctx, db.db, f)
}

// OrgUnitByCode returns one unit, or a not-found error naming the code.
func (db *DB) OrgUnitByCode(ctx context.Context, code string) (*parindex.OrgUnit, error) {
	return orgUnitByCode(ctx, db.db, code)
}

func orgUnitByCode(ctx context.Context, q queryer, code string) (*parindex.OrgUnit, error) {
	units, err := findOrgUnits(ctx, q, OrgFilter{Code: code})
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		// Codes ignore case (parindex.PlanOrgImport refuses two that
		// differ only in case): another spelling names the one unit.
		all, err := findOrgUnits(ctx, q, OrgFilter{})
		if err != nil {
			return nil, err
		}
		for _, u := range all {
			if strings.EqualFold(u.Code, code) {
				units = append(units, u)
			}
		}
	}
	if len(units) != 1 {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có đơn vị mã %q (no unit with code %q)", code, code)
	}
	return units[0], nil
}

// OrgChildren returns the direct children of the unit with the given code.
func (db *DB) OrgChildren(ctx context.Context, code string) ([]*parindex.OrgUnit, error) {
	u, err := db.OrgUnitByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return findOrgUnits(ctx, db.db, OrgFilter{ParentID: u.ID})
}

// OrgDescendants returns the unit's descendants (not the unit itself), each
// with Depth counted from the unit (children have depth 1), in code order.
func (db *DB) OrgDescendants(ctx context.Context, code string) ([]*parindex.OrgUnit, error) {
	return db.orgWalk(ctx, code, `
		WITH RECURSIVE walk(id, depth) AS (
			SELECT id, 0 FROM org_units WHERE code = $1
			UNION ALL
			SELECT c.id, walk.depth + 1 FROM org_units c JOIN walk ON c.parent_id = walk.id
			WHERE walk.depth < 64
		)`, "walk.depth > 0 ORDER BY u.code")
}

// OrgAncestors returns the unit's ancestors from its parent up to the root,
// with Depth counting steps up (the parent has depth 1).
func (db *DB) OrgAncestors(ctx context.Context, code string) ([]*parindex.OrgUnit, error) {
	return db.orgWalk(ctx, code, `
		WITH RECURSIVE walk(id, depth) AS (
			SELECT parent_id, 1 FROM org_units WHERE code = $1 AND parent_id IS NOT NULL
			UNION ALL
			SELECT p.parent_id, walk.depth + 1 FROM org_units p JOIN walk ON p.id = walk.id
			WHERE p.parent_id IS NOT NULL AND walk.depth < 64
		)`, "true ORDER BY walk.depth")
}

// OrgSuccessorChain follows successor links from the unit: the unit that
// succeeded it, the one that succeeded that, and so on (depth 1, 2, …).
func (db *DB) OrgSuccessorChain(ctx context.Context, code string) ([]*parindex.OrgUnit, error) {
	return db.orgWalk(ctx, code, `
		WITH RECURSIVE walk(id, depth) AS (
			SELECT os.successor_id, 1 FROM org_successors os JOIN org_units u ON u.id = os.predecessor_id
			WHERE u.code = $1
			UNION ALL
			SELECT os.successor_id, walk.depth + 1 FROM org_successors os JOIN walk ON os.predecessor_id = walk.id
			WHERE walk.depth < 64
		)`, "true ORDER BY walk.depth")
}

// OrgPredecessors returns the units whose successor is the given unit.
func (db *DB) OrgPredecessors(ctx context.Context, code string) ([]*parindex.OrgUnit, error) {
	rows, err := db.db.QueryContext(ctx, orgSelect+` WHERE s.code = $1 ORDER BY u.code`, code)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find predecessors of %s: %w", code, err)
	}
	return scanOrgUnits(rows, false)
}

// orgWalk runs a recursive walk (a CTE named walk(id, depth), bounded so a
// corrupt cycle cannot loop forever) and returns the units it reaches.
func (db *DB) orgWalk(ctx context.Context, code, cte, where string) ([]*parindex.OrgUnit, error) {
	if _, err := db.OrgUnitByCode(ctx, code); err != nil {
		return nil, err
	}
	query := cte + strings.Replace(orgSelect, "COALESCE(s.code, '')", "COALESCE(s.code, ''), walk.depth", 1) +
		` JOIN walk ON walk.id = u.id WHERE ` + where
	rows, err := db.db.QueryContext(ctx, query, code)
	if err != nil {
		return nil, fmt.Errorf("store: unable to walk the organisation tree from %s: %w", code, err)
	}
	return scanOrgUnits(rows, true)
}

// OrgTypes returns the known unit types in display order.
func (db *DB) OrgTypes(ctx context.Context) ([]parindex.OrgType, error) {
	return orgTypes(ctx, db.db)
}

func orgTypes(ctx context.Context, q queryer) ([]parindex.OrgType, error) {
	return listAll(ctx, q, "read unit types", "read a unit type", func(row interface{ Scan(...any) error }) (t parindex.OrgType, err error) {
		err = row.Scan(&t.Code, &t.NameVI, &t.NameEN)
		return t, err
	}, `SELECT code, name_vi, name_en FROM org_types ORDER BY sort_order, code`)
}

// orgAudit is the audited form of a unit: codes rather than row ids, so the
// record still reads correctly after ids change in a restore.
type orgAudit struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Parent    string `json:"parent,omitempty"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to,omitempty"`
	Successor string `json:"successor,omitempty"`
}

func auditOf(u *parindex.OrgUnit) *orgAudit {
	if u == nil {
		return nil
	}
	return &orgAudit{u.Code, u.Name, u.Type, u.ParentCode, u.ValidFrom.String(), u.ValidTo.String(), u.SuccessorCode}
}

// SaveOrgUnits creates or updates units (matched by code) in one transaction,
// after checking them together with the stored tree exactly as an import
// file is checked. Each created or changed unit gets an audit row.
func (db *DB) SaveOrgUnits(ctx context.Context, actor parindex.Actor, units []*parindex.OrgUnit, reason string) (OrgImportResult, error) {
	return db.ImportOrgUnits(ctx, actor, "", orgRowsOf(units), reason)
}

func orgRowsOf(units []*parindex.OrgUnit) []parindex.OrgRow {
	rows := make([]parindex.OrgRow, len(units))
	for i, u := range units {
		rows[i] = parindex.OrgRow{Row: i + 1, Code: u.Code, Name: u.Name, Type: u.Type, Parent: u.ParentCode,
			ValidFrom: u.ValidFrom.String(), ValidTo: u.ValidTo.String(), Successor: u.SuccessorCode}
	}
	return rows
}

// OrgImportResult counts what an import did.
type OrgImportResult struct {
	Created, Updated, Unchanged int
}

// ImportOrgUnits checks every row against the others and the stored tree and,
// only when all rows are valid, writes them in one transaction. An invalid
// file returns parindex.InputErrors naming each bad row and writes nothing.
func (db *DB) ImportOrgUnits(ctx context.Context, actor parindex.Actor, file string, rows []parindex.OrgRow, reason string) (OrgImportResult, error) {
	var res OrgImportResult
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = db.importOrgUnits(ctx, tx, actor, file, rows, reason)
		return err
	})
	if err != nil {
		return OrgImportResult{}, err
	}
	return res, nil
}

func (db *DB) importOrgUnits(ctx context.Context, tx *sqlx.Tx, actor parindex.Actor, file string, rows []parindex.OrgRow, reason string) (OrgImportResult, error) {
	var res OrgImportResult
	err := func() error {
		existing, err := findOrgUnits(ctx, tx, OrgFilter{})
		if err != nil {
			return err
		}
		types, err := orgTypes(ctx, tx)
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, t := range types {
			known[t.Code] = true
		}
		planned, errs := parindex.PlanOrgImport(file, rows, existing, known)
		if len(errs) > 0 {
			return errs
		}
		before := map[string]*parindex.OrgUnit{}
		for _, u := range existing {
			before[u.Code] = u
		}
		now := db.now()
		ids := map[string]int64{}
		for _, u := range existing {
			ids[u.Code] = u.ID
		}
		// Pass 1: rows without links, so that links may point at later rows.
		for _, u := range planned {
			if old, ok := before[u.Code]; ok {
				if _, err := tx.ExecContext(ctx, `
					UPDATE org_units SET name = $1, type = $2, valid_from = $3, valid_to = $4, updated_at = $5
					WHERE id = $6`, u.Name, u.Type, u.ValidFrom, u.ValidTo, now, old.ID); err != nil {
					return fmt.Errorf("store: unable to update unit %s: %w", u.Code, err)
				}
				continue
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `
				INSERT INTO org_units (code, name, type, valid_from, valid_to, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
				u.Code, u.Name, u.Type, u.ValidFrom, u.ValidTo, now).Scan(&id); err != nil {
				return fmt.Errorf("store: unable to create unit %s: %w", u.Code, err)
			}
			ids[u.Code] = id
		}
		// Pass 2: parent and successor links, then the audit rows.
		for _, u := range planned {
			var parent any
			if u.ParentCode != "" {
				parent = ids[u.ParentCode]
			}
			if _, err := tx.ExecContext(ctx, `UPDATE org_units SET parent_id = $1 WHERE id = $2`, parent, ids[u.Code]); err != nil {
				return fmt.Errorf("store: unable to set the parent of %s: %w", u.Code, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM org_successors WHERE predecessor_id = $1`, ids[u.Code]); err != nil {
				return fmt.Errorf("store: unable to clear the successor of %s: %w", u.Code, err)
			}
			if u.SuccessorCode != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO org_successors (predecessor_id, successor_id) VALUES ($1, $2)`,
					ids[u.Code], ids[u.SuccessorCode]); err != nil {
					return fmt.Errorf("store: unable to set the successor of %s: %w", u.Code, err)
				}
			}
			old := before[u.Code]
			after := auditOf(u)
			switch {
			case old == nil:
				res.Created++
				err = writeAudit(ctx, tx, now, actor, "org.create", "org_unit", u.Code, nil, after, reason)
			case *auditOf(old) != *after:
				res.Updated++
				err = writeAudit(ctx, tx, now, actor, "org.update", "org_unit", u.Code, auditOf(old), after, reason)
			default:
				res.Unchanged++
			}
			if err != nil {
				return err
			}
		}
		return nil
	}()
	return res, err
}

// MergeOrgUnits records that the predecessors ceased on the day before `on`
// and that successor took them over, in one audited transaction.
func (db *DB) MergeOrgUnits(ctx context.Context, actor parindex.Actor, predecessors []string, successor string, on parindex.Date, reason string) error {
	if len(predecessors) == 0 {
		return parindex.Errorf(parindex.ECodeInvalid, "Chưa chọn đơn vị nào để sáp nhập (no unit to merge)")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var units []*parindex.OrgUnit
		succ, err := orgUnitByCode(ctx, tx, successor)
		if err != nil {
			return err
		}
		last := on.AddDays(-1)
		for _, code := range predecessors {
			u, err := orgUnitByCode(ctx, tx, code)
			if err != nil {
				return err
			}
			if u.ID == succ.ID {
				return parindex.Errorf(parindex.ECodeInvalid, "Đơn vị %s không thể sáp nhập vào chính nó (a unit cannot merge into itself)", code)
			}
			if last.Before(u.ValidFrom) {
				return parindex.Errorf(parindex.ECodeInvalid,
					"Ngày sáp nhập %s sớm hơn ngày bắt đầu hiệu lực của %s (%s) (merge date before the unit's valid_from)",
					on.VietnameseString(), code, u.ValidFrom.VietnameseString())
			}
			c := *u
			c.ValidTo = last
			c.SuccessorCode = succ.Code
			units = append(units, &c)
		}
		_, err = db.importOrgUnits(ctx, tx, actor, "", orgRowsOf(units), reason)
		return err
	})
}
