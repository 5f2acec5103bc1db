package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// SaveInstrument stores an instrument as a draft, or replaces a draft of the
// same code. A published code is refused: published instruments never change.
func (db *DB) SaveInstrument(ctx context.Context, actor parindex.Actor, in *parindex.StoredInstrument) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := instrumentByCode(ctx, tx, in.Code)
		if err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound {
			return err
		}
		now := db.now()
		type doc struct {
			Code, Name, Hash, Status string
			Year                     int
		}
		if old != nil {
			if old.Status == parindex.StatusPublished {
				return parindex.Errorf(parindex.ECodeConflict,
					"Bộ câu hỏi %s đã công bố, không sửa được; hãy nhập phiên bản mới với mã khác (published instruments are immutable)", in.Code)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE instruments SET name = $1, year = $2, source = $3, hash = $4, created_at = $5, created_by = $6 WHERE id = $7`,
				in.Name, in.Year, in.Source, in.Hash, now, actor.Name, old.ID); err != nil {
				return fmt.Errorf("store: unable to replace instrument %s: %w", in.Code, err)
			}
			in.ID, in.Status = old.ID, parindex.StatusDraft
			return writeAudit(ctx, tx, now, actor, "instrument.replace", "instrument", in.Code,
				doc{old.Code, old.Name, old.Hash, old.Status, old.Year}, doc{in.Code, in.Name, in.Hash, in.Status, in.Year}, "")
		}
		in.Status = parindex.StatusDraft
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO instruments (code, name, year, source, hash, status, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			in.Code, in.Name, in.Year, in.Source, in.Hash, in.Status, now, actor.Name).Scan(&in.ID); err != nil {
			return fmt.Errorf("store: unable to create instrument %s: %w", in.Code, err)
		}
		return writeAudit(ctx, tx, now, actor, "instrument.create", "instrument", in.Code, nil, doc{in.Code, in.Name, in.Hash, in.Status, in.Year}, "")
	})
}

// PublishInstrument freezes a draft instrument.
func (db *DB) PublishInstrument(ctx context.Context, actor parindex.Actor, code string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		in, err := instrumentByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if in.Status == parindex.StatusPublished {
			return parindex.Errorf(parindex.ECodeConflict, "Bộ câu hỏi %s đã công bố rồi (already published)", code)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE instruments SET status = $1, published_at = $2, published_by = $3 WHERE id = $4`,
			parindex.StatusPublished, now, actor.Name, in.ID); err != nil {
			return fmt.Errorf("store: unable to publish instrument %s: %w", code, err)
		}
		return writeAudit(ctx, tx, now, actor, "instrument.publish", "instrument", code,
			map[string]string{"status": in.Status, "hash": in.Hash}, map[string]string{"status": parindex.StatusPublished, "hash": in.Hash}, "")
	})
}

const instrumentSelect = `SELECT id, code, name, year, source, hash, status, created_at, created_by,
	published_at, published_by FROM instruments`

func scanInstrument(row interface{ Scan(...any) error }) (*parindex.StoredInstrument, error) {
	in := &parindex.StoredInstrument{}
	var published sql.NullTime
	err := row.Scan(&in.ID, &in.Code, &in.Name, &in.Year, &in.Source, &in.Hash, &in.Status, &in.CreatedAt, &in.CreatedBy, &published, &in.PublishedBy)
	in.PublishedAt = published.Time
	return in, err
}

