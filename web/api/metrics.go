package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/web/kit"
)

type Metric struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	Unit        string `json:"unit"`
	Description string `json:"description,omitempty"`
	Combine     string `json:"combine"`
	SelfReport  bool   `json:"self_report"`
}

// catalog returns the whole catalogue (a few dozen entries: one page).
func (a *Handler) catalog(c *gin.Context) {
	ms, err := a.db.Metrics(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	out := make([]Metric, len(ms))
	for i, m := range ms {
		out[i] = Metric{m.Code, m.NameVI, m.NameEN, m.Unit, m.Description, string(m.Combine), m.SelfReport}
	}
	a.list(c, out, "")
}

type Observation struct {
	Unit       string    `json:"unit"`
	Period     string    `json:"period"`
	Metric     string    `json:"metric"`
	Value      float64   `json:"value"`
	Source     string    `json:"source"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// listObservations lists stored values as reported (not derived), with
// filters; a token for one unit reads only that unit's.
func (a *Handler) listObservations(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	f := store.ObservationFilter{Limit: p.Limit + 1, Metric: c.Query("metric"), Source: c.Query("source")}
	if f.Year, ok = a.year(c); !ok {
		return
	}
	if v := c.Query("period"); v != "" {
		per, err := parindex.ParsePeriod(v)
		if err != nil {
			a.periodInvalid(c, err)
			return
		}
		f.Period = per.String()
	}
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	tok := tokenOf(c)
	switch code := c.Query("unit"); {
	case code != "":
		u, ok := a.readableUnit(c, ix, code)
		if !ok {
			return
		}
		f.UnitID = u.ID
	case tok.UnitID != 0:
		f.UnitID = tok.UnitID // the token's own unit: the only one it may read
	}
	if p.Cursor != "" {
		parts := strings.SplitN(p.Cursor, "|", 3)
		id, err := strconv.ParseInt(parts[0], 10, 64)
		if len(parts) != 3 || err != nil {
			a.invalid(c, "cursor", "cursor không hợp lệ: dùng next_cursor của trang trước", "invalid cursor: use the previous page's next_cursor")
			return
		}
		f.After = &store.ObservationCursor{UnitID: id, Period: parts[1], Metric: parts[2]}
	}
	obs, err := a.db.FindObservations(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	next := ""
	if len(obs) > p.Limit {
		obs = obs[:p.Limit]
		last := obs[len(obs)-1]
		next = fmt.Sprintf("%d|%s|%s", last.UnitID, last.Period, last.Metric)
	}
	out := make([]Observation, len(obs))
	for i, o := range obs {
		out[i] = Observation{o.UnitCode, o.Period.String(), o.Metric, o.Value, o.Source, o.RecordedAt.UTC(), o.RecordedBy}
	}
	a.list(c, out, next)
}

func (a *Handler) periodInvalid(c *gin.Context, err error) {
	var pe *parindex.PeriodError
	if errors.As(err, &pe) {
		a.invalid(c, "period", pe.VI, pe.EN)
		return
	}
	a.fail(c, err, "period")
}

type Value struct {
	Metric  string  `json:"metric"`
	Value   float64 `json:"value"`
	Derived bool    `json:"derived"`
	Parts   int     `json:"parts"`
}

type Completeness struct {
	Framework string   `json:"framework"`
	Needed    int      `json:"needed"`
	Complete  bool     `json:"complete"`
	Missing   []string `json:"missing"`
	Optional  []string `json:"missing_optional"`
	Unknown   []string `json:"not_in_catalog,omitempty"`
}

// unitMetrics is one unit's value of every metric for ?period= (default:
// the current year), reported or derived by the catalogue's rule, with
// what each framework of the year still lacks.
func (a *Handler) unitMetrics(c *gin.Context) {
	ctx := c.Request.Context()
	u, ok := a.unitParam(c)
	if !ok {
		return
	}
	p, err := kit.PeriodParam(a.db, c.Query("period"))
	if err != nil {
		a.periodInvalid(c, err)
		return
	}
	values, err := a.db.PeriodValues(ctx, p, u.ID)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	catalog, err := a.db.Metrics(ctx)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	needs, err := kit.LoadNeeds(ctx, a.db, p.Year)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	out := struct {
		Unit         string         `json:"unit"`
		Period       string         `json:"period"`
		Values       []Value        `json:"values"`
		Completeness []Completeness `json:"completeness"`
	}{Unit: u.Code, Period: p.String(), Values: []Value{}, Completeness: []Completeness{}}
	for _, m := range catalog {
		if v, ok := values[u.ID][m.Code]; ok {
			out.Values = append(out.Values, Value{m.Code, v.Value, v.Derived, v.Parts})
		}
	}
	for _, ch := range kit.ChecksFor(needs, u, values[u.ID], kit.CatalogMap(catalog)) {
		out.Completeness = append(out.Completeness, Completeness{ch.Framework, ch.Needed, ch.Complete(), nonNil(ch.Missing), nonNil(ch.Optional), ch.Unknown})
	}
	c.JSON(http.StatusOK, gin.H{"data": out})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// itemFields are the fields of one observation in a PUT.
var itemFields = []string{"unit", "period", "metric", "value"}

// putObservations stores a batch of observations: an idempotent upsert,
// all or nothing. A batch with any bad item is refused whole (422) with
// every bad item listed; a batch touching a unit the token may not write
// is refused (403) with those items listed, before anything is checked.
func (a *Handler) putObservations(c *gin.Context) {
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		a.abort(c, http.StatusUnsupportedMediaType, Error{Code: parindex.ECodeInvalid,
			Message: "Nội dung phải là JSON, Content-Type: application/json (the body must be JSON)"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.abort(c, http.StatusRequestEntityTooLarge, Error{Code: parindex.ECodeTooLarge,
				Message: fmt.Sprintf("Nội dung quá lớn: tối đa %d MiB; hãy chia thành nhiều lô (the body is larger than %d MiB; send several batches)", maxBody>>20, maxBody>>20)})
			return
		}
		a.fail(c, err, "")
		return
	}
	if path, key, first, found := repeatedKey(body); found {
		vi, en := "", ""
		if key != first {
			vi = fmt.Sprintf(" (trùng %q: chữ hoa và chữ thường được coi là như nhau)", first)
			en = fmt.Sprintf(" (as %q: keys that differ only in case are the same)", first)
		}
		a.abort(c, http.StatusUnprocessableEntity, Error{Code: parindex.ECodeInvalid, Field: path,
			Message: fmt.Sprintf("khóa %q xuất hiện hai lần trong một đối tượng, tại %s%s; mỗi khóa chỉ được ghi một lần; không ghi gì (key %q appears twice in one object, at %s%s; each key may appear once; nothing was written)",
				key, path, vi, key, path, en)})
		return
	}
	var req struct {
		Observations []json.RawMessage `json:"observations"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		a.invalid(c, "", "nội dung không phải JSON dạng {\"observations\": [...]}: "+jsonProblem(err),
			"the body is not JSON of the form {\"observations\": [...]}: "+jsonProblem(err))
		return
	}
	switch {
	case len(req.Observations) == 0:
		a.invalid(c, "observations", "cần ít nhất một số liệu trong observations", "observations must hold at least one item")
		return
	case len(req.Observations) > maxBatch:
		a.abort(c, http.StatusRequestEntityTooLarge, Error{Code: parindex.ECodeTooLarge, Field: "observations",
			Message: fmt.Sprintf("Tối đa %d số liệu mỗi lô (at most %d observations a batch)", maxBatch, maxBatch)})
		return
	}
	rows, itemErrs := decodeItems(req.Observations)

	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u := userOf(c)
	if !parindex.CanAny(u, parindex.ActionWriteMetrics) {
		a.fail(c, parindex.Errorf(parindex.ECodeForbidden, "Mã truy cập này chỉ được đọc; cần mã có quyền ghi (this token is read-only; a write token is needed)"), "")
		return
	}
	var forbidden []ItemError
	for i, r := range rows {
		if unit := ix.byCode[strings.TrimSpace(r.Unit)]; unit != nil && !parindex.Can(u, parindex.ActionWriteMetrics, ix.target(unit)) {
			forbidden = append(forbidden, ItemError{Index: i, Field: "unit",
				Message:   fmt.Sprintf("mã truy cập này không được ghi số liệu của đơn vị %s", unit.Code),
				MessageEN: fmt.Sprintf("this token may not write metrics of unit %s", unit.Code)})
		}
	}
	if len(forbidden) > 0 {
		a.abort(c, http.StatusForbidden, Error{Code: parindex.ECodeForbidden,
			Message: fmt.Sprintf("Lô bị từ chối: %d số liệu thuộc đơn vị ngoài phạm vi của mã truy cập; không ghi gì (%d items are outside the token's scope; nothing was written)", len(forbidden), len(forbidden)),
			Field:   "observations", Items: forbidden})
		return
	}
	opts := store.PutOptions{Source: parindex.MetricSourceAPI, DryRun: len(itemErrs) > 0}
	res, err := a.db.PutObservations(c.Request.Context(), actorOf(c), rows, opts)
	var ie parindex.InputErrors
	if errors.As(err, &ie) {
		itemErrs = mergeItemErrors(itemErrs, ie)
	} else if err != nil {
		a.fail(c, err, "")
		return
	}
	if len(itemErrs) > 0 {
		a.abort(c, http.StatusUnprocessableEntity, Error{Code: parindex.ECodeInvalid, Field: "observations", Items: itemErrs,
			Message: fmt.Sprintf("Lô bị từ chối: %d số liệu không hợp lệ; không ghi gì (%d items are invalid; nothing was written)", len(itemErrs), len(itemErrs))})
		return
	}
	type item struct {
		Index  int    `json:"index"`
		Status string `json:"status"`
	}
	items := make([]item, len(res.Outcomes))
	for i, o := range res.Outcomes {
		items[i] = item{i, o}
	}
	c.JSON(http.StatusOK, gin.H{"data": gin.H{"inserted": res.Inserted, "updated": res.Updated, "unchanged": res.Unchanged, "items": items}})
}

