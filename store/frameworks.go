package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/criteria"
)

// The store reads and writes criteria.Framework values: criteria is a pure
// domain package (no SQL, no I/O), so depending on it keeps the rules about
// frameworks in one place and the SQL here.

// Framework statuses. A draft may be replaced by importing the same code
// again; a published framework never changes.
const (
	FrameworkDraft     = "draft"
	FrameworkPublished = "published"
)

// Kinds of framework mapping entries.
const (
	MappingMapped  = "mapped"  // an old node continues as a new node
	MappingDropped = "dropped" // an old node has no successor
	MappingNew     = "new"     // a new node has no predecessor
)

// FrameworkRecord is a stored criteria framework: its canonical source
// (criteria.Marshal output) and hash, and the facts of its lifecycle.
type FrameworkRecord struct {
	ID          int64
	Code        string
	Name        string
	Year        int
	AgencyTypes []string
	Status      string // FrameworkDraft or FrameworkPublished
	Source      []byte // canonical YAML
	Hash        string // criteria.Framework.Hash of Source
	CopiedFrom  string // code of the framework this one was copied from, if any
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	UpdatedBy   string
	PublishedAt time.Time // zero for a draft
	PublishedBy string
}

// Published reports whether the framework is published (and so frozen).
func (r *FrameworkRecord) Published() bool { return r.Status == FrameworkPublished }

// Framework parses the stored source.
func (r *FrameworkRecord) Framework() (*criteria.Framework, error) {
	f, _, err := criteria.Parse(r.Code+".yaml", r.Source)
	if err != nil {
		return nil, fmt.Errorf("store: stored framework %s does not parse: %w", r.Code, err)
	}
	return f, nil
}

// FrameworkFilter selects frameworks; zero fields do not filter.
type FrameworkFilter struct {
	Code   string
	Status string
	Year   int
}

// FrameworkMapping is one entry of the mapping from the framework a copy
// was made from (Previous) to the copy (Framework).
type FrameworkMapping struct {
	Framework string
	Previous  string
	OldNode   string // "" for a new node
	NewNode   string // "" for a dropped node
	Kind      string // MappingMapped, MappingDropped or MappingNew
}

// FrameworkImportResult says what ImportFramework did.
type FrameworkImportResult struct {
	Record *FrameworkRecord
	// Action is "created", "replaced" (a draft with other content) or
	// "unchanged" (a draft with the same hash: nothing written).
	Action string
}

// Import outcomes.
const (
	ImportCreated   = "created"
	ImportReplaced  = "replaced"
	ImportUnchanged = "unchanged"
)

const frameworkSelect = `
	SELECT f.id, f.code, f.name, f.year, f.agency_types, f.status, f.source_yaml, f.hash,
	       COALESCE(p.code, ''), f.created_at, f.created_by, f.updated_at, f.updated_by,
	       f.published_at, f.published_by
	FROM frameworks f
	LEFT JOIN frameworks p ON p.id = f.copied_from`

func findFrameworks(ctx context.Context, q queryer, f FrameworkFilter) ([]*FrameworkRecord, error) {
	var c conditions
	equal(&c, "f.code", f.Code)
	equal(&c, "f.status", f.Status)
	equal(&c, "f.year", f.Year)
	rows, err := q.QueryContext(ctx, frameworkSelect+c.where()+" ORDER BY f.year DESC, f.code", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find frameworks: %w", err)
	}
	defer rows.Close()
	var out []*FrameworkRecord
	for rows.Next() {
		r := &FrameworkRecord{}
		var types, source string
		var published sql.NullTime
		if err := rows.Scan(&r.ID, &r.Code, &r.Name, &r.Year, &types, &r.Status, &source, &r.Hash,
			&r.CopiedFrom, &r.CreatedAt, &r.CreatedBy, &r.UpdatedAt, &r.UpdatedBy, &published, &r.PublishedBy); err != nil {
			return nil, fmt.Errorf("store: unable to read a framework: %w", err)
		}
		r.AgencyTypes = splitList(types)
		r.Source = []byte(source)
		if published.Valid {
			r.PublishedAt = published.Time
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read frameworks: %w", err)
	}
	return out, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FindFrameworks returns the frameworks matching f, newest year first, then by code.
func (db *DB) FindFrameworks(ctx context.Context, f FrameworkFilter) ([]*FrameworkRecord, error) {
	return findFrameworks(ctx, db.db, f)
}

// FrameworkByCode returns one framework, or a not-found error naming the code.
func (db *DB) FrameworkByCode(ctx context.Context, code string) (*FrameworkRecord, error) {
	return frameworkByCode(ctx, db.db, code)
}

func frameworkByCode(ctx context.Context, q queryer, code string) (*FrameworkRecord, error) {
	found, err := findFrameworks(ctx, q, FrameworkFilter{Code: code})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có bộ tiêu chí mã %q (no framework with code %q)", code, code)
	}
	return found[0], nil
}

// frameworkAudit is the audited form of a framework: its identity and hash,
// not its whole source (the hash names the exact content; a published
// source is kept for good in the frameworks table).
type frameworkAudit struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Year        int      `json:"year"`
	AgencyTypes []string `json:"agency_types"`
	Status      string   `json:"status"`
	Hash        string   `json:"hash"`
	Nodes       int      `json:"nodes"`
	TotalMax    float64  `json:"total_max"`
	CopiedFrom  string   `json:"copied_from,omitempty"`
	Dropped     int      `json:"mapping_dropped,omitempty"`
	New         int      `json:"mapping_new,omitempty"`
}

