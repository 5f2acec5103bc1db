package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded asset, served under a URL that contains a hash of
// its content: the URL changes when the content does, so browsers may cache it
// forever and an intranet without internet needs nothing else.
type staticFile struct {
	data        []byte
	contentType string
}

type assets struct {
	byURL  map[string]staticFile // "/static/app.3f2a9c1b.css" → file
	urlFor map[string]string     // "app.css" → "/static/app.3f2a9c1b.css"
}

func loadAssets() (*assets, error) {
	a := &assets{byURL: map[string]staticFile{}, urlFor: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		url := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byURL[url] = staticFile{data: data, contentType: ct}
		a.urlFor[name] = url
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: unable to load static assets: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of an asset; templates call it as {{asset "app.css"}}.
// An unknown name is a programming error caught when templates are checked.
func (a *assets) URL(name string) (string, error) {
	u, ok := a.urlFor[name]
	if !ok {
		return "", fmt.Errorf("web: no static asset %q", name)
	}
	return u, nil
}

func (a *assets) serve(c *gin.Context) {
	f, ok := a.byURL[c.Request.URL.Path]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, f.contentType, f.data)
}
