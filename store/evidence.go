package store

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/assessment"
)

// Evidence files (tài liệu kiểm chứng): the bytes are written once per
// content under DIR/evidence/ab/abcdef… (the SHA-256 in hex), the metadata
// and who may see it live in evidence_files. A file written whose
// transaction then fails stays as an unreferenced blob: harmless, and
// cheaper than a two-phase write. A writer that knows no data directory
// (the demo seeds a database, not a server) passes "" and the bytes go in
// the row itself.

// DefaultMaxEvidenceSize is the default limit of one evidence file.
const DefaultMaxEvidenceSize = 20 << 20

// Evidence content types accepted, decided from the content, never the name.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeOLE  = "application/x-ole-storage" // .doc, .xls, .ppt of Office 97–2003
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	TypeODP  = "application/vnd.oasis.opendocument.presentation"
)

// oleMagic opens every Compound File Binary (Office 97–2003 documents).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// DetectEvidenceType names the type of an evidence file from its bytes:
// PDF, JPEG, PNG, GIF, WebP, Word/Excel/PowerPoint (2007 and later, and
// 97–2003), OpenDocument text, spreadsheet and presentation. Anything else,
// whatever its name says, is refused with a message listing what is
// accepted; so is an empty file.
func DetectEvidenceType(data []byte) (string, error) {
	if len(data) == 0 {
		return "", parindex.Errorf(parindex.ECodeInvalid, "Tệp trống, không có nội dung (the file is empty)")
	}
	if bytes.HasPrefix(data, oleMagic) {
		return TypeOLE, nil
	}
	sniffed := http.DetectContentType(data)
	switch base, _, _ := strings.Cut(sniffed, ";"); base {
	case TypePDF, TypeJPEG, TypePNG, TypeGIF, TypeWebP:
		return base, nil
	case "application/zip":
		if t := officeZipType(data); t != "" {
			return t, nil
		}
	}
	return "", parindex.Errorf(parindex.ECodeInvalid,
		"Loại tệp không được nhận (nội dung là %s); chỉ nhận PDF, ảnh (JPEG, PNG, GIF, WebP), Word, Excel, PowerPoint và OpenDocument "+
			"(file type refused: the content is %s; accepted: PDF, images, Office and OpenDocument files)", sniffed, sniffed)
}

// officeZipType recognises the zip-based office formats by what the
// archive holds: OOXML by its main part, OpenDocument by its mimetype entry.
func officeZipType(data []byte) string {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	has := map[string]*zip.File{}
	for _, f := range z.File {
		has[f.Name] = f
	}
	if has["[Content_Types].xml"] != nil {
		switch {
		case has["word/document.xml"] != nil:
			return TypeDOCX
		case has["xl/workbook.xml"] != nil:
			return TypeXLSX
		case has["ppt/presentation.xml"] != nil:
			return TypePPTX
		}
	}
	if mt := has["mimetype"]; mt != nil && mt.UncompressedSize64 < 100 {
		r, err := mt.Open()
		if err != nil {
			return ""
		}
		defer r.Close()
		var buf [100]byte
		n, _ := r.Read(buf[:])
		switch strings.TrimSpace(string(buf[:n])) {
		case TypeODT:
			return TypeODT
		case TypeODS:
			return TypeODS
		case TypeODP:
			return TypeODP
		}
	}
	return ""
}

// evidencePath is where the bytes of a file with this hash live.
func evidencePath(dir, sum string) string {
	return filepath.Join(dir, "evidence", sum[:2], sum)
}

