package survey

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"parindex"
	"parindex/i18n"
	"parindex/store"
)

//go:embed templates/*.html templates/form.css
var formFS embed.FS

// Options tune the public form.
type Options struct {
	SecretKey     []byte
	SecureCookies bool    // BASE_URL is https
	IPPerMinute   float64 // submissions per client address per minute (0: 30)
	LinkPerMinute float64 // submissions per QR link per minute (0: 600)
	// Servers is the number of server processes behind the load balancer
	// (0: 1); each allows its share of the limits above, so that together
	// they never allow more (docs/architecture.md, "Several servers").
	Servers      int
	SpeederFloor time.Duration // seconds per answered question under which a form is "speeder" (0: 2 s)
	// LinkCacheTTL is how long a link lookup is reused when no change is
	// told (ForgetLinks); revocation takes effect within it at the latest.
	LinkCacheTTL time.Duration
	MaxBody      int64 // bytes (0: 64 KiB)
	Now          func() time.Time
	Log          *slog.Logger
}

// Handler serves the public survey form at /s/{token}.
type Handler struct {
	db        *store.DB
	ing       *Ingester
	opts      Options
	pages     map[string]*template.Template
	css       []byte
	cssURL    string
	formKey   []byte // signs the render time
	deviceKey []byte // hashes the device cookie stored with a response
	seenKey   []byte // hashes the device cookie for the repeat check
	dossKey   []byte // hashes dossier codes

	// thanks is the thank-you page by language, rendered once: it is the
	// same for every citizen, and rendering it per response cost as much
	// CPU as storing the response.
	thanks map[string][]byte

	linksMu sync.Mutex
	links   map[string]cachedLink
	// forgotten counts the calls of ForgetLinks: a lookup that began
	// before one is not kept.
	forgotten uint64
	ipLim     *limiters
	linkLim   *limiters
}

type cachedLink struct {
	link *parindex.SurveyLink
	at   time.Time
}

// DeviceCookie is the name of the random, anonymous device cookie.
const DeviceCookie = "parindex_device"

// deriveKey makes one key per purpose from the secret, so a leak of one
// keyed hash says nothing about the others.
func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("parindex/" + purpose))
	return m.Sum(nil)
}

// keyedHash is the hex of the first 16 bytes of the HMAC of the parts
// joined by NUL bytes. Stored hashes depend on it byte for byte.
func keyedHash(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	for i, part := range parts {
		if i > 0 {
			m.Write(nul)
		}
		m.Write([]byte(part))
	}
	var out [32]byte
	hex.Encode(out[:], m.Sum(nil)[:16])
	return string(out[:])
}

// nul separates the parts of a keyed hash; the hash only reads it.
var nul = []byte{0}

