package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gin-gonic/gin"
)

// Citizens answer the survey on phones, often over 3G, and a dashboard's
// first visit fetches ECharts (about 1 MB): every text the server sends is
// compressed when the client accepts it. Static assets are compressed once
// and kept (static.go); pages and JSON are compressed as they are written,
// by compressResponses.

const (
	encodingBrotli = "br"
	encodingGzip   = "gzip"

	// compressMinBytes is the smallest page or JSON answer worth
	// compressing: below it the encoding's framing and the CPU cost more
	// than the bytes saved.
	compressMinBytes = 1024

	// Pages and JSON are compressed per request, so at a level that costs
	// little CPU; static assets once, at the best level (static.go).
	dynamicBrotliQuality = 5
	dynamicGzipLevel     = gzip.DefaultCompression
)

// negotiateEncoding picks the encoding of the answer from the request's
// Accept-Encoding (RFC 9110 §12.5.3): among br and gzip, the one with the
// highest weight, br on a tie because it is smaller; "" when neither is
// acceptable. An encoding not named takes the weight of "*", if any.
func negotiateEncoding(header string) string {
	if header == "" {
		return ""
	}
	weights := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || parsed < 0 || parsed > 1 {
					parsed = 0
				}
				q = parsed
			}
		}
		weights[name] = q
	}
	weight := func(enc string) float64 {
		if q, ok := weights[enc]; ok {
			return q
		}
		if enc == encodingGzip {
			if q, ok := weights["x-gzip"]; ok {
				return q
			}
		}
		return weights["*"] // 0 when absent: not acceptable
	}
	br, gz := weight(encodingBrotli), weight(encodingGzip)
	switch {
	case br > 0 && br >= gz:
		return encodingBrotli
	case gz > 0:
		return encodingGzip
	}
	return ""
}

// addVary adds Accept-Encoding to the Vary header once: a cache between
// the server and the browser must keep one copy per encoding.
func addVary(h http.Header) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); strings.EqualFold(f, "Accept-Encoding") || f == "*" {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// compressibleType says whether pages and answers of this media type are
// compressed on the fly: HTML and JSON only. Server-Sent Events must reach
// the browser as they are written, and downloads (.xlsx is already a zip,
// CSV may be streamed) are left as their handlers write them.
func compressibleType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "text/html" || mt == "application/json" || strings.HasSuffix(mt, "+json")
}

var (
	gzipWriters   = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, dynamicGzipLevel); return w }}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(io.Discard, dynamicBrotliQuality) }}
)

// encoder is a compressing writer from one of the pools.
type encoder interface {
	io.WriteCloser
	Flush() error
	Reset(io.Writer)
}

func getEncoder(encoding string, w io.Writer) encoder {
	var e encoder
	if encoding == encodingBrotli {
		e = brotliWriters.Get().(*brotli.Writer)
	} else {
		e = gzipWriters.Get().(*gzip.Writer)
	}
	e.Reset(w)
	return e
}

func putEncoder(encoding string, e encoder) {
	e.Reset(io.Discard) // drop the reference to the response
	if encoding == encodingBrotli {
		brotliWriters.Put(e)
	} else {
		gzipWriters.Put(e)
	}
}

// compressResponses compresses HTML and JSON answers of at least
// compressMinBytes for clients that accept br or gzip. The first bytes are
// held until the answer is known to be large enough; a handler that commits
// its headers early (WriteHeaderNow) or flushes before that point is left
// uncompressed, as is any answer that already carries a Content-Encoding.
func compressResponses(c *gin.Context) {
	if c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	w := &compressWriter{ResponseWriter: c.Writer, encoding: negotiateEncoding(c.Request.Header.Get("Accept-Encoding"))}
	c.Writer = w
	c.Next()
	w.finish()
	c.Writer = w.ResponseWriter
}

type compressState int

const (
	undecided compressState = iota
	passThrough
	compressing
)

type compressWriter struct {
	gin.ResponseWriter
	encoding string // negotiated; "" when the client accepts neither
	state    compressState
	held     []byte // the first bytes, while undecided
	enc      encoder
}

// eligible says whether the answer, as its headers stand, may be
// compressed; it adds Vary whenever the answer's type is one that is.
func (w *compressWriter) eligible() bool {
	h := w.Header()
	if !compressibleType(h.Get("Content-Type")) || h.Get("Content-Encoding") != "" {
		return false
	}
	status := w.Status()
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified || status == http.StatusPartialContent {
		return false
	}
	addVary(h)
	return w.encoding != ""
}

func (w *compressWriter) Write(p []byte) (int, error) {
	switch w.state {
	case passThrough:
		return w.ResponseWriter.Write(p)
	case compressing:
		return w.enc.Write(p)
	}
	if !w.eligible() {
		w.state = passThrough
		return w.ResponseWriter.Write(p)
	}
	w.held = append(w.held, p...)
	if len(w.held) >= compressMinBytes {
		if err := w.startCompressing(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (w *compressWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *compressWriter) startCompressing() error {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", w.encoding)
	w.state = compressing
	w.enc = getEncoder(w.encoding, w.ResponseWriter)
	held := w.held
	w.held = nil
	_, err := w.enc.Write(held)
	return err
}

// release sends the held bytes as they are.
func (w *compressWriter) release() {
	w.state = passThrough
	if len(w.held) > 0 {
		held := w.held
		w.held = nil
		w.ResponseWriter.Write(held)
	}
}

// WriteHeaderNow commits the headers: a handler that does so before writing
// streams its answer (Server-Sent Events), which is then sent as written.
func (w *compressWriter) WriteHeaderNow() {
	if w.state == undecided {
		w.eligible() // Vary, for a compressible type
		w.release()
	}
	w.ResponseWriter.WriteHeaderNow()
}

func (w *compressWriter) Flush() {
	switch w.state {
	case undecided:
		w.eligible()
		w.release()
	case compressing:
		w.enc.Flush()
	}
	w.ResponseWriter.Flush()
}

// Written reports held bytes as written: the handler has answered.
func (w *compressWriter) Written() bool { return len(w.held) > 0 || w.ResponseWriter.Written() }

func (w *compressWriter) Size() int { return w.ResponseWriter.Size() + len(w.held) }

// Unwrap returns what the gin writer beneath wraps, so a handler that
// reaches for the connection's controller (live.go) finds it.
func (w *compressWriter) Unwrap() http.ResponseWriter {
	if u, ok := w.ResponseWriter.(interface{ Unwrap() http.ResponseWriter }); ok {
		return u.Unwrap()
	}
	return w.ResponseWriter
}

// finish ends the answer: held bytes (a small answer) go out as they are,
// a compressed stream is closed.
func (w *compressWriter) finish() {
	switch w.state {
	case undecided:
		w.release()
	case compressing:
		w.enc.Close()
		putEncoder(w.encoding, w.enc)
		w.enc = nil
	}
}

// compressBytes compresses data whole at the best level of the encoding:
// for static assets, once per process.
func compressBytes(encoding string, data []byte, brotliQuality int) []byte {
	var b bytes.Buffer
	var wc io.WriteCloser
	if encoding == encodingBrotli {
		wc = brotli.NewWriterLevel(&b, brotliQuality)
	} else {
		wc, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	}
	wc.Write(data) // a bytes.Buffer does not fail
	wc.Close()
	return b.Bytes()
}
