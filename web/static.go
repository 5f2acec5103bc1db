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
	"sync"

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
	// compressed holds the asset in each encoding, made on first demand
	// and kept for the life of the process; nil when the type does not
	// compress (images other than SVG and ICO).
	compressed map[string]*compressedAsset
}

// compressedAsset is an asset in one encoding, compressed once.
type compressedAsset struct {
	once sync.Once
	data []byte // nil when the encoding saves too little to be worth it
}

// staticBrotliQuality is the brotli quality for an asset of size bytes: the
// best (11) costs about 3 s on ECharts (1 MB) against 0.2 s at 9, for 9 %
// fewer bytes (272 KB against 297 KB; gzip gives 337 KB), and the first
// visitor who asks waits for it; smaller assets take the best.
func staticBrotliQuality(size int) int {
	if size > 256<<10 {
		return 9
	}
	return 11
}

// variant returns the asset in the encoding, compressing it on first
// demand; nil when it is better sent as it is.
func (f staticFile) variant(encoding string) []byte {
	v := f.compressed[encoding]
	if v == nil {
		return nil
	}
	v.once.Do(func() {
		data := compressBytes(encoding, f.data, staticBrotliQuality(len(f.data)))
		// Under a tenth saved is not worth a decompression.
		if len(data) < len(f.data)*9/10 {
			v.data = data
		}
	})
	return v.data
}

// compressibleAsset says whether an asset of this type shrinks when
// compressed: text (CSS, JavaScript, SVG, JSON) and ICO, not PNG or JPEG.
func compressibleAsset(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return strings.HasPrefix(mt, "text/") || mt == "application/javascript" || mt == "application/json" ||
		mt == "image/svg+xml" || mt == "image/x-icon" || mt == "image/vnd.microsoft.icon"
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
		if ext == ".ico" {
			ct = "image/x-icon" // the system's MIME table may not know it, or name it otherwise
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		f := staticFile{data: data, contentType: ct}
		if compressibleAsset(ct) {
			f.compressed = map[string]*compressedAsset{encodingBrotli: {}, encodingGzip: {}}
		}
		a.byURL[url] = f
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
	f.send(c, "public, max-age=31536000, immutable")
}

// rootIcons are the icons browsers ask for at fixed addresses, whatever the
// page links: /favicon.ico (every browser, and the survey's phones) and the
// touch icons of iOS.
var rootIcons = map[string]string{
	"/favicon.ico":                      "favicon.ico",
	"/apple-touch-icon.png":             "apple-touch-icon.png",
	"/apple-touch-icon-precomposed.png": "apple-touch-icon.png",
}

// serveRootIcon answers a rootIcons address. Its URL carries no hash, so it
// is cached for a day, not forever: a new icon reaches browsers.
func (a *assets) serveRootIcon(c *gin.Context) {
	f := a.byURL[a.urlFor[rootIcons[c.Request.URL.Path]]]
	f.send(c, "public, max-age=86400")
}

// send answers with the asset, compressed when the type gains from it and
// the client accepts an encoding.
func (f staticFile) send(c *gin.Context, cacheControl string) {
	c.Header("Cache-Control", cacheControl)
	data := f.data
	if f.compressed != nil {
		addVary(c.Writer.Header())
		if enc := negotiateEncoding(c.GetHeader("Accept-Encoding")); enc != "" {
			if v := f.variant(enc); v != nil {
				c.Header("Content-Encoding", enc)
				data = v
			}
		}
	}
	c.Data(http.StatusOK, f.contentType, data)
}

// EChartsEmbedded says whether this build carries ECharts (make
// vendor-echarts before building); without it the dashboards show their
// tables only.
func EChartsEmbedded() bool {
	_, err := fs.Stat(staticFS, "static/vendor/echarts.min.js")
	return err == nil
}
