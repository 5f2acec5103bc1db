package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Inputs are everything the engine scores: one entry per agency scored
// together (same framework, same run). Relative leaves compare the agencies
// of one Inputs with each other, and ranks are among them.
type Inputs struct {
	// Framework, when set, must equal the code of the framework scored:
	// a guard against scoring one year's inputs with another year's set.
	Framework string        `json:"framework,omitempty"`
	Agencies  []AgencyInput `json:"agencies"`
}

// AgencyInput is one agency's inputs. Maps may be nil.
type AgencyInput struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	// Points holds the points of assessed leaves (after appraisal) and the
	// amounts of bonus and penalty leaves (positive numbers; a penalty's
	// amount is subtracted), keyed by node code.
	Points map[string]float64 `json:"points,omitempty"`
	// Answers holds boolean leaves: true earns the maximum, false 0.
	Answers map[string]bool `json:"answers,omitempty"`
	// Metrics holds the operational counts the leaves read (numerators,
	// denominators, counted items, formula variables), keyed by metric name.
	// Metrics no leaf reads are allowed and ignored.
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Survey holds survey results keyed by instrument code, then by element
	// code, question code or "overall".
	Survey map[string]map[string]SurveyValue `json:"survey,omitempty"`
	// NotApplicable lists node codes (leaves, criteria or whole areas) that
	// do not apply to the agency: they leave its maximum.
	NotApplicable []string `json:"not_applicable,omitempty"`

	// Line is the line where the agency starts in the JSON file (0 when
	// built in code); lines locates its fields. Neither is part of the JSON.
	Line  int            `json:"-"`
	lines map[string]int // "points/1.4" → line
}

// SurveyValue is one survey figure for one agency: an element's, a
// question's or the overall index.
type SurveyValue struct {
	// Satisfaction is the share of valid answers at level 4 or 5, in [0, 1].
	Satisfaction *float64 `json:"satisfaction,omitempty"`
	// Mean100 is the mean answer rescaled to 0–100.
	Mean100 *float64 `json:"mean100,omitempty"`
	// N is the number of valid answers behind the figure; 0 means unknown,
	// and the value is then treated as exact by the rank uncertainty.
	N int `json:"n,omitempty"`
}

// Overall is the survey key of an instrument's overall index.
const Overall = "overall"

// MaxInputSize bounds what DecodeInputs reads (a province is a few hundred
// agencies; 64 MiB leaves room for a ministry-wide run).
const MaxInputSize = 64 << 20

var (
	inputsFields = []string{"framework", "agencies"}
	agencyFields = []string{"code", "name", "points", "answers", "metrics", "survey", "not_applicable"}
	surveyFields = []string{"satisfaction", "mean100", "n"}
)

// DecodeInputs reads the JSON inputs from r; see ParseInputs.
func DecodeInputs(r io.Reader) (Inputs, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return Inputs{}, fmt.Errorf("scoring: reading inputs: %w", err)
	}
	if len(data) > MaxInputSize {
		return Inputs{}, InputErrors{{Message: fmt.Sprintf("the inputs are larger than %d MiB", MaxInputSize>>20),
			MessageVI: fmt.Sprintf("tệp dữ liệu lớn hơn %d MiB", MaxInputSize>>20)}}
	}
	return ParseInputs(data)
}

// ParseInputs reads the JSON inputs (the contract is in docs/scoring.md).
// It refuses unknown fields, repeated keys, nulls where a value is needed
// and values of the wrong type, and reports every such problem at once as
// InputErrors, each with its line, agency and field. It does not check the
// inputs against a framework: Score does that.
func ParseInputs(data []byte) (Inputs, error) {
	d := &inputDecoder{data: data}
	var in Inputs
	d.top(&in)
	if len(d.errs) > 0 {
		return Inputs{}, d.errs
	}
	return in, nil
}

type inputDecoder struct {
	data []byte
	errs InputErrors
}

// member is one key of a JSON object with its raw value and where it starts.
type member struct {
	key    string
	value  json.RawMessage
	offset int // absolute offset of the value
	line   int
}

