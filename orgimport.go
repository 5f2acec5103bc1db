package parindex

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// OrgImportColumns are the columns of an organisation file, in order. The
// header row must name them (case-insensitive, any order); parent and
// successor hold unit codes.
var OrgImportColumns = []string{"code", "name", "type", "parent", "valid_from", "valid_to", "successor"}

// OrgRow is one data row of an organisation file, as text. Row is its row
// number in the file, counting the header as row 1.
type OrgRow struct {
	Row                                                     int
	Code, Name, Type, Parent, ValidFrom, ValidTo, Successor string
}

var orgCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$`)

// ValidOrgCode reports whether s may be an organisation unit code: 1 to 40
// letters, digits, '_', '.', '-', starting with a letter or digit.
func ValidOrgCode(s string) bool { return orgCodePattern.MatchString(s) }

// PlanOrgImport checks rows against each other and the units already stored
// and returns the units to write, with ParentCode and SuccessorCode set. It
// reports every problem at once; the caller writes nothing when there is one.
func PlanOrgImport(file string, rows []OrgRow, existing []*OrgUnit, knownTypes map[string]bool) ([]*OrgUnit, InputErrors) {
	var errs InputErrors
	fail := func(row int, column, vi, en string) {
		errs = append(errs, InputError{File: file, Row: row, Column: column, VI: vi, EN: en})
	}

	byCode := map[string]*OrgUnit{} // the tree after the import: stored units overridden by rows
	for _, u := range existing {
		c := *u
		byCode[c.Code] = &c
	}
	rowOf := map[string]int{}
	// Unit codes name a unit whatever their case (docs/organisation.md):
	// people type them, and every path that reads a code (import of
	// responses, survey stats, the API) folds case. Two units whose codes
	// differ only in case would make that ambiguous, so they are refused.
	storedFold := map[string]string{}
	for _, u := range existing {
		storedFold[strings.ToLower(u.Code)] = u.Code
	}
	rowOfFold := map[string]int{}
	var planned []*OrgUnit
	for _, r := range rows {
		code := strings.TrimSpace(r.Code)
		switch {
		case code == "":
			fail(r.Row, "code", "thiếu mã đơn vị", "code is empty")
			continue
		case !ValidOrgCode(code):
			fail(r.Row, "code", fmt.Sprintf("mã %q không hợp lệ: chỉ dùng chữ, số, '_', '.', '-' (tối đa 40 ký tự)", code),
				fmt.Sprintf("code %q is invalid: use letters, digits, '_', '.', '-' (at most 40)", code))
			continue
		}
		if first, dup := rowOf[code]; dup {
			fail(r.Row, "code", fmt.Sprintf("mã %q bị trùng với dòng %d", code, first),
				fmt.Sprintf("duplicate code %q (first at row %d)", code, first))
			continue
		}
		fold := strings.ToLower(code)
		if first, dup := rowOfFold[fold]; dup {
			fail(r.Row, "code", fmt.Sprintf("mã %q chỉ khác mã ở dòng %d về chữ hoa, chữ thường; mã đơn vị không phân biệt chữ hoa, chữ thường", code, first),
				fmt.Sprintf("code %q differs from the code at row %d only in case; unit codes ignore case", code, first))
			continue
		}
		if other, ok := storedFold[fold]; ok && other != code {
			fail(r.Row, "code", fmt.Sprintf("mã %q chỉ khác mã đơn vị đã có %q về chữ hoa, chữ thường; mã đơn vị không phân biệt chữ hoa, chữ thường", code, other),
				fmt.Sprintf("code %q differs from the stored unit %q only in case; unit codes ignore case", code, other))
			continue
		}
		rowOf[code], rowOfFold[fold] = r.Row, r.Row
		u := &OrgUnit{
			Code:          code,
			Name:          strings.TrimSpace(r.Name),
			Type:          strings.TrimSpace(r.Type),
			ParentCode:    strings.TrimSpace(r.Parent),
			SuccessorCode: strings.TrimSpace(r.Successor),
		}
		if old, ok := byCode[code]; ok {
			u.ID = old.ID
		}
		if u.Name == "" {
			fail(r.Row, "name", "thiếu tên đơn vị", "name is empty")
		}
		if !knownTypes[u.Type] {
			fail(r.Row, "type", fmt.Sprintf("loại đơn vị %q không có; các loại hợp lệ: %s", u.Type, sortedKeys(knownTypes)),
				fmt.Sprintf("unknown unit type %q; allowed: %s", u.Type, sortedKeys(knownTypes)))
		}
		var err error
		if strings.TrimSpace(r.ValidFrom) == "" {
			fail(r.Row, "valid_from", "thiếu ngày bắt đầu hiệu lực (yyyy-mm-dd)", "valid_from is empty (yyyy-mm-dd)")
		} else if u.ValidFrom, err = ParseDate(strings.TrimSpace(r.ValidFrom)); err != nil {
			fail(r.Row, "valid_from", fmt.Sprintf("ngày %q không hợp lệ, cần dạng yyyy-mm-dd", r.ValidFrom), err.Error())
		}
		if s := strings.TrimSpace(r.ValidTo); s != "" {
			if u.ValidTo, err = ParseDate(s); err != nil {
				fail(r.Row, "valid_to", fmt.Sprintf("ngày %q không hợp lệ, cần dạng yyyy-mm-dd", r.ValidTo), err.Error())
			} else if !u.ValidFrom.IsZero() && u.ValidTo.Before(u.ValidFrom) {
				fail(r.Row, "valid_to", "ngày hết hiệu lực trước ngày bắt đầu hiệu lực", "valid_to is before valid_from")
			}
		}
		byCode[code] = u
		planned = append(planned, u)
	}

	// References are checked once every row is known, so a row may name a
	// parent or successor that comes later in the file.
	for _, u := range planned {
		row := rowOf[u.Code]
		for _, ref := range []struct{ column, code, nameVI, selfVI, selfEN string }{
			{"parent", u.ParentCode, "đơn vị cấp trên", "đơn vị không thể là cấp trên của chính nó", "a unit cannot be its own parent"},
			{"successor", u.SuccessorCode, "đơn vị kế thừa", "đơn vị không thể kế thừa chính nó", "a unit cannot succeed itself"},
		} {
			if ref.code == "" {
				continue
			}
			if ref.code == u.Code {
				fail(row, ref.column, ref.selfVI, ref.selfEN)
			} else if _, ok := byCode[ref.code]; !ok {
				fail(row, ref.column, fmt.Sprintf("%s %q không có trong tệp và cơ sở dữ liệu", ref.nameVI, ref.code),
					fmt.Sprintf("unknown %s %q", ref.column, ref.code))
			}
		}
	}
	for _, c := range findCycles(byCode, func(u *OrgUnit) string { return u.ParentCode }) {
		for _, code := range c {
			if row, ok := rowOf[code]; ok {
				fail(row, "parent", "quan hệ cấp trên tạo thành vòng lặp: "+strings.Join(append(c, c[0]), " → "),
					"parent links form a cycle: "+strings.Join(append(c, c[0]), " -> "))
			}
		}
	}
	for _, c := range findCycles(byCode, func(u *OrgUnit) string { return u.SuccessorCode }) {
		for _, code := range c {
			if row, ok := rowOf[code]; ok {
				fail(row, "successor", "quan hệ kế thừa tạo thành vòng lặp: "+strings.Join(append(c, c[0]), " → "),
					"successor links form a cycle: "+strings.Join(append(c, c[0]), " -> "))
			}
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	return planned, errs
}

// findCycles returns each cycle of the graph code → next(unit) once, as the
// codes on it starting from the smallest, so reports are stable.
func findCycles(byCode map[string]*OrgUnit, next func(*OrgUnit) string) [][]string {
	const (
		unvisited = iota
		onPath
		done
	)
	state := map[string]int{}
	var cycles [][]string
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, start := range codes {
		var path []string
		c := start
		for c != "" && state[c] == unvisited {
			state[c] = onPath
			path = append(path, c)
			u, ok := byCode[c]
			if !ok {
				break
			}
			c = next(u)
		}
		if c != "" && state[c] == onPath {
			i := 0
			for path[i] != c {
				i++
			}
			cycles = append(cycles, rotateToSmallest(append([]string(nil), path[i:]...)))
		}
		for _, p := range path {
			state[p] = done
		}
	}
	return cycles
}

func rotateToSmallest(c []string) []string {
	min := 0
	for i := range c {
		if c[i] < c[min] {
			min = i
		}
	}
	return append(c[min:], c[:min]...)
}

func sortedKeys(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