func jsonProblem(err error) string {
	if err == nil {
		return "extra data after the object"
	}
	return err.Error()
}

// decodeItems turns the JSON items into rows (Row = index + 1) and the
// problems that JSON types alone show: an item that is not an object, an
// unknown field, a string where a number belongs.
func decodeItems(raws []json.RawMessage) ([]parindex.ObservationRow, []ItemError) {
	rows := make([]parindex.ObservationRow, len(raws))
	var errs []ItemError
	bad := func(i int, field, vi, en string) {
		errs = append(errs, ItemError{Index: i, Field: field, Message: vi, MessageEN: en})
	}
	for i, raw := range raws {
		rows[i].Row = i + 1
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			bad(i, "", "mỗi số liệu phải là một đối tượng JSON {unit, period, metric, value}", "each observation must be an object {unit, period, metric, value}")
			continue
		}
		for _, k := range sortedKeys(m) {
			if !containsString(itemFields, k) {
				bad(i, k, fmt.Sprintf("trường %q không được dùng; các trường: unit, period, metric, value", k), fmt.Sprintf("unknown field %q", k))
			}
		}
		text := func(field string, dst *string) {
			v, ok := m[field]
			if !ok {
				return // the store names it as missing
			}
			if err := json.Unmarshal(v, dst); err != nil {
				bad(i, field, fmt.Sprintf("%s phải là chuỗi", field), fmt.Sprintf("%s must be a string", field))
				*dst = ""
			}
		}
		text("unit", &rows[i].Unit)
		text("period", &rows[i].Period)
		text("metric", &rows[i].Metric)
		if v, ok := m["value"]; ok {
			var n json.Number
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			var x any
			if err := d.Decode(&x); err == nil {
				n, ok = x.(json.Number)
			}
			if !ok {
				bad(i, "value", "value phải là số JSON (không đặt trong ngoặc kép)", "value must be a JSON number (not a string)")
				continue
			}
			rows[i].Value = n.String()
		}
	}
	return rows, errs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mergeItemErrors adds the store's findings to those of the JSON types, one
// per item and field, by index.
func mergeItemErrors(errs []ItemError, ie parindex.InputErrors) []ItemError {
	seen := map[string]bool{}
	for _, e := range errs {
		seen[fmt.Sprintf("%d/%s", e.Index, e.Field)] = true
	}
	for _, e := range ie {
		item := ItemError{Index: e.Row - 1, Field: e.Column, Message: e.VI, MessageEN: e.EN}
		// An item that is not an object has one problem, not one per field.
		if e.Row == 0 || seen[fmt.Sprintf("%d/%s", item.Index, item.Field)] || seen[fmt.Sprintf("%d/", item.Index)] {
			continue
		}
		// The store locates a duplicate by row (index + 1); say item.
		var first int
		if _, err := fmt.Sscanf(e.EN, "duplicates row %d", &first); err == nil {
			item.Message = fmt.Sprintf("trùng với số liệu thứ %d (cùng đơn vị, kỳ và chỉ số)", first-1)
			item.MessageEN = fmt.Sprintf("duplicates item %d (same unit, period and metric)", first-1)
		}
		errs = append(errs, item)
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Index < errs[j].Index })
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
