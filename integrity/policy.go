package integrity

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"parindex"
)

//go:embed policy.yaml
var defaultPolicy []byte

// Policy holds the thresholds that turn indicators into labels. Shares are
// fractions in [0,1]; minutes of day are counted from midnight, local time.
type Policy struct {
	Version          int
	OfficeStart      int // minute of day the counters open
	OfficeEnd        int // minute of day they close
	OfficeDays       []time.Weekday
	Holidays         []parindex.Date
	MinimumResponses int
	Significance     float64
	Indicators       Thresholds
	Labels           map[Indicator]Label // every indicator has one: check or doubtful
	// CheckReasonsForDoubtful check reasons together make a label doubtful;
	// 0 turns the rule off.
	CheckReasonsForDoubtful int
}

// Thresholds are the limits of policy.yaml's `indicators` section.
type Thresholds struct {
	ResponseRateMax       float64
	OutsideHoursExpected  float64
	TopDevicesShareMax    float64
	SharedDevicesShareMax float64
	FlagShareMax          map[string]float64
	FunnelCoverage        float64
	IndependentGapMax     float64
}

// DefaultPolicy is the policy embedded in the binary (policy.yaml).
func DefaultPolicy() Policy {
	p, err := ParsePolicy("policy.yaml", bytes.NewReader(defaultPolicy))
	if err != nil {
		panic("integrity: the embedded policy.yaml is invalid: " + err.Error())
	}
	return p
}

// PolicyProblem is one thing wrong with a policy file, at its line.
type PolicyProblem struct {
	File      string
	Line      int // 1-based; 0 when unknown
	Message   string
	MessageVI string
}

// Error formats the problem as FILE:LINE: Vietnamese (English), the way a
// user reads it in a log or a terminal.
func (p PolicyProblem) Error() string {
	return located(p.File, p.Line, p.MessageVI+" ("+p.Message+")")
}

func located(file string, line int, msg string) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line) + ": " + msg
	}
	return file + ": " + msg
}

// PolicyError lists every problem of a policy file.
type PolicyError struct{ Problems []PolicyProblem }

func (e *PolicyError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return "integrity policy: " + strings.Join(lines, "; ")
}

type policyFile struct {
	Version     *int `yaml:"version"`
	OfficeHours struct {
		Start string   `yaml:"start"`
		End   string   `yaml:"end"`
		Days  []string `yaml:"days"`
	} `yaml:"office_hours"`
	Holidays         []string `yaml:"holidays"`
	MinimumResponses *int     `yaml:"minimum_responses"`
	Significance     *float64 `yaml:"significance"`
	Indicators       struct {
		ResponseRateMax       *float64           `yaml:"response_rate_max"`
		OutsideHoursExpected  *float64           `yaml:"outside_hours_expected"`
		TopDevicesShareMax    *float64           `yaml:"top_devices_share_max"`
		SharedDevicesShareMax *float64           `yaml:"shared_devices_share_max"`
		FlagShareMax          map[string]float64 `yaml:"flag_share_max"`
		FunnelCoverage        *float64           `yaml:"funnel_coverage"`
		IndependentGapMax     *float64           `yaml:"independent_gap_max"`
	} `yaml:"indicators"`
	Labels struct {
		Doubtful                []string `yaml:"doubtful"`
		Check                   []string `yaml:"check"`
		CheckReasonsForDoubtful int      `yaml:"check_reasons_for_doubtful"`
	} `yaml:"labels"`
}