func frameworkAuditOf(r *FrameworkRecord, f *criteria.Framework, mapping []mappingRow) *frameworkAudit {
	a := &frameworkAudit{Code: r.Code, Name: r.Name, Year: r.Year, AgencyTypes: r.AgencyTypes, Status: r.Status,
		Hash: r.Hash, CopiedFrom: r.CopiedFrom}
	if f != nil {
		a.Nodes = len(f.All())
		a.TotalMax = f.TotalMax()
	}
	for _, m := range mapping {
		switch m.kind {
		case MappingDropped:
			a.Dropped++
		case MappingNew:
			a.New++
		}
	}
	return a
}

// canonical validates a framework and returns its canonical source and hash.
func canonical(f *criteria.Framework) ([]byte, string, error) {
	if f == nil {
		return nil, "", parindex.Errorf(parindex.ECodeInvalid, "Chưa có bộ tiêu chí (no framework given)")
	}
	if err := criteria.Validate(f); err != nil {
		return nil, "", invalidFramework(err)
	}
	source, err := criteria.Marshal(f)
	if err != nil {
		return nil, "", fmt.Errorf("store: unable to write framework %s: %w", f.Code, err)
	}
	sum := f.Hash()
	return source, sum, nil
}

// invalidFramework turns validation problems into one user-facing error.
func invalidFramework(err error) error {
	var ve *criteria.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		return err
	}
	vi := make([]string, len(ve.Problems))
	en := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		vi[i], en[i] = p.Vietnamese(), p.Error()
	}
	return &parindex.Error{Code: parindex.ECodeInvalid,
		Message: "Bộ tiêu chí không hợp lệ (the framework is not valid): " + strings.Join(vi, "; "),
		Detail:  strings.Join(en, "; ")}
}