// NewHandler prepares the form's templates and keys.
func NewHandler(db *store.DB, ing *Ingester, opts Options) (*Handler, error) {
	if len(opts.SecretKey) < 32 {
		return nil, errors.New("survey: the secret key must have at least 32 bytes")
	}
	if opts.IPPerMinute == 0 {
		opts.IPPerMinute = 30
	}
	if opts.LinkPerMinute == 0 {
		opts.LinkPerMinute = 600
	}
	if opts.Servers < 1 {
		opts.Servers = 1
	}
	if opts.SpeederFloor == 0 {
		opts.SpeederFloor = 2 * time.Second
	}
	if opts.MaxBody == 0 {
		opts.MaxBody = 64 << 10
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	h := &Handler{db: db, ing: ing, opts: opts, pages: map[string]*template.Template{}, links: map[string]cachedLink{},
		formKey: deriveKey(opts.SecretKey, "survey-form"), deviceKey: deriveKey(opts.SecretKey, "survey-device"),
		seenKey: deriveKey(opts.SecretKey, "survey-device-seen"), dossKey: deriveKey(opts.SecretKey, "survey-dossier"),
		ipLim: newLimiters(opts.IPPerMinute, opts.Servers), linkLim: newLimiters(opts.LinkPerMinute, opts.Servers)}
	for _, page := range []string{"form", "message"} {
		t, err := template.ParseFS(formFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("survey: template %s: %w", page, err)
		}
		h.pages[page] = t
	}
	css, err := formFS.ReadFile("templates/form.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	h.css, h.cssURL = css, "/s/static/form."+hex.EncodeToString(sum[:])[:12]+".css"
	h.thanks = map[string][]byte{}
	for _, lang := range []string{i18n.VI, i18n.EN} {
		tr := func(k string, args ...any) string { return i18n.T(lang, k, args...) }
		var buf bytes.Buffer
		if err := h.pages["message"].Execute(&buf, messagePage{texts: texts{lang}, Title: tr("form.thanks"), CSS: h.cssURL, Message: tr("form.thanks_body")}); err != nil {
			return nil, fmt.Errorf("survey: thank-you page: %w", err)
		}
		h.thanks[lang] = buf.Bytes()
	}
	return h, nil
}

// Routes mounts the public form on r.
func (h *Handler) Routes(r gin.IRoutes) {
	r.GET(h.cssURL, h.stylesheet)
	r.GET("/s/:token", h.Form)
	r.POST("/s/:token", h.Submit)
}

func (h *Handler) stylesheet(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, "text/css; charset=utf-8", h.css)
}

// link returns the active link for the token, reusing recent lookups.
func (h *Handler) link(ctx context.Context, token string) (*parindex.SurveyLink, error) {
	now := h.opts.Now()
	h.linksMu.Lock()
	cl, ok := h.links[token]
	forgotten := h.forgotten
	h.linksMu.Unlock()
	if ok && now.Sub(cl.at) < h.opts.LinkCacheTTL {
		return cl.link, nil
	}
	l, err := h.db.LinkByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	h.linksMu.Lock()
	if len(h.links) > 10000 {
		h.links = map[string]cachedLink{}
	}
	if h.forgotten == forgotten { // else it may predate the change
		h.links[token] = cachedLink{l, now}
	}
	h.linksMu.Unlock()
	return l, nil
}

// ForgetLinks drops every cached link lookup, so the next form of each
// link reads it again: the server calls it when told that a link changed
// (revoked, on this server or another; store.ChangeLinks).
func (h *Handler) ForgetLinks() {
	h.linksMu.Lock()
	defer h.linksMu.Unlock()
	h.forgotten++
	clear(h.links)
}

// page data

// texts gives templates {{.T "key"}} in the page's language.
type texts struct{ Lang string }

func (x texts) T(key string, args ...any) string { return i18n.T(x.Lang, key, args...) }

type formPage struct {
	texts
	OtherLang, Title, CSS string
	UnitName, Counter     string
	Action, LangURL       string
	Key, Stamp            string
	Scale                 []labelled
	NA                    string
	Elements              []elementView
	Profile               []profileView
	Comment               *commentView
	Dossier               string
	Errors                []formError
}

type labelled struct {
	Value int
	Label string
}

type elementView struct {
	Name      string
	Questions []questionView
}

type questionView struct {
	Code, Text string
	Value      int // -1: none chosen
	Error      bool
}

type choiceView struct{ Code, Label string }

type profileView struct {
	Code, Text, Value string
	Choices           []choiceView
	Error             bool
}

type commentView struct {
	Label, Value, MaxText string
	Max                   int
}

type formError struct{ Anchor, Message string }

type messagePage struct {
	texts
	Title, CSS, Message, Retry string
}

func pick(t Text, lang string) string {
	if lang == i18n.EN && t.EN != "" {
		return t.EN
	}
	return t.VI
}

func (h *Handler) render(c *gin.Context, status int, page string, data any) {
	var buf bytes.Buffer
	if err := h.pages[page].Execute(&buf, data); err != nil {
		h.opts.Log.Error("survey: render", slog.String("page", page), slog.String("error", err.Error()))
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Lỗi hệ thống (internal error)"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (h *Handler) message(c *gin.Context, status int, lang, key, retry string) {
	tr := func(k string, args ...any) string { return i18n.T(lang, k, args...) }
	h.render(c, status, "message", messagePage{texts: texts{lang}, Title: tr("form.title"), CSS: h.cssURL, Message: tr(key), Retry: retry})
}

// linkError answers an unknown token (404) or a link that cannot be read
// right now (503, the database is down). retry is the form's address when
// the page was being opened (the citizen reloads it) and empty when a form
// was being sent (the browser's back button keeps the answers to resend).
func (h *Handler) linkError(c *gin.Context, lang string, err error, retry string) {
	if parindex.ErrorCode(err) == parindex.ECodeNotFound {
		h.message(c, http.StatusNotFound, lang, "form.not_found", "")
		return
	}
	h.opts.Log.Error("survey: link lookup", slog.String("error", err.Error()))
	// Tell the phone when to come back, as Submit does when it cannot store.
	c.Header("Retry-After", "5")
	key := "form.unavailable"
	if retry != "" {
		key = "form.unavailable_open"
	}
	h.message(c, http.StatusServiceUnavailable, lang, key, retry)
}

// Form shows the questionnaire of a QR link.
func (h *Handler) Form(c *gin.Context) {
	lang := i18n.Lang(c.Query("lang"))
	token := c.Param("token")
	l, err := h.link(c.Request.Context(), token)
	if err != nil {
		h.linkError(c, lang, err, "/s/"+token)
		return
	}
	if !l.Active(h.opts.Now()) {
		h.message(c, http.StatusGone, lang, "form.closed", "")
		return
	}
	in, err := h.ing.questions.get(c.Request.Context(), l.InstrumentID)
	if err != nil {
		h.linkError(c, lang, err, "/s/"+token)
		return
	}
	h.ensureDevice(c)
	key := randomToken(16)
	h.render(c, http.StatusOK, "form", h.formPage(l, in, lang, key, h.stamp(l.Token, key, h.opts.Now()), nil))
}

// formPage builds the page; answers (may be nil) refill what was sent.
func (h *Handler) formPage(l *parindex.SurveyLink, in *Instrument, lang, key, stamp string, sent *submission) *formPage {
	tr := func(k string, args ...any) string { return i18n.T(lang, k, args...) }
	other := i18n.EN
	if lang == i18n.EN {
		other = i18n.VI
	}
	p := &formPage{texts: texts{lang}, OtherLang: other, Title: tr("form.title"), CSS: h.cssURL, UnitName: l.UnitName, Counter: l.CounterLabel,
		Action: "/s/" + l.Token, LangURL: "/s/" + l.Token + "?lang=" + other, Key: key, Stamp: stamp}
	for _, s := range in.Scale {
		p.Scale = append(p.Scale, labelled{s.Value, pick(s.Label, lang)})
	}
	if in.NotApplicable != nil {
		p.NA = pick(in.NotApplicable.Label, lang)
	}
	for _, e := range in.Elements {
		ev := elementView{Name: pick(e.Name, lang)}
		for _, q := range e.Questions {
			qv := questionView{Code: q.Code, Text: pick(q.Text, lang), Value: -1}
			if sent != nil {
				if v, ok := sent.answers[q.Code]; ok {
					qv.Value = v
				}
				qv.Error = sent.bad["q-"+q.Code]
			}
			ev.Questions = append(ev.Questions, qv)
		}
		p.Elements = append(p.Elements, ev)
	}
	for _, pq := range in.Profile {
		pv := profileView{Code: pq.Code, Text: pick(pq.Text, lang)}
		for _, ch := range pq.Choices {
			pv.Choices = append(pv.Choices, choiceView{ch.Code, pick(ch.Label, lang)})
		}
		if sent != nil {
			pv.Value, pv.Error = sent.profile[pq.Code], sent.bad["p-"+pq.Code]
		}
		p.Profile = append(p.Profile, pv)
	}
	if in.Comment != nil {
		p.Comment = &commentView{Label: pick(in.Comment.Label, lang), Max: in.Comment.MaxLength, MaxText: i18n.N(lang, "form.comment_max", in.Comment.MaxLength)}
		if sent != nil {
			p.Comment.Value = sent.comment
		}
	}
	if sent != nil {
		p.Dossier, p.Errors = sent.dossier, sent.errors
	}
	return p
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("survey: no randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// stamp signs the render time with the link and idempotency key, so the
// fill time cannot be forged and a stamp cannot move to another form.
func (h *Handler) stamp(token, key string, t time.Time) string {
	ms := strconv.FormatInt(t.UnixMilli(), 10)
	return ms + "." + stampSig(h.formKey, token, key, ms)
}

func (h *Handler) stampSig(token, key, ms string) string { return stampSig(h.formKey, token, key, ms) }

func stampSig(formKey []byte, token, key, ms string) string {
	m := hmac.New(sha256.New, formKey)
	m.Write([]byte(token + "|" + key + "|" + ms))
	var out [22]byte // 16 bytes in unpadded base64
	base64.RawURLEncoding.Encode(out[:], m.Sum(nil)[:16])
	return string(out[:])
}

// FormFields returns the hidden fields a form rendered at t would carry: a
// fresh idempotency key and the signed render time. The load generator uses
// it to post forms without fetching each one first.
func FormFields(secret []byte, token string, t time.Time) (key, stamp string) {
	key = randomToken(16)
	ms := strconv.FormatInt(t.UnixMilli(), 10)
	return key, ms + "." + stampSig(deriveKey(secret, "survey-form"), token, key, ms)
}

// renderedAt checks a stamp and returns the render time.
func (h *Handler) renderedAt(token, key, stamp string) (time.Time, bool) {
	ms, sig, ok := strings.Cut(stamp, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(h.stampSig(token, key, ms))) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(n), true
}

// ensureDevice gives the browser a random device cookie; it identifies a
// phone only as "the same as before", never a person.
func (h *Handler) ensureDevice(c *gin.Context) string {
	if v, err := c.Cookie(DeviceCookie); err == nil && len(v) >= 16 && len(v) <= 64 {
		return v
	}
	v := randomToken(16)
	http.SetCookie(c.Writer, &http.Cookie{Name: DeviceCookie, Value: v, Path: "/s/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	return v
}

var (
	keyPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	dossierPattern = regexp.MustCompile(`^[\pL\pN./_-]{1,50}$`)
)

// commentText normalises a comment: Windows line ends become \n, and NUL
// bytes, which nobody types but PostgreSQL refuses in text (the response
// could then never be stored), are dropped. (Files drop them in tabular.)
var commentText = strings.NewReplacer("\r\n", "\n", "\x00", "")

// submission is a parsed and checked form.
type submission struct {
	answers  map[string]int
	profile  map[string]string
	comment  string
	dossier  string
	honeypot bool
	errors   []formError
	bad      map[string]bool // anchors of errors; nil when there are none
}

func (s *submission) fail(anchor, msg string) {
	s.errors = append(s.errors, formError{anchor, msg})
	if s.bad == nil {
		s.bad = map[string]bool{}
	}
	s.bad[anchor] = true
}

// parse reads the answers; every problem is listed once, in form order.
func parse(in *Instrument, form url.Values, lang string) *submission {
	tr := func(k string, args ...any) string { return i18n.T(lang, k, args...) }
	qs := in.Questions()
	s := &submission{answers: make(map[string]int, len(qs)), profile: make(map[string]string, len(in.Profile))}
	for _, q := range qs {
		raw := strings.TrimSpace(form.Get(q.Code))
		if raw == "" {
			s.fail("q-"+q.Code, tr("form.unanswered", q.Code))
			continue
		}
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 || v > ScaleLevels || (v == 0 && in.NotApplicable == nil) {
			s.fail("q-"+q.Code, tr("form.invalid_answer", q.Code))
			continue
		}
		s.answers[q.Code] = v
	}
	for _, p := range in.Profile {
		v := strings.TrimSpace(form.Get("p_" + p.Code))
		if v == "" {
			continue
		}
		ok := false
		for _, ch := range p.Choices {
			ok = ok || ch.Code == v
		}
		if !ok {
			s.fail("p-"+p.Code, tr("form.invalid_choice", pick(p.Text, lang)))
			continue
		}
		s.profile[p.Code] = v
	}
	s.comment = form.Get("comment")
	if strings.ContainsAny(s.comment, "\r\x00") { // Replace copies even when nothing matches
		s.comment = commentText.Replace(s.comment)
	}
	s.comment = strings.TrimSpace(s.comment)
	switch {
	case in.Comment == nil:
		s.comment = ""
	case !utf8.ValidString(s.comment):
		// No browser sends this; a client that does gets its text back with
		// the bad bytes shown, to see what to correct.
		s.fail("comment", tr("form.comment_invalid"))
		s.comment = strings.ToValidUTF8(s.comment, "\uFFFD")
	case utf8.RuneCountInString(s.comment) > in.Comment.MaxLength:
		s.fail("comment", i18n.N(lang, "form.comment_long", in.Comment.MaxLength))
	}
	s.dossier = strings.ToUpper(strings.TrimSpace(form.Get("dossier")))
	if s.dossier != "" && !dossierPattern.MatchString(s.dossier) {
		s.fail("dossier", tr("form.dossier_bad"))
	}
	s.honeypot = strings.TrimSpace(form.Get("website")) != ""
	return s
}

// Submit stores an answered form and thanks the citizen. A repeated POST
// with the same idempotency key (double tap, retry on a bad network) stores
// nothing new and shows the same thanks.
func (h *Handler) Submit(c *gin.Context) {
	lang := i18n.Lang(c.Query("lang"))
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.opts.MaxBody)
	form, err := postedForm(c.Request)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.message(c, http.StatusRequestEntityTooLarge, lang, "form.too_large", "")
			return
		}
		h.message(c, http.StatusBadRequest, lang, "form.bad_request", "")
		return
	}
	lang = i18n.Lang(form.Get("lang"))
	token := c.Param("token")
	l, err := h.link(c.Request.Context(), token)
	if err != nil {
		h.linkError(c, lang, err, "")
		return
	}
	now := h.opts.Now()
	if !l.Active(now) {
		h.message(c, http.StatusGone, lang, "form.closed", "")
		return
	}
	if !h.ipLim.allow(c.ClientIP(), now) || !h.linkLim.allow(token, now) {
		c.Header("Retry-After", "60")
		h.message(c, http.StatusTooManyRequests, lang, "form.rate_limited", "")
		return
	}
	key := form.Get("k")
	renderedAt, ok := h.renderedAt(token, key, form.Get("ts"))
	if !keyPattern.MatchString(key) || !ok {
		h.message(c, http.StatusBadRequest, lang, "form.bad_request", "/s/"+token)
		return
	}
	in, err := h.ing.questions.get(c.Request.Context(), l.InstrumentID)
	if err != nil {
		h.linkError(c, lang, err, "")
		return
	}
	sub := parse(in, form, lang)
	if len(sub.errors) > 0 {
		h.render(c, http.StatusUnprocessableEntity, "form", h.formPage(l, in, lang, key, form.Get("ts"), sub))
		return
	}
	r := h.response(l, in, sub, key, h.ensureDevice(c), now, renderedAt)
	outcome, err := h.ing.Submit(c.Request.Context(), r)
	switch {
	case err != nil:
		c.Header("Retry-After", "5")
		h.message(c, http.StatusServiceUnavailable, lang, "form.unavailable", "")
	case outcome == store.DuplicateDossier:
		h.message(c, http.StatusConflict, lang, "form.dossier_done", "")
	default:
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, "text/html; charset=utf-8", h.thanks[lang])
	}
}

// postedForm returns the fields of a posted form. It refuses what
// Request.ParseForm refuses, but does not copy every field into
// Request.Form as ParseForm does (a fifth of the memory a submission
// allocated). As with ParseForm, a body that is not urlencoded (multipart,
// none) has no fields, and a query that does not parse is an error too,
// though only its lang is read.
func postedForm(r *http.Request) (url.Values, error) {
	const urlencoded = "application/x-www-form-urlencoded"
	var form url.Values
	mediaType := r.Header.Get("Content-Type")
	if mediaType != urlencoded && mediaType != "" {
		var err error
		if mediaType, _, err = mime.ParseMediaType(mediaType); err != nil {
			return nil, err
		}
	}
	if mediaType == urlencoded {
		body, err := io.ReadAll(r.Body) // the MaxBytesReader bounds it
		if err != nil {
			return nil, err
		}
		if form, err = url.ParseQuery(string(body)); err != nil {
			return nil, err
		}
	}
	if r.URL.RawQuery != "" {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			return nil, err
		}
	}
	return form, nil
}

// response builds the stored form: anonymous by construction.
func (h *Handler) response(l *parindex.SurveyLink, in *Instrument, sub *submission, key, device string, now, renderedAt time.Time) *parindex.Response {
	qs := in.Questions()
	answers := make([]byte, len(qs))
	var scaleUsed [ScaleLevels + 1]bool // by value; 0 is "not applicable"
	scaleCount, levelsUsed := 0, 0
	for i, q := range qs {
		v := sub.answers[q.Code]
		answers[i] = byte('0' + v)
		if v > 0 {
			if !scaleUsed[v] {
				scaleUsed[v] = true
				levelsUsed++
			}
			scaleCount++
		}
	}
	var profile strings.Builder // code=choice;code=choice
	for _, p := range in.Profile {
		if v, ok := sub.profile[p.Code]; ok {
			if profile.Len() > 0 {
				profile.WriteByte(';')
			}
			profile.WriteString(p.Code)
			profile.WriteByte('=')
			profile.WriteString(v)
		}
	}
	fill := now.Sub(renderedAt)
	if fill < 0 {
		fill = 0
	}
	floor := h.opts.SpeederFloor * time.Duration(len(qs))
	var flags []string
	if sub.honeypot {
		flags = append(flags, parindex.FlagBot)
	}
	if fill < floor {
		flags = append(flags, parindex.FlagSpeeder)
	}
	// Equal answers alone are honest often enough (a good office gets all
	// fives); only equal and hurried is suspicious.
	if scaleCount >= 3 && levelsUsed == 1 && fill < 2*floor {
		flags = append(flags, parindex.FlagStraightline)
	}
	r := &parindex.Response{
		LinkID: l.ID, InstrumentID: l.InstrumentID, UnitID: l.UnitID,
		SubmittedHour: now.UTC().Truncate(time.Hour), ArrivalSlot: now.UTC().Truncate(parindex.ArrivalSlotLength),
		Day:            parindex.DateOf(now.In(vietnam)),
		IdempotencyKey: key, Answers: string(answers), Profile: profile.String(), Comment: sub.comment,
		FillSeconds: int(fill / time.Second), Flags: flags, Source: parindex.SourceQR,
	}
	if device != "" {
		r.DeviceHash = keyedHash(h.deviceKey, device)
		r.DeviceKey = keyedHash(h.seenKey, device)
	}
	if sub.dossier != "" {
		r.DossierHash = keyedHash(h.dossKey, strconv.FormatInt(l.UnitID, 10), sub.dossier)
	}
	return r
}

// vietnam is the province's clock (UTC+7, no daylight saving): days of
// responses are Vietnamese days.
var vietnam = time.FixedZone("ICT", 7*3600)

// limiters are token buckets by key, forgotten when idle. Each of the
// server processes keeps its own and allows its share: perMinute/servers a
// minute with a burst of its share of max(perMinute/3, 5), at least 1. The
// servers together never allow more than one server alone would, whichever
// of them the load balancer sends each request to (with more servers than
// the burst, the floor of 1 lets each a burst of 1); a client whose
// requests all go to one server gets that server's share only.
type limiters struct {
	mu      sync.Mutex
	perMin  float64 // this server's share
	burst   int     // this server's share
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiters(perMinute float64, servers int) *limiters {
	burst := max(int(perMinute/3), 5) / servers
	return &limiters{perMin: perMinute / float64(servers), burst: max(burst, 1), buckets: map[string]*bucket{}}
}

func (l *limiters) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.perMin/60), l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
