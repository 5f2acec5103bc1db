package web_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"net/http"
	"regexp"
	"testing"

	"parindex/store/storetest"
)

// Browsers ask every page's /favicon.ico, and iOS its touch icon: both
// answer with the embedded icons, and the pages link them under hashed URLs.
func TestIcons(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	for path, contentType := range map[string]string{
		"/favicon.ico":                      "image/x-icon",
		"/apple-touch-icon.png":             "image/png",
		"/apple-touch-icon-precomposed.png": "image/png",
	} {
		r := c.get(path)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != contentType {
			t.Errorf("%s = %d %q, want 200 %q", path, r.Status, r.Header.Get("Content-Type"), contentType)
		}
	}

	// The favicon is an icon directory (reserved 0, type 1) of PNG images.
	ico := []byte(c.get("/favicon.ico").Body)
	if len(ico) < 6 || binary.LittleEndian.Uint16(ico[0:]) != 0 || binary.LittleEndian.Uint16(ico[2:]) != 1 || binary.LittleEndian.Uint16(ico[4:]) == 0 {
		t.Errorf("/favicon.ico is not an icon file (%d bytes)", len(ico))
	}
	touch, err := png.Decode(bytes.NewReader([]byte(c.get("/apple-touch-icon.png").Body)))
	if err != nil || touch.Bounds().Dx() != 180 || touch.Bounds().Dy() != 180 {
		t.Errorf("apple-touch-icon: %v, %v; want a 180×180 PNG", err, touch.Bounds())
	}

	page := c.get("/login").Body
	for _, link := range []*regexp.Regexp{
		regexp.MustCompile(`<link rel="icon" href="(/static/favicon\.[0-9a-f]{12}\.ico)"`),
		regexp.MustCompile(`<link rel="apple-touch-icon" href="(/static/apple-touch-icon\.[0-9a-f]{12}\.png)"`),
	} {
		m := link.FindStringSubmatch(page)
		if m == nil {
			t.Errorf("the login page lacks %s", link)
			continue
		}
		if r := c.get(m[1]); r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s = %d, Cache-Control %q", m[1], r.Status, r.Header.Get("Cache-Control"))
		}
	}
}
