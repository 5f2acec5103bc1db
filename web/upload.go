package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/stats"
	"parindex/web/kit"
)

// Every import on the web (metrics, paper forms, a self-assessment workbook)
// goes in two steps: the check reads the uploaded file, stores nothing and
// shows what would change or every problem; the apply step stores the same
// file, checked again against the database as it is then. Between the two
// the file waits on the server under a random token bound to the user and
// the kind of import, so the apply step cannot be handed another file.
// (A framework upload is one step: what it stores is a draft, which is the
// check before publishing.)

// UploadedFile is the one reader of an uploaded file: the multipart file of
// form field "file", refused over limit bytes (413) before it is read, or
// when absent (400), with a message in the user's language. The name is the
// file's base name, for messages.
func (s *Server) UploadedFile(c *gin.Context, limit int64) (name string, data []byte, err error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+64<<10)
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, s.tooLarge(c, limit)
		}
		return "", nil, parindex.Errorf(parindex.ECodeInvalid, "%s", kit.T(s.Lang(c), "upload.none"))
	}
	if fh.Size > limit {
		return "", nil, s.tooLarge(c, limit)
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	// The part's size is known: one buffer of that size, not a growing one.
	data = make([]byte, fh.Size)
	if _, err := io.ReadFull(f, data); err != nil {
		return "", nil, err
	}
	return kit.CleanUploadName(fh.Filename), data, nil
}

func (s *Server) tooLarge(c *gin.Context, limit int64) error {
	lang := s.Lang(c)
	return parindex.Errorf(parindex.ECodeTooLarge, "%s", kit.T(lang, "upload.too_large", kit.Points(lang, stats.RoundHalfUp(float64(limit)/(1<<20), 2))))
}

// ImportUpload reads the file of an import's step: on the check step the
// uploaded file (form field "file"); on the apply step (form field "step"
// is "apply") the file kept by the check, named by the form's "token", and
// its name from "file_name". kind keeps imports of different kinds apart.
// The body is limited before the form is read.
func (s *Server) ImportUpload(c *gin.Context, kind string, limit int64) (kit.ImportFile, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+64<<10)
	if c.PostForm("step") != "apply" {
		name, data, err := s.UploadedFile(c, limit)
		return kit.ImportFile{Name: name, Data: data}, err
	}
	f := kit.ImportFile{Name: kit.CleanUploadName(c.PostForm("file_name")), Token: c.PostForm("token"), Apply: true}
	path, err := s.keptPath(c, kind, f.Token)
	if err == nil {
		f.Data, err = os.ReadFile(path)
	}
	if err != nil {
		return f, parindex.Errorf(parindex.ECodeInvalid, "%s", kit.T(s.Lang(c), "upload.gone"))
	}
	return f, nil
}

// Keep stores a checked file for the apply step and sets f.Token. Kept
// files older than a day are removed on the way.
func (s *Server) Keep(c *gin.Context, kind string, f *kit.ImportFile) error {
	dir := s.keptDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("web: folder of checked uploads: %w", err)
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := hex.EncodeToString(b)
	path, _ := s.keptPath(c, kind, token)
	if err := os.WriteFile(path, f.Data, 0o640); err != nil {
		return fmt.Errorf("web: keep a checked upload: %w", err)
	}
	f.Token = token
	return nil
}

// Discard removes the kept file of an applied import: a token applies once.
func (s *Server) Discard(c *gin.Context, kind string, f kit.ImportFile) {
	if path, err := s.keptPath(c, kind, f.Token); err == nil {
		os.Remove(path)
	}
}

var uploadToken = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Server) keptDir() string { return filepath.Join(s.cfg.DataDir, "tmp", "uploads") }

// keptPath names a kept file by kind, user and token, so that one user's
// token opens nothing of another's.
func (s *Server) keptPath(c *gin.Context, kind, token string) (string, error) {
	u := kit.CurrentUser(c)
	if u == nil || !uploadToken.MatchString(token) {
		return "", errors.New("web: no such kept upload")
	}
	return filepath.Join(s.keptDir(), kind+"-"+strconv.FormatInt(u.ID, 10)+"-"+token), nil
}

// importStep is what an import page shows of the step it ran: the file's
// name, its problems (the first 200 of Count, More not
// listed) or an error, and after a clean check the token of the kept file.
type importStep struct {
	File     string
	Error    string
	Problems parindex.InputErrors
	Count    int
	More     int
	Token    string
}

// importSteps runs the step of a check-then-apply import that the form
// asks for. run imports f, as a dry run unless f.Apply, and returns where
// to go once the file is applied; show renders the page with p filled. A
// file with problems shows every one with 400, and stores nothing.
func (s *Server) importSteps(c *gin.Context, kind string, limit int64, p *importStep, show func(status int), run func(f kit.ImportFile) (applied string, err error)) {
	f, err := s.ImportUpload(c, kind, limit)
	p.File = f.Name
	var applied string
	if err == nil {
		applied, err = run(f)
	}
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		p.Count, p.Problems = len(ie), kit.ShownProblems(ie)
		p.More = p.Count - len(p.Problems)
		show(http.StatusBadRequest)
	case err != nil:
		s.ShowError(c, err, func(status int, msg string) {
			p.Error = msg
			show(status)
		})
	case f.Apply:
		s.Discard(c, kind, f)
		c.Redirect(http.StatusSeeOther, applied)
	default:
		if err := s.Keep(c, kind, &f); err != nil {
			s.InternalError(c, err)
			return
		}
		p.Token = f.Token
		show(http.StatusOK)
	}
}
