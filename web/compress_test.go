package web_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"parindex/store/storetest"
)

// rawGet fetches a URL with the given Accept-Encoding and no transparent
// decompression, returning the bytes as sent and the decoded body.
func rawGet(t *testing.T, url, acceptEncoding string) (resp *http.Response, wire, decoded []byte) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wire, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader
	switch enc := resp.Header.Get("Content-Encoding"); enc {
	case "":
		return resp, wire, wire
	case "gzip":
		if r, err = gzip.NewReader(bytes.NewReader(wire)); err != nil {
			t.Fatalf("%s: gzip: %v", url, err)
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(wire))
	default:
		t.Fatalf("%s: Content-Encoding %q", url, enc)
	}
	if decoded, err = io.ReadAll(r); err != nil {
		t.Fatalf("%s: decoding %s: %v", url, resp.Header.Get("Content-Encoding"), err)
	}
	return resp, wire, decoded
}

func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		if strings.Contains(strings.ToLower(v), "accept-encoding") {
			return true
		}
	}
	return false
}

// perRequest matches what differs between two renderings of the survey
// form: the CSP nonce and the form's key and time.
var perRequest = regexp.MustCompile(`nonce="[^"]*"|name="(k|ts)" value="[^"]*"`)

// Every text the server sends is compressed for a client that accepts it,
// and equals the plain answer once decoded: static assets (kept compressed,
// cached forever under their hashed URL), pages and JSON. The citizen's
// form fits a phone's 3G budget and ECharts its bound.
func TestCompression(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ts := newTestServer(t, db)
	withSurvey(t, ts)
	formURL := ts.URL + "/s/" + mustLink(t, db, "SNV", "Quầy 1").Token

	_, _, loginPage := rawGet(t, ts.URL+"/login", "")
	css := regexp.MustCompile(`/static/app\.[0-9a-f]{12}\.css`).Find(loginPage)
	if css == nil {
		t.Fatalf("the login page links no stylesheet:\n%s", loginPage)
	}
	targets := []struct {
		name, url  string
		static     bool
		normalise  bool
		maxEncoded int // 0: no bound
	}{
		{name: "survey form", url: formURL, normalise: true, maxEncoded: 6000},
		{name: "openapi.json", url: ts.URL + "/api/v1/openapi.json"},
		{name: "stylesheet", url: ts.URL + string(css), static: true},
	}
	if echarts, err := os.ReadFile("static/vendor/echarts.min.js"); err == nil {
		// Its URL carries the first 12 hex digits of its SHA-256 (static.go).
		sum := sha256.Sum256(echarts)
		targets = append(targets, struct {
			name, url  string
			static     bool
			normalise  bool
			maxEncoded int
		}{name: "ECharts", url: ts.URL + "/static/vendor/echarts.min." + hex.EncodeToString(sum[:])[:12] + ".js", static: true, maxEncoded: 350_000})
	} else {
		t.Log("ECharts is not vendored (make vendor-echarts): its bound is not checked")
	}

	for _, target := range targets {
		t.Run(target.name, func(t *testing.T) {
			plainResp, _, plain := rawGet(t, target.url, "")
			if plainResp.StatusCode != http.StatusOK || plainResp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("without Accept-Encoding: %d, Content-Encoding %q", plainResp.StatusCode, plainResp.Header.Get("Content-Encoding"))
			}
			if !varies(plainResp.Header) {
				t.Errorf("the plain answer lacks Vary: Accept-Encoding (%q)", plainResp.Header.Values("Vary"))
			}
			if target.normalise {
				plain = perRequest.ReplaceAll(plain, nil)
			}
			for _, tc := range []struct{ accept, want string }{
				{"gzip", "gzip"},
				{"br", "br"},
				{"gzip, deflate, br, zstd", "br"}, // what phones' browsers send
				{"br;q=0.5, gzip", "gzip"},
				{"gzip;q=0, identity", ""},
			} {
				resp, wire, decoded := rawGet(t, target.url, tc.accept)
				if got := resp.Header.Get("Content-Encoding"); got != tc.want {
					t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
				}
				if !varies(resp.Header) {
					t.Errorf("Accept-Encoding %q: no Vary: Accept-Encoding", tc.accept)
				}
				if target.static && resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
					t.Errorf("Accept-Encoding %q: Cache-Control %q", tc.accept, resp.Header.Get("Cache-Control"))
				}
				if target.normalise {
					decoded = perRequest.ReplaceAll(decoded, nil)
				}
				if !bytes.Equal(decoded, plain) {
					t.Errorf("Accept-Encoding %q: the decoded body (%d bytes) differs from the plain one (%d)", tc.accept, len(decoded), len(plain))
				}
				if tc.want != "" {
					t.Logf("%s: %d bytes plain, %d in %s", target.name, len(plain), len(wire), tc.want)
					if target.maxEncoded > 0 && len(wire) >= target.maxEncoded {
						t.Errorf("%s in %s: %d bytes, want under %d", target.name, tc.want, len(wire), target.maxEncoded)
					}
				}
			}
		})
	}

	// A small answer is sent as it is: below 1 KiB compression saves nothing.
	if resp, _, body := rawGet(t, ts.URL+"/healthz", "gzip"); resp.Header.Get("Content-Encoding") != "" || string(body) != "ok\n" {
		t.Errorf("/healthz with gzip: Content-Encoding %q, body %q", resp.Header.Get("Content-Encoding"), body)
	}
}