var (
	yamlLine     = regexp.MustCompile(`line (\d+): (.*)`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type`)
)

// ParsePolicy reads a policy file strictly: unknown keys, missing
// thresholds and values out of range are refused, each with its line.
func ParsePolicy(name string, r io.Reader) (Policy, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Policy{}, fmt.Errorf("integrity: unable to read %s: %w", name, err)
	}
	var raw policyFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return Policy{}, &PolicyError{Problems: yamlProblems(name, err)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Policy{}, &PolicyError{Problems: yamlProblems(name, err)}
	}
	v := validator{file: name, root: &root}
	p := v.policy(raw)
	if len(v.problems) > 0 {
		return Policy{}, &PolicyError{Problems: v.problems}
	}
	return p, nil
}

func yamlProblems(name string, err error) []PolicyProblem {
	var typeErr *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &typeErr) {
		msgs = typeErr.Errors
	}
	var out []PolicyProblem
	for _, msg := range msgs {
		p := PolicyProblem{File: name, Message: msg, MessageVI: "tệp không đúng cú pháp YAML: " + msg}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
			p.MessageVI = "giá trị hoặc khoá không hợp lệ: " + m[2]
			if k := unknownField.FindStringSubmatch(m[2]); k != nil {
				p.Message = "unknown key " + k[1]
				p.MessageVI = "khoá không có trong chính sách: " + k[1]
			}
		}
		out = append(out, p)
	}
	return out
}

type validator struct {
	file     string
	root     *yaml.Node
	problems []PolicyProblem
}

// lineOf finds the line of a dotted key path, or 0. A last part that is a
// number is an item of a list: office_hours.days.2.
func (v *validator) lineOf(path string) int {
	n := v.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, key := range strings.Split(path, ".") {
		var next *yaml.Node
		switch {
		case n == nil:
			return line
		case n.Kind == yaml.SequenceNode:
			if i, err := strconv.Atoi(key); err == nil && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		case n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
		}
		n = next
	}
	return line
}

func (v *validator) add(path, message, messageVI string) {
	v.problems = append(v.problems, PolicyProblem{File: v.file, Line: v.lineOf(path),
		Message: path + ": " + message, MessageVI: path + ": " + messageVI})
}

func (v *validator) share(path string, x *float64, allowZero bool) float64 {
	switch {
	case x == nil:
		v.add(path, "missing; a share between 0 and 1 is needed", "còn thiếu; cần một tỉ lệ từ 0 đến 1")
		return 0
	case !(*x >= 0 && *x <= 1) || (*x == 0 && !allowZero):
		v.add(path, fmt.Sprintf("%g is not a share between 0 and 1", *x), fmt.Sprintf("%g không phải tỉ lệ từ 0 đến 1", *x))
	}
	return *x
}

func (v *validator) policy(raw policyFile) Policy {
	var p Policy
	if raw.Version == nil || *raw.Version < 1 {
		v.add("version", "missing or below 1; the policy needs a version number", "thiếu hoặc nhỏ hơn 1; chính sách cần số phiên bản")
	} else {
		p.Version = *raw.Version
	}
	p.OfficeStart = v.clock("office_hours.start", raw.OfficeHours.Start)
	p.OfficeEnd = v.clock("office_hours.end", raw.OfficeHours.End)
	if p.OfficeEnd <= p.OfficeStart && len(v.problems) == 0 {
		v.add("office_hours.end", "must be after the start", "phải sau giờ bắt đầu")
	}
	for i, d := range raw.OfficeHours.Days {
		day, ok := weekdays[strings.ToLower(d)]
		if !ok || slices.Contains(p.OfficeDays, day) {
			v.add("office_hours.days."+strconv.Itoa(i), fmt.Sprintf("%q is not a weekday in English (monday … sunday) or is repeated", d),
				fmt.Sprintf("%q không phải tên thứ bằng tiếng Anh (monday … sunday) hoặc bị lặp", d))
			continue
		}
		p.OfficeDays = append(p.OfficeDays, day)
	}
	if len(raw.OfficeHours.Days) == 0 {
		v.add("office_hours.days", "no working day is listed", "chưa liệt kê ngày làm việc nào")
	}
	for i, h := range raw.Holidays {
		d, err := parindex.ParseDate(h)
		if err != nil {
			v.add("holidays."+strconv.Itoa(i), fmt.Sprintf("%q is not a date YYYY-MM-DD", h), fmt.Sprintf("%q không phải ngày dạng YYYY-MM-DD", h))
			continue
		}
		p.Holidays = append(p.Holidays, d)
	}
	if raw.MinimumResponses == nil || *raw.MinimumResponses < 1 {
		v.add("minimum_responses", "missing or below 1", "thiếu hoặc nhỏ hơn 1")
	} else {
		p.MinimumResponses = *raw.MinimumResponses
	}
	p.Significance = v.share("significance", raw.Significance, false)
	in := raw.Indicators
	if in.ResponseRateMax == nil || !(*in.ResponseRateMax >= 1) {
		v.add("indicators.response_rate_max", "missing or below 1: a unit may reach every record", "thiếu hoặc nhỏ hơn 1: đơn vị có thể đạt đủ mọi hồ sơ")
	} else {
		p.Indicators.ResponseRateMax = *in.ResponseRateMax
	}
	p.Indicators.OutsideHoursExpected = v.share("indicators.outside_hours_expected", in.OutsideHoursExpected, true)
	p.Indicators.TopDevicesShareMax = v.share("indicators.top_devices_share_max", in.TopDevicesShareMax, false)
	p.Indicators.SharedDevicesShareMax = v.share("indicators.shared_devices_share_max", in.SharedDevicesShareMax, false)
	p.Indicators.FunnelCoverage = v.share("indicators.funnel_coverage", in.FunnelCoverage, false)
	p.Indicators.IndependentGapMax = v.share("indicators.independent_gap_max", in.IndependentGapMax, true)
	p.Indicators.FlagShareMax = map[string]float64{}
	for _, flag := range QualityFlags {
		x, ok := in.FlagShareMax[flag]
		if !ok {
			v.add("indicators.flag_share_max", "the flag "+flag+" has no limit", "cờ "+flag+" chưa có ngưỡng")
			continue
		}
		p.Indicators.FlagShareMax[flag] = v.share("indicators.flag_share_max."+flag, &x, false)
	}
	for flag := range in.FlagShareMax {
		if !slices.Contains(QualityFlags, flag) {
			v.add("indicators.flag_share_max."+flag, "unknown flag; known: "+strings.Join(QualityFlags, ", "),
				"cờ không có; các cờ: "+strings.Join(QualityFlags, ", "))
		}
	}
	p.Labels = map[Indicator]Label{}
	v.labels(p.Labels, "labels.doubtful", raw.Labels.Doubtful, Doubtful)
	v.labels(p.Labels, "labels.check", raw.Labels.Check, Check)
	for _, ind := range Indicators {
		if _, ok := p.Labels[ind]; !ok {
			v.add("labels", "the indicator "+string(ind)+" is in neither list", "chỉ báo "+string(ind)+" không nằm trong danh sách nào")
		}
	}
	if raw.Labels.CheckReasonsForDoubtful < 0 {
		v.add("labels.check_reasons_for_doubtful", "must be 0 (off) or more", "phải từ 0 (tắt) trở lên")
	}
	p.CheckReasonsForDoubtful = raw.Labels.CheckReasonsForDoubtful
	return p
}

func (v *validator) labels(into map[Indicator]Label, list string, names []string, label Label) {
	for i, name := range names {
		path := list + "." + strconv.Itoa(i)
		ind := Indicator(name)
		if !slices.Contains(Indicators, ind) {
			v.add(path, fmt.Sprintf("unknown indicator %q", name), fmt.Sprintf("không có chỉ báo %q", name))
			continue
		}
		if _, dup := into[ind]; dup {
			v.add(path, fmt.Sprintf("indicator %q is listed twice", name), fmt.Sprintf("chỉ báo %q được liệt kê hai lần", name))
			continue
		}
		into[ind] = label
	}
}

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

func (v *validator) clock(path, s string) int {
	t, err := time.Parse("15:04", s)
	if err != nil {
		v.add(path, fmt.Sprintf("%q is not a time HH:MM", s), fmt.Sprintf("%q không phải giờ dạng HH:MM", s))
		return 0
	}
	return t.Hour()*60 + t.Minute()
}

// IsOfficeHour reports whether the clock hour starting at hourStart (local
// time; the store keeps responses to the hour) overlaps office hours on a
// working day that is no holiday. An hour that only partly overlaps counts
// as office time, so the indicator never accuses a counter for the edge of
// its opening hours.
func (p Policy) IsOfficeHour(hourStart time.Time) bool {
	if !slices.Contains(p.OfficeDays, hourStart.Weekday()) || slices.Contains(p.Holidays, parindex.DateOf(hourStart)) {
		return false
	}
	minute := hourStart.Hour() * 60
	return minute+60 > p.OfficeStart && minute < p.OfficeEnd
}