// ImportFramework stores a framework as a draft under its code: a new code
// is created; an existing draft is replaced (or left alone when its content
// is the same); a published code is refused, because a published
// framework is frozen and a correction is a new version under a new code.
// Each change writes an audit row in the same transaction.
func (db *DB) ImportFramework(ctx context.Context, actor parindex.Actor, f *criteria.Framework, reason string) (FrameworkImportResult, error) {
	var res FrameworkImportResult
	source, sum, err := canonical(f)
	if err != nil {
		return res, err
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.now()
		found, err := findFrameworks(ctx, tx, FrameworkFilter{Code: f.Code})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			var id int64
			if err := tx.QueryRowContext(ctx, `
				INSERT INTO frameworks (code, name, year, agency_types, status, source_yaml, hash,
				                        created_at, created_by, updated_at, updated_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9) RETURNING id`,
				f.Code, f.Name, f.Year, strings.Join(f.AgencyTypes, ","), FrameworkDraft, string(source), sum,
				now, actor.Name).Scan(&id); err != nil {
				return fmt.Errorf("store: unable to create framework %s: %w", f.Code, err)
			}
			rec, err := frameworkByCode(ctx, tx, f.Code)
			if err != nil {
				return err
			}
			res = FrameworkImportResult{Record: rec, Action: ImportCreated}
			return writeAudit(ctx, tx, now, actor, "framework.import", "framework", f.Code, nil, frameworkAuditOf(rec, f, nil), reason)
		}
		old := found[0]
		if old.Published() {
			return publishedError(old)
		}
		if old.Hash == sum {
			res = FrameworkImportResult{Record: old, Action: ImportUnchanged}
			return nil
		}
		oldFramework, err := old.Framework()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE frameworks SET name = $1, year = $2, agency_types = $3, source_yaml = $4, hash = $5,
			       updated_at = $6, updated_by = $7
			WHERE id = $8 AND status = $9`,
			f.Name, f.Year, strings.Join(f.AgencyTypes, ","), string(source), sum, now, actor.Name, old.ID, FrameworkDraft); err != nil {
			return fmt.Errorf("store: unable to replace framework %s: %w", f.Code, err)
		}
		var mapping []mappingRow
		if old.CopiedFrom != "" {
			if mapping, err = db.remap(ctx, tx, old.ID, old.CopiedFrom, f); err != nil {
				return err
			}
		}
		rec, err := frameworkByCode(ctx, tx, f.Code)
		if err != nil {
			return err
		}
		res = FrameworkImportResult{Record: rec, Action: ImportReplaced}
		return writeAudit(ctx, tx, now, actor, "framework.replace", "framework", f.Code,
			frameworkAuditOf(old, oldFramework, nil), frameworkAuditOf(rec, f, mapping), reason)
	})
	if err != nil {
		return FrameworkImportResult{}, err
	}
	return res, nil
}

func publishedError(r *FrameworkRecord) error {
	return parindex.Errorf(parindex.ECodeConflict,
		"Bộ tiêu chí %s đã ban hành ngày %s nên không thể thay đổi; hãy nhập nội dung sửa đổi thành một phiên bản mới với mã khác "+
			"(framework %s was published and cannot change; import the corrected content as a new version under a new code)",
		r.Code, parindex.Clock{}.FormatDay(r.PublishedAt), r.Code)
}

// vietnam is the zone days are counted in (UTC+7, as the survey counts
// them): today for deadlines and metrics. Dates in messages go through
// parindex.Clock; the store is not given the configured zone, so its
// messages show UTC+7.
var vietnam = time.FixedZone("ICT", 7*3600)

// PublishFramework freezes a draft: from then on it can neither be replaced
// nor removed. Audited in the same transaction.
func (db *DB) PublishFramework(ctx context.Context, actor parindex.Actor, code, reason string) (*FrameworkRecord, error) {
	var rec *FrameworkRecord
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := frameworkByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if old.Published() {
			return parindex.Errorf(parindex.ECodeConflict,
				"Bộ tiêu chí %s đã được ban hành trước đó (framework %s is already published)", code, code)
		}
		f, err := old.Framework()
		if err != nil {
			return err
		}
		// The stored source was valid when written; check again with
		// today's rules, since publishing is the last chance to refuse it.
		if err := criteria.Validate(f); err != nil {
			return invalidFramework(err)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `
			UPDATE frameworks SET status = $1, published_at = $2, published_by = $3, updated_at = $2, updated_by = $3
			WHERE id = $4 AND status = $5`, FrameworkPublished, now, actor.Name, old.ID, FrameworkDraft); err != nil {
			return fmt.Errorf("store: unable to publish framework %s: %w", code, err)
		}
		if rec, err = frameworkByCode(ctx, tx, code); err != nil {
			return err
		}
		return writeAudit(ctx, tx, now, actor, "framework.publish", "framework", code,
			frameworkAuditOf(old, f, nil), frameworkAuditOf(rec, f, nil), reason)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// CopyFramework starts next year's framework: a draft copy of the published
// framework from, under the code to and for the given year (later than
// from's). Occurrences of the old year in the name become the new year.
// Every node is mapped to itself; when the draft is later replaced, the
// mapping is recomputed (nodes whose code is gone are dropped, nodes with
// a code the old framework did not have are new). Audited.
func (db *DB) CopyFramework(ctx context.Context, actor parindex.Actor, from, to string, year int, reason string) (*FrameworkRecord, error) {
	var rec *FrameworkRecord
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		prev, err := frameworkByCode(ctx, tx, from)
		if err != nil {
			return err
		}
		if !prev.Published() {
			return parindex.Errorf(parindex.ECodeConflict,
				"Chỉ sao chép được bộ tiêu chí đã ban hành; %s còn là bản nháp (only a published framework can be copied; %s is a draft)", from, from)
		}
		if year <= prev.Year {
			return parindex.Errorf(parindex.ECodeInvalid,
				"Năm của bản sao (%d) phải sau năm %d của %s (the copy's year must be after the original's)", year, prev.Year, from)
		}
		existing, err := findFrameworks(ctx, tx, FrameworkFilter{Code: to})
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return parindex.Errorf(parindex.ECodeConflict,
				"Mã %s đã được dùng cho một bộ tiêu chí khác; hãy chọn mã mới (code %s is taken; choose a new code)", to, to)
		}
		old, err := prev.Framework()
		if err != nil {
			return err
		}
		f := old.Clone()
		f.Code, f.Year = to, year
		f.Name = strings.ReplaceAll(f.Name, strconv.Itoa(prev.Year), strconv.Itoa(year))
		source, sum, err := canonical(f)
		if err != nil {
			return err
		}
		now := db.now()
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO frameworks (code, name, year, agency_types, status, source_yaml, hash, copied_from,
			                        created_at, created_by, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10) RETURNING id`,
			f.Code, f.Name, f.Year, strings.Join(f.AgencyTypes, ","), FrameworkDraft, string(source), sum, prev.ID,
			now, actor.Name).Scan(&id); err != nil {
			return fmt.Errorf("store: unable to create framework %s: %w", to, err)
		}
		if rec, err = frameworkByCode(ctx, tx, to); err != nil {
			return err
		}
		mapping := mappingOf(old, f)
		if err := writeAudit(ctx, tx, now, actor, "framework.copy", "framework", to, nil, frameworkAuditOf(rec, f, mapping), reason); err != nil {
			return err
		}
		return insertMapping(ctx, tx, id, prev.ID, mapping)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// mappingRow is one stored mapping entry.