func instrumentByCode(ctx context.Context, q queryer, code string) (*parindex.StoredInstrument, error) {
	in, err := scanInstrument(q.QueryRowContext(ctx, instrumentSelect+` WHERE code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có bộ câu hỏi %q (no instrument %q)", code, code)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read instrument %s: %w", code, err)
	}
	return in, nil
}

// InstrumentByCode returns one stored instrument.
func (db *DB) InstrumentByCode(ctx context.Context, code string) (*parindex.StoredInstrument, error) {
	return instrumentByCode(ctx, db.db, code)
}

// InstrumentByID returns one stored instrument.
func (db *DB) InstrumentByID(ctx context.Context, id int64) (*parindex.StoredInstrument, error) {
	in, err := scanInstrument(db.db.QueryRowContext(ctx, instrumentSelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có bộ câu hỏi này (no such instrument)")
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read instrument %d: %w", id, err)
	}
	return in, nil
}

// FindInstruments lists stored instruments, newest year first.
func (db *DB) FindInstruments(ctx context.Context) ([]*parindex.StoredInstrument, error) {
	return listAll(ctx, db.db, "list instruments", "read an instrument", scanInstrument, instrumentSelect+` ORDER BY year DESC, code`)
}

// LinkSpec describes a QR link to create.
type LinkSpec struct {
	Token          string
	InstrumentCode string
	UnitCode       string
	CounterLabel   string
	ExpiresAt      time.Time
}

// CreateLinks creates QR links in one audited transaction. The instrument
// must be published: citizens never answer a draft.
func (db *DB) CreateLinks(ctx context.Context, actor parindex.Actor, specs []LinkSpec) ([]*parindex.SurveyLink, error) {
	var out []*parindex.SurveyLink
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.now()
		instruments := map[string]*parindex.StoredInstrument{}
		for _, s := range specs {
			in, ok := instruments[s.InstrumentCode]
			if !ok {
				var err error
				if in, err = instrumentByCode(ctx, tx, s.InstrumentCode); err != nil {
					return err
				}
				if in.Status != parindex.StatusPublished {
					return parindex.Errorf(parindex.ECodeInvalid, "Bộ câu hỏi %s chưa công bố (the instrument is not published)", in.Code)
				}
				instruments[s.InstrumentCode] = in
			}
			unit, err := orgUnitByCode(ctx, tx, s.UnitCode)
			if err != nil {
				return err
			}
			label := strings.TrimSpace(s.CounterLabel)
			if len(label) > 100 {
				return parindex.Errorf(parindex.ECodeInvalid, "Tên quầy tối đa 100 ký tự (counter label too long)")
			}
			var expires any
			if !s.ExpiresAt.IsZero() {
				expires = s.ExpiresAt.UTC()
			}
			l := &parindex.SurveyLink{Token: s.Token, InstrumentID: in.ID, InstrumentCode: in.Code, UnitID: unit.ID, UnitCode: unit.Code,
				UnitName: unit.Name, CounterLabel: label, CreatedAt: now, CreatedBy: actor.Name, ExpiresAt: s.ExpiresAt}
			if err := tx.QueryRowContext(ctx, `
				INSERT INTO survey_links (token, instrument_id, org_unit_id, counter_label, created_at, created_by, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				l.Token, l.InstrumentID, l.UnitID, l.CounterLabel, now, actor.Name, expires).Scan(&l.ID); err != nil {
				return fmt.Errorf("store: unable to create a link for %s: %w", unit.Code, err)
			}
			// The token is a credential of sorts (it lets anyone answer for
			// the unit), so the audit names the link by id, not by token.
			if err := writeAudit(ctx, tx, now, actor, "link.create", "survey_link", fmt.Sprint(l.ID), nil,
				map[string]string{"unit": unit.Code, "instrument": in.Code, "counter": label}, ""); err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// RevokeLink stops a link from accepting answers.
func (db *DB) RevokeLink(ctx context.Context, actor parindex.Actor, id int64, reason string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, `UPDATE survey_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, id)
		if err != nil {
			return fmt.Errorf("store: unable to revoke link %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parindex.Errorf(parindex.ECodeNotFound, "Không có liên kết đang hoạt động này (no such active link)")
		}
		if err := db.notify(ctx, tx, ChangeLinks); err != nil {
			return err
		}
		return writeAudit(ctx, tx, now, actor, "link.revoke", "survey_link", fmt.Sprint(id), nil, map[string]string{"revoked": "true"}, reason)
	})
}

// LinkFilter selects links; zero fields do not filter.
type LinkFilter struct {
	ID     int64
	Token  string
	UnitID int64
	// CountsOn, when set, fills ResponsesToday for that day and ResponsesTotal.
	CountsOn parindex.Date
}

// FindLinks returns links with their unit and instrument.
func (db *DB) FindLinks(ctx context.Context, f LinkFilter) ([]*parindex.SurveyLink, error) {
	var c conditions
	equal(&c, "l.id", f.ID)
	equal(&c, "l.token", f.Token)
	equal(&c, "l.org_unit_id", f.UnitID)
	counts := "0, 0"
	if !f.CountsOn.IsZero() {
		d := c.arg(f.CountsOn)
		counts = `(SELECT COUNT(*) FROM responses r WHERE r.link_id = l.id AND r.day = ` + d + `),
		          (SELECT COUNT(*) FROM responses r WHERE r.link_id = l.id)`
	}
	query := `SELECT l.id, l.token, l.instrument_id, i.code, l.org_unit_id, o.code, o.name, l.counter_label,
		l.created_at, l.created_by, l.expires_at, l.revoked_at, ` + counts + `
		FROM survey_links l JOIN instruments i ON i.id = l.instrument_id JOIN org_units o ON o.id = l.org_unit_id` +
		c.where() + " ORDER BY o.code, l.counter_label, l.id"
	rows, err := db.db.QueryContext(ctx, query, c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find links: %w", err)
	}
	defer rows.Close()
	var out []*parindex.SurveyLink
	for rows.Next() {
		l := &parindex.SurveyLink{}
		var expires, revoked sql.NullTime
		if err := rows.Scan(&l.ID, &l.Token, &l.InstrumentID, &l.InstrumentCode, &l.UnitID, &l.UnitCode, &l.UnitName, &l.CounterLabel,
			&l.CreatedAt, &l.CreatedBy, &expires, &revoked, &l.ResponsesToday, &l.ResponsesTotal); err != nil {
			return nil, fmt.Errorf("store: unable to read a link: %w", err)
		}
		l.ExpiresAt, l.RevokedAt = expires.Time, revoked.Time
		out = append(out, l)
	}
	return out, rows.Err()
}

// LinkByToken returns the link with the token, or not found.
func (db *DB) LinkByToken(ctx context.Context, token string) (*parindex.SurveyLink, error) {
	links, err := db.FindLinks(ctx, LinkFilter{Token: token})
	if err != nil {
		return nil, err
	}
	if len(links) == 0 {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có liên kết khảo sát này (no such survey link)")
	}
	return links[0], nil
}

// InsertOutcome says what happened to one response of a batch.
type InsertOutcome int

const (
	Inserted         InsertOutcome = iota
	DuplicateKey                   // the same form was sent again: already stored
	DuplicateDossier               // this dossier code already answered for this unit
)

// insertChunk bounds the rows of one multi-row statement: on SQLite, 500
// rows of up to 16 parameters stay far below its limit of 32,766.
const insertChunk = 500

// InsertResponses stores a batch of responses in one transaction (group
// commit) and keeps response_counts current in the same transaction. The
// questions map gives each instrument's question codes in order, to count
// answers. A response whose device was seen for the same unit within
// deviceWindow gets the duplicate_device flag (the one flag that needs shared
// state); device_seen keeps only the hour, so some repeats up to an hour
// further apart are flagged too (repeatSince). Outcomes come back in the
// order of rs.
//
// Each step is one multi-row statement per chunk (a rowSet), not one per
// response: on PostgreSQL every statement is a network round trip, and a
// batch of hundreds must cost a handful of them.
func (db *DB) InsertResponses(ctx context.Context, rs []*parindex.Response, questions map[int64][]string, deviceWindow time.Duration) ([]InsertOutcome, error) {
	for _, r := range rs {
		codes := questions[r.InstrumentID]
		if len(codes) != len(r.Answers) {
			return nil, fmt.Errorf("store: response has %d answers for %d questions", len(r.Answers), len(codes))
		}
		for q := range r.Answers {
			if a := r.Answers[q]; a < '0' || a > '5' {
				return nil, fmt.Errorf("store: response answer %q for %s is not 0..5", a, codes[q])
			}
		}
	}
	var out []InsertOutcome
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = db.insertResponses(ctx, tx, rs, questions, deviceWindow)
		if err != nil {
			return err
		}
		return db.notify(ctx, tx, ChangeResponses)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) insertResponses(ctx context.Context, tx *sqlx.Tx, rs []*parindex.Response, questions map[int64][]string, deviceWindow time.Duration) ([]InsertOutcome, error) {
	out := make([]InsertOutcome, len(rs))
	now := db.now()
	if deviceWindow > 0 {
		if err := db.flagRepeatedDevices(ctx, tx, rs, now, deviceWindow); err != nil {
			return nil, err
		}
	}
	inserted := make([]bool, len(rs))
	for start := 0; start < len(rs); start += insertChunk {
		chunk := rs[start:min(start+insertChunk, len(rs))]
		if err := db.insertResponseChunk(ctx, tx, chunk, inserted[start:]); err != nil {
			return nil, err
		}
	}
	var dupKeys []string
	for i, r := range rs {
		if !inserted[i] {
			dupKeys = append(dupKeys, r.IdempotencyKey)
		}
	}
	stored := map[string]int64{}
	for start := 0; start < len(dupKeys); start += insertChunk {
		set := db.newRows(1, "text")
		for _, k := range dupKeys[start:min(start+insertChunk, len(dupKeys))] {
			set.add(k)
		}
		in, args := set.clause()
		rows, err := tx.QueryContext(ctx, `SELECT idempotency_key, id FROM responses WHERE idempotency_key IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: unable to check duplicate responses: %w", err)
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to check duplicate responses: %w", err)
			}
			stored[k] = id
		}
		rows.Close()
	}
	for i, r := range rs {
		if inserted[i] {
			continue
		}
		if id, ok := stored[r.IdempotencyKey]; ok {
			r.ID, out[i] = id, DuplicateKey
		} else {
			out[i] = DuplicateDossier
		}
	}
	if deviceWindow > 0 {
		if err := db.noteDevices(ctx, tx, rs, inserted, now); err != nil {
			return nil, err
		}
	}
	if err := db.addCounts(ctx, tx, rs, inserted, questions); err != nil {
		return nil, err
	}
	if err := db.addSlots(ctx, tx, rs, inserted); err != nil {
		return nil, err
	}
	if err := db.addLinkCounts(ctx, tx, rs, inserted); err != nil {
		return nil, err
	}
	return out, nil
}