// writeBlob stores data under its hash, once: a file already there is
// the same content. It writes to a temporary name first so that a reader
// never sees half a file.
func writeBlob(dir, sum string, data []byte) error {
	path := evidencePath(dir, sum)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("store: unable to create the evidence folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("store: unable to write an evidence file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("store: unable to write an evidence file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("store: unable to write an evidence file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: unable to write an evidence file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store: unable to store an evidence file: %w", err)
	}
	return nil
}

// cleanFileName keeps a readable base name of an uploaded file.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		return "tai-lieu"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// evidenceAudit is the audited form of an evidence file.
type evidenceAudit struct {
	Node   string `json:"node"`
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Type   string `json:"content_type"`
}

// AddEvidence stores an evidence file of a leaf: its type is checked from
// the content (DetectEvidenceType), its bytes written under dir by SHA-256,
// its metadata recorded and audited. The agency adds evidence while it may
// edit its scores (draft) or explain (explanation stage), not after its
// deadline. maxSize bounds the file (0: DefaultMaxEvidenceSize). With dir
// "" the bytes are kept in the database instead.
func (db *DB) AddEvidence(ctx context.Context, actor parindex.Actor, ref assessment.Ref, node, name string, data []byte, dir string, maxSize int64) (*assessment.Evidence, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxEvidenceSize
	}
	if int64(len(data)) > maxSize {
		return nil, assessment.TooLargeError(maxSize)
	}
	contentType, err := DetectEvidenceType(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	ev := &assessment.Evidence{Node: node, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), ContentType: contentType,
		Name: cleanFileName(name), UploadedBy: actor.Name}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := a.CheckEvidence(f, node); err != nil {
			return err
		}
		var content any
		if dir == "" {
			content = data
		} else if err := writeBlob(dir, ev.SHA256, data); err != nil {
			return err
		}
		now := db.now()
		if err := db.ensureStored(ctx, tx, a, rec, now); err != nil {
			return err
		}
		ev.UploadedAt = now
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO evidence_files (assessment_id, node_code, sha256, size, content_type, file_name, uploaded_at, uploaded_by, content)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			a.ID, node, ev.SHA256, ev.Size, ev.ContentType, ev.Name, now, actor.Name, content).Scan(&ev.ID); err != nil {
			return fmt.Errorf("store: unable to record an evidence file: %w", err)
		}
		if err := writeAudit(ctx, tx, now, actor, "evidence.add", "assessment", ref.ObjectID(), nil,
			evidenceAudit{node, ev.ID, ev.Name, ev.SHA256, ev.Size, ev.ContentType}, ""); err != nil {
			return err
		}
		return db.touch(ctx, tx, a, now)
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// RemoveEvidence withdraws an evidence file of the assessment, audited;
// the record stays (removed), and so do the bytes. Allowed when adding is.
func (db *DB) RemoveEvidence(ctx context.Context, actor parindex.Actor, ref assessment.Ref, id int64, reason string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, _, _, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := a.CheckEvidenceChange(); err != nil {
			return err
		}
		var ev *assessment.Evidence
		for _, list := range a.Evidence {
			for _, e := range list {
				if e.ID == id {
					ev = e
				}
			}
		}
		if ev == nil {
			return parindex.Errorf(parindex.ECodeNotFound, "Không có tài liệu này (no such evidence file)")
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE evidence_files SET removed_at = $1, removed_by = $2 WHERE id = $3`, now, actor.Name, id); err != nil {
			return fmt.Errorf("store: unable to remove evidence file %d: %w", id, err)
		}
		if err := writeAudit(ctx, tx, now, actor, "evidence.remove", "assessment", ref.ObjectID(),
			evidenceAudit{ev.Node, ev.ID, ev.Name, ev.SHA256, ev.Size, ev.ContentType}, nil, reason); err != nil {
			return err
		}
		return db.touch(ctx, tx, a, now)
	})
}

// EvidenceFile returns an evidence file's metadata and the assessment it
// belongs to, so that the caller can decide who may download it. A removed
// file is not found.
func (db *DB) EvidenceFile(ctx context.Context, id int64) (*assessment.Evidence, assessment.Ref, error) {
	ev := &assessment.Evidence{ID: id}
	var ref assessment.Ref
	err := db.db.QueryRowContext(ctx, `
		SELECT e.node_code, e.sha256, e.size, e.content_type, e.file_name, e.uploaded_at, e.uploaded_by, f.code, u.code
		FROM evidence_files e
		JOIN assessments a ON a.id = e.assessment_id
		JOIN frameworks f ON f.id = a.framework_id
		JOIN org_units u ON u.id = a.org_unit_id
		WHERE e.id = $1 AND e.removed_at IS NULL`, id).Scan(&ev.Node, &ev.SHA256, &ev.Size, &ev.ContentType, &ev.Name,
		&ev.UploadedAt, &ev.UploadedBy, &ref.Framework, &ref.Unit)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ref, parindex.Errorf(parindex.ECodeNotFound, "Không có tài liệu này (no such evidence file)")
	}
	if err != nil {
		return nil, ref, fmt.Errorf("store: unable to read evidence file %d: %w", id, err)
	}
	return ev, ref, nil
}

// OpenEvidence opens the bytes of an evidence file: from its row when they
// were kept in the database, else from under dir.
func (db *DB) OpenEvidence(ctx context.Context, dir string, ev *assessment.Evidence) (io.ReadCloser, error) {
	var content []byte
	if err := db.db.QueryRowContext(ctx, `SELECT content FROM evidence_files WHERE id = $1`, ev.ID).Scan(&content); err != nil {
		return nil, fmt.Errorf("store: unable to read evidence file %d: %w", ev.ID, err)
	}
	if content != nil {
		return io.NopCloser(bytes.NewReader(content)), nil
	}
	if len(ev.SHA256) != 64 || strings.Trim(ev.SHA256, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("store: evidence %d has a malformed hash", ev.ID)
	}
	f, err := os.Open(evidencePath(dir, ev.SHA256))
	if err != nil {
		return nil, fmt.Errorf("store: unable to open evidence file %d: %w", ev.ID, err)
	}
	return f, nil
}