func (d *inputDecoder) lineAt(offset int) int {
	if offset > len(d.data) {
		offset = len(d.data)
	}
	return 1 + bytes.Count(d.data[:offset], []byte{'\n'})
}

// skipSpace returns the offset of the first byte at or after off that is not
// white space, a comma or a colon: where the next value starts.
func (d *inputDecoder) skipSpace(off int) int {
	for off < len(d.data) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (d *inputDecoder) fail(line int, agency string, position int, field, en, vi string, args ...any) {
	d.errs = append(d.errs, InputError{Agency: agency, Position: position, Line: line, Field: field,
		Message: fmt.Sprintf(en, args...), MessageVI: fmt.Sprintf(vi, args...)})
}

// syntax turns a decoding error into one InputError, located by line when
// the error says where.
func (d *inputDecoder) syntax(err error, base int) {
	var se *json.SyntaxError
	line := 0
	if errors.As(err, &se) {
		line = d.lineAt(base + int(se.Offset))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || msg == "unexpected end of JSON input" {
		msg = "unexpected end of the file"
		line = d.lineAt(len(d.data))
	}
	d.fail(line, "", 0, "", "the inputs are not valid JSON: %s", "dữ liệu không phải JSON hợp lệ: %s", msg)
}

// object splits the JSON object at absolute offset base into its members,
// reporting repeated keys. ok is false when the value is not an object.
func (d *inputDecoder) object(raw json.RawMessage, base int) (members []member, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		d.syntax(err, base)
		return nil, false
	}
	if delim, isDelim := tok.(json.Delim); !isDelim || delim != '{' {
		return nil, false
	}
	seen := map[string]bool{}
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			d.syntax(err, base)
			return nil, false
		}
		key, _ := keyTok.(string)
		var value json.RawMessage
		start := d.skipSpace(base + int(dec.InputOffset()))
		if err := dec.Decode(&value); err != nil {
			d.syntax(err, base)
			return nil, false
		}
		m := member{key: key, value: value, offset: start, line: d.lineAt(start)}
		if seen[key] {
			d.fail(m.line, "", 0, key, "key %q is written twice in the same object", "khóa %q được ghi hai lần trong cùng một đối tượng", key)
			continue
		}
		seen[key] = true
		members = append(members, m)
	}
	return members, true
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func (d *inputDecoder) top(in *Inputs) {
	trimmed := bytes.TrimSpace(d.data)
	if len(trimmed) == 0 {
		d.fail(0, "", 0, "", "the inputs are empty; expected {\"agencies\": [...]}", "tệp dữ liệu trống; cần {\"agencies\": [...]}")
		return
	}
	if !json.Valid(d.data) {
		// Locate the syntax error with the decoder, which reports an offset.
		var v any
		err := json.Unmarshal(d.data, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		d.syntax(err, 0)
		return
	}
	start := d.skipSpace(0)
	members, ok := d.object(d.data[start:], start)
	if !ok {
		d.fail(d.lineAt(start), "", 0, "", "the inputs must be a JSON object {\"agencies\": [...]}", "dữ liệu phải là một đối tượng JSON {\"agencies\": [...]}")
		return
	}
	sawAgencies := false
	for _, m := range members {
		switch m.key {
		case "framework":
			if err := json.Unmarshal(m.value, &in.Framework); err != nil || isNull(m.value) {
				d.fail(m.line, "", 0, "framework", "framework must be a text (the framework code), got %s", "framework phải là chuỗi (mã bộ tiêu chí), nhận được %s", short(m.value))
			}
		case "agencies":
			sawAgencies = true
			d.agencies(m, in)
		default:
			d.fail(m.line, "", 0, m.key, "unknown field %q; allowed fields: %s", "trường %q không được hỗ trợ; các trường hợp lệ: %s", m.key, strings.Join(inputsFields, ", "))
		}
	}
	if !sawAgencies && len(d.errs) == 0 {
		d.fail(d.lineAt(start), "", 0, "agencies", "the inputs have no \"agencies\" list", "dữ liệu thiếu danh sách \"agencies\"")
	}
}

func (d *inputDecoder) agencies(m member, in *Inputs) {
	dec := json.NewDecoder(bytes.NewReader(m.value))
	tok, err := dec.Token()
	if err != nil {
		d.syntax(err, m.offset)
		return
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		d.fail(m.line, "", 0, "agencies", "agencies must be a list of objects, got %s", "agencies phải là danh sách các đối tượng, nhận được %s", short(m.value))
		return
	}
	for dec.More() {
		start := d.skipSpace(m.offset + int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			d.syntax(err, m.offset)
			return
		}
		position := len(in.Agencies) + 1
		in.Agencies = append(in.Agencies, d.agency(raw, start, position))
	}
}

func (d *inputDecoder) agency(raw json.RawMessage, base, position int) AgencyInput {
	a := AgencyInput{Line: d.lineAt(base), lines: map[string]int{}}
	members, ok := d.object(raw, base)
	if !ok {
		d.fail(a.Line, "", position, "", "each agency must be a JSON object, got %s", "mỗi đơn vị phải là một đối tượng JSON, nhận được %s", short(raw))
		return a
	}
	// The code first, so that every later message can name the agency.
	for _, m := range members {
		if m.key == "code" {
			a.lines["code"] = m.line
			if err := json.Unmarshal(m.value, &a.Code); err != nil || isNull(m.value) {
				d.fail(m.line, "", position, "code", "code must be a text, got %s", "code phải là chuỗi, nhận được %s", short(m.value))
			}
		}
	}
	fail := func(line int, field, en, vi string, args ...any) {
		d.fail(line, a.Code, position, field, en, vi, args...)
	}
	for _, m := range members {
		switch m.key {
		case "code":
		case "name":
			if err := json.Unmarshal(m.value, &a.Name); err != nil || isNull(m.value) {
				fail(m.line, "name", "name must be a text, got %s", "name phải là chuỗi, nhận được %s", short(m.value))
			}
		case "points", "metrics":
			if isNull(m.value) {
				continue
			}
			values := map[string]float64{}
			entries, ok := d.object(m.value, m.offset)
			if !ok {
				fail(m.line, m.key, "%s must be an object of %s → number, got %s", "%s phải là đối tượng %s → số, nhận được %s",
					m.key, keyKind(m.key), short(m.value))
				continue
			}
			for _, e := range entries {
				field := m.key + "." + e.key
				a.lines[m.key+"/"+e.key] = e.line
				v, ok := number(e.value)
				if !ok {
					fail(e.line, field, "%s must be a number, got %s", "%s phải là một số, nhận được %s", field, short(e.value))
					continue
				}
				values[e.key] = v
			}
			if m.key == "points" {
				a.Points = values
			} else {
				a.Metrics = values
			}
		case "answers":
			if isNull(m.value) {
				continue
			}
			entries, ok := d.object(m.value, m.offset)
			if !ok {
				fail(m.line, "answers", "answers must be an object of node code → true or false, got %s", "answers phải là đối tượng mã tiêu chí → true hoặc false, nhận được %s", short(m.value))
				continue
			}
			a.Answers = map[string]bool{}
			for _, e := range entries {
				field := "answers." + e.key
				a.lines["answers/"+e.key] = e.line
				var b bool
				if err := json.Unmarshal(e.value, &b); err != nil || isNull(e.value) {
					fail(e.line, field, "%s must be true or false, got %s", "%s phải là true hoặc false, nhận được %s", field, short(e.value))
					continue
				}
				a.Answers[e.key] = b
			}
		case "survey":
			if isNull(m.value) {
				continue
			}
			d.survey(m, &a, fail)
		case "not_applicable":
			if isNull(m.value) {
				continue
			}
			var codes []string
			if err := json.Unmarshal(m.value, &codes); err != nil {
				fail(m.line, "not_applicable", "not_applicable must be a list of node codes (texts), got %s", "not_applicable phải là danh sách mã tiêu chí (chuỗi), nhận được %s", short(m.value))
				continue
			}
			a.lines["not_applicable"] = m.line
			a.NotApplicable = codes
		default:
			fail(m.line, m.key, "unknown field %q; allowed fields: %s", "trường %q không được hỗ trợ; các trường hợp lệ: %s", m.key, strings.Join(agencyFields, ", "))
		}
	}
	return a
}

func (d *inputDecoder) survey(m member, a *AgencyInput, fail func(line int, field, en, vi string, args ...any)) {
	instruments, ok := d.object(m.value, m.offset)
	if !ok {
		fail(m.line, "survey", "survey must be an object: instrument → {element, question or overall → {satisfaction, mean100, n}}, got %s",
			"survey phải là đối tượng: bộ câu hỏi → {yếu tố, câu hỏi hoặc overall → {satisfaction, mean100, n}}, nhận được %s", short(m.value))
		return
	}
	a.Survey = map[string]map[string]SurveyValue{}
	for _, ins := range instruments {
		keys, ok := d.object(ins.value, ins.offset)
		field := "survey." + ins.key
		if !ok {
			fail(ins.line, field, "%s must be an object: element, question or overall → {satisfaction, mean100, n}, got %s",
				"%s phải là đối tượng: yếu tố, câu hỏi hoặc overall → {satisfaction, mean100, n}, nhận được %s", field, short(ins.value))
			continue
		}
		values := map[string]SurveyValue{}
		for _, k := range keys {
			kfield := field + "." + k.key
			fields, ok := d.object(k.value, k.offset)
			if !ok {
				fail(k.line, kfield, "%s must be an object {satisfaction, mean100, n}, got %s", "%s phải là đối tượng {satisfaction, mean100, n}, nhận được %s", kfield, short(k.value))
				continue
			}
			var sv SurveyValue
			for _, f := range fields {
				ffield := kfield + "." + f.key
				a.lines["survey/"+ins.key+"/"+k.key+"/"+f.key] = f.line
				switch f.key {
				case "satisfaction", "mean100":
					v, ok := number(f.value)
					if !ok {
						fail(f.line, ffield, "%s must be a number, got %s", "%s phải là một số, nhận được %s", ffield, short(f.value))
						continue
					}
					if f.key == "satisfaction" {
						sv.Satisfaction = &v
					} else {
						sv.Mean100 = &v
					}
				case "n":
					var n int
					if err := json.Unmarshal(f.value, &n); err != nil || isNull(f.value) {
						fail(f.line, ffield, "%s must be a whole number (the number of valid answers), got %s", "%s phải là số nguyên (số câu trả lời hợp lệ), nhận được %s", ffield, short(f.value))
						continue
					}
					sv.N = n
				default:
					fail(f.line, ffield, "unknown field %q; allowed fields: %s", "trường %q không được hỗ trợ; các trường hợp lệ: %s", f.key, strings.Join(surveyFields, ", "))
				}
			}
			values[k.key] = sv
		}
		a.Survey[ins.key] = values
	}
}

// number reads a JSON number; null, text and other types are refused.
func number(raw json.RawMessage) (float64, bool) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" || s[0] == '"' || s == "true" || s == "false" || s[0] == '{' || s[0] == '[' {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

func keyKind(field string) string {
	if field == "metrics" {
		return "metric name"
	}
	return "node code"
}

// short quotes a raw JSON value for a message, cut to a readable length.
func short(raw json.RawMessage) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "…"
	}
	return s
}

// UnmarshalJSON reads the contract's form with ParseInputs, so that unknown
// fields are refused wherever the inputs are decoded.
func (in *Inputs) UnmarshalJSON(data []byte) error {
	parsed, err := ParseInputs(data)
	if err != nil {
		return err
	}
	*in = parsed
	return nil
}

// MarshalJSON writes no agencies as [] rather than null, which ParseInputs
// refuses: a run with no agencies must still read back.
func (in Inputs) MarshalJSON() ([]byte, error) {
	type plain Inputs // without these methods
	p := plain(in)
	if p.Agencies == nil {
		p.Agencies = []AgencyInput{}
	}
	return json.Marshal(p)
}