// repeatSince is the earliest device_seen hour that makes a response at now
// a repeat. device_seen keeps only the hour a device last answered for a
// unit, like responses.submitted_hour: a finer time could tie the device to
// one response and its comment. A device that answered within the window
// answered in the hour the window starts in or later, so every repeat within
// the window is still flagged; the price is that some repeats up to an hour
// further apart are flagged too (with ten minutes, a form at 08:01 and another
// at 09:05), never more than window + 1 h apart.
func repeatSince(now time.Time, window time.Duration) time.Time {
	return now.Add(-window).Truncate(time.Hour)
}

// flagRepeatedDevices flags responses whose device answered for the same
// unit within the window (see repeatSince), in the database or earlier in
// this batch.
func (db *DB) flagRepeatedDevices(ctx context.Context, tx *sqlx.Tx, rs []*parindex.Response, now time.Time, window time.Duration) error {
	type seenKey struct {
		device string
		unit   int64
	}
	var keys []seenKey
	seen := map[seenKey]bool{}
	for _, r := range rs {
		k := seenKey{r.DeviceKey, r.UnitID}
		if r.DeviceKey != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	clear(seen)
	for start := 0; start < len(keys); start += insertChunk {
		set := db.newRows(1, "text", "bigint")
		for _, k := range keys[start:min(start+insertChunk, len(keys))] {
			set.add(k.device, k.unit)
		}
		in, args := set.clause()
		// The whole primary key, so that the planner knows each pair
		// matches at most one row even before the table has statistics:
		// by device key alone, a table that grew from empty was scanned in
		// full for every batch (10 ms at 60,000 devices). The time is
		// compared here (a seen_at condition can lead SQLite's planner to
		// scan the time index instead).
		rows, err := tx.QueryContext(ctx, `SELECT device_key, org_unit_id, seen_at FROM device_seen
			WHERE (device_key, org_unit_id) IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("store: unable to check devices: %w", err)
		}
		for rows.Next() {
			var k seenKey
			var at timeValue
			if err := rows.Scan(&k.device, &k.unit, &at); err != nil {
				rows.Close()
				return fmt.Errorf("store: unable to check devices: %w", err)
			}
			if !at.t.Before(repeatSince(now, window)) {
				seen[k] = true
			}
		}
		rows.Close()
	}
	for _, r := range rs {
		if r.DeviceKey == "" {
			continue
		}
		k := seenKey{r.DeviceKey, r.UnitID}
		if seen[k] {
			r.Flags = appendFlag(r.Flags, parindex.FlagDuplicateDevice)
		}
		seen[k] = true
	}
	return nil
}

func (db *DB) insertResponseChunk(ctx context.Context, tx *sqlx.Tx, chunk []*parindex.Response, inserted []bool) error {
	set := db.newRows(1, "bigint", "bigint", "bigint", "timestamptz", "date", "text", "text",
		"text", "text", "text", "text", "integer", "text", "text")
	for _, r := range chunk {
		var linkID, dossier any
		if r.LinkID != 0 {
			linkID = r.LinkID
		}
		if r.DossierHash != "" {
			dossier = r.DossierHash
		}
		set.add(linkID, r.InstrumentID, r.UnitID, r.SubmittedHour.UTC(), r.Day, r.IdempotencyKey, r.DeviceHash,
			dossier, r.Answers, r.Profile, r.Comment, r.FillSeconds, strings.Join(r.Flags, ","), r.Source)
	}
	values, args := set.clause()
	rows, err := db.txQuery(ctx, tx, `
		INSERT INTO responses (link_id, instrument_id, org_unit_id, submitted_hour, day, idempotency_key, device_hash,
			dossier_hash, answers, profile, comment, fill_seconds, flags, source)
		`+values+`
		ON CONFLICT DO NOTHING RETURNING id, idempotency_key`, args...)
	if err != nil {
		return fmt.Errorf("store: unable to store responses: %w", err)
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return fmt.Errorf("store: unable to read stored response ids: %w", err)
		}
		ids[key] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to store responses: %w", err)
	}
	// Two copies of one form in a batch: the first is the stored one.
	for i, r := range chunk {
		if id, ok := ids[r.IdempotencyKey]; ok {
			r.ID, inserted[i] = id, true
			delete(ids, r.IdempotencyKey)
		}
	}
	return nil
}

// noteDevices records the hour each device last answered for each unit
// (the hour only: see repeatSince).
func (db *DB) noteDevices(ctx context.Context, tx *sqlx.Tx, rs []*parindex.Response, inserted []bool, now time.Time) error {
	hour := now.Truncate(time.Hour)
	type seenKey struct {
		device string
		unit   int64
	}
	done := map[seenKey]bool{}
	var keys []seenKey
	for i, r := range rs {
		k := seenKey{r.DeviceKey, r.UnitID}
		if !inserted[i] || r.DeviceKey == "" || done[k] {
			continue
		}
		done[k] = true
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].device != keys[j].device {
			return keys[i].device < keys[j].device
		}
		return keys[i].unit < keys[j].unit
	})
	for start := 0; start < len(keys); start += insertChunk {
		set := db.newRows(1, "text", "bigint", "timestamptz")
		for _, k := range keys[start:min(start+insertChunk, len(keys))] {
			set.add(k.device, k.unit, hour)
		}
		values, args := set.clause()
		if _, err := db.txExec(ctx, tx, `INSERT INTO device_seen (device_key, org_unit_id, seen_at) `+values+`
			ON CONFLICT (device_key, org_unit_id) DO UPDATE SET seen_at = excluded.seen_at`, args...); err != nil {
			return fmt.Errorf("store: unable to note devices: %w", err)
		}
	}
	return nil
}

// addCounts adds the batch's answers to response_counts: one row per
// instrument, unit and day (see counts.go).
func (db *DB) addCounts(ctx context.Context, tx *sqlx.Tx, rs []*parindex.Response, inserted []bool, questions map[int64][]string) error {
	type group struct {
		instrument, unit int64
		day              parindex.Date
	}
	index := map[group]int{}
	var rows []CountRow
	for i, r := range rs {
		if !inserted[i] {
			continue
		}
		g := group{r.InstrumentID, r.UnitID, r.Day}
		k, ok := index[g]
		if !ok {
			k = len(rows)
			index[g] = k
			rows = append(rows, CountRow{InstrumentID: r.InstrumentID, UnitID: r.UnitID, Day: r.Day,
				Counts: make([]int64, countSlots*len(questions[r.InstrumentID]))})
		}
		c := rows[k].Counts
		offset := 0
		if r.Flagged() {
			offset = countSlots / 2
		}
		for q := 0; q < len(r.Answers); q++ {
			c[q*countSlots+offset+int(r.Answers[q]-'0')]++
		}
	}
	return db.addCountRows(ctx, tx, rows)
}

func appendFlag(flags []string, f string) []string {
	for _, x := range flags {
		if x == f {
			return flags
		}
	}
	return append(flags, f)
}

// PurgeDevices forgets devices that no longer make a response a repeat.
func (db *DB) PurgeDevices(ctx context.Context, window time.Duration) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM device_seen WHERE seen_at < $1`, repeatSince(db.now(), window)); err != nil {
		return fmt.Errorf("store: unable to purge devices: %w", err)
	}
	return nil
}