type mappingRow struct{ oldNode, newNode, kind string }

// mappingOf maps the nodes of prev to those of next by code: same code,
// mapped; a code only in prev, dropped; a code only in next, new.
func mappingOf(prev, next *criteria.Framework) []mappingRow {
	var out []mappingRow
	for _, n := range prev.All() {
		if next.Find(n.Code) != nil {
			out = append(out, mappingRow{n.Code, n.Code, MappingMapped})
		} else {
			out = append(out, mappingRow{n.Code, "", MappingDropped})
		}
	}
	for _, n := range next.All() {
		if prev.Find(n.Code) == nil {
			out = append(out, mappingRow{"", n.Code, MappingNew})
		}
	}
	return out
}

func insertMapping(ctx context.Context, tx *sqlx.Tx, frameworkID, previousID int64, rows []mappingRow) error {
	for _, m := range rows {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO framework_mappings (framework_id, previous_id, old_node, new_node, kind)
			VALUES ($1, $2, $3, $4, $5)`, frameworkID, previousID, m.oldNode, m.newNode, m.kind); err != nil {
			return fmt.Errorf("store: unable to store the mapping of node %s%s: %w", m.oldNode, m.newNode, err)
		}
	}
	return nil
}

// remap recomputes the mapping of a replaced draft from the framework it
// was copied from.
func (db *DB) remap(ctx context.Context, tx *sqlx.Tx, frameworkID int64, previous string, next *criteria.Framework) ([]mappingRow, error) {
	prev, err := frameworkByCode(ctx, tx, previous)
	if err != nil {
		return nil, err
	}
	old, err := prev.Framework()
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM framework_mappings WHERE framework_id = $1`, frameworkID); err != nil {
		return nil, fmt.Errorf("store: unable to clear the mapping of %s: %w", next.Code, err)
	}
	mapping := mappingOf(old, next)
	return mapping, insertMapping(ctx, tx, frameworkID, prev.ID, mapping)
}

// FrameworkMappings returns how the nodes of the framework with the code
// continue those of the framework it was copied from: old nodes in the old
// framework's order, then new nodes. Empty for a framework that was not
// copied.
func (db *DB) FrameworkMappings(ctx context.Context, code string) ([]FrameworkMapping, error) {
	if _, err := db.FrameworkByCode(ctx, code); err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT f.code, p.code, m.old_node, m.new_node, m.kind
		FROM framework_mappings m
		JOIN frameworks f ON f.id = m.framework_id
		JOIN frameworks p ON p.id = m.previous_id
		WHERE f.code = $1
		ORDER BY m.id`, code)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the mapping of %s: %w", code, err)
	}
	defer rows.Close()
	var out []FrameworkMapping
	for rows.Next() {
		var m FrameworkMapping
		if err := rows.Scan(&m.Framework, &m.Previous, &m.OldNode, &m.NewNode, &m.Kind); err != nil {
			return nil, fmt.Errorf("store: unable to read a mapping entry: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the mapping of %s: %w", code, err)
	}
	return out, nil
}
