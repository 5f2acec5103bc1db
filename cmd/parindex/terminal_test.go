package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// On a terminal narrower than a table, every line fits and no word is
// lost: the widest columns wrap. Elsewhere the table is printed whole.
func TestTableFitsTheTerminal(t *testing.T) {
	var in strings.Builder
	fmt.Fprintln(&in, "Bộ chỉ số cải cách hành chính các sở, ban, ngành tỉnh năm 2026")
	fmt.Fprintln(&in, "CODE\tMAX\tMETHOD\tNAME")
	fmt.Fprintln(&in, "1\t8\t\tCông tác chỉ đạo, điều hành cải cách hành chính")
	fmt.Fprintln(&in, "  1.1\t1\tboolean\tBan hành kế hoạch cải cách hành chính năm kịp thời, đúng yêu cầu")
	fmt.Fprintln(&in, "  1.2\t2\tratio records_on_time/records_received, target 1, bands 0.5 0.8 0.95\tTỷ lệ hồ sơ giải quyết đúng hạn trên tổng số hồ sơ tiếp nhận trong năm của đơn vị")
	for _, width := range []int{0, 200, 80, 60, 40} {
		var out bytes.Buffer
		tab := &table{out: &out, width: width}
		tab.Write([]byte(in.String()))
		if err := tab.Flush(); err != nil {
			t.Fatal(err)
		}
		var words []string
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if width > 0 && utf8.RuneCountInString(line) >= width && !strings.HasPrefix(line, "Bộ chỉ số") {
				t.Errorf("width %d: a line of %d characters: %q", width, utf8.RuneCountInString(line), line)
			}
			words = append(words, strings.Fields(line)...)
		}
		if width == 0 && strings.Count(out.String(), "\n") != 5 {
			t.Errorf("no terminal: %d lines, want the 5 given\n%s", strings.Count(out.String(), "\n"), out.String())
		}
		// Wrapping only moves words to further lines: every one is still
		// there (a word longer than its column is cut: not checked).
		for _, w := range strings.Fields(strings.ReplaceAll(in.String(), "\t", " ")) {
			if utf8.RuneCountInString(w) <= minColumn && !strings.Contains(" "+strings.Join(words, " ")+" ", " "+w+" ") {
				t.Errorf("width %d: %q is lost\n%s", width, w, out.String())
			}
		}
	}
}

// Progress is drawn only on a terminal; on a buffer (a log, a pipe) nothing.
func TestProgressIsSilentWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "Xuất phiếu (exporting responses)", 1000, "")
	for i := int64(0); i <= 1000; i += 100 {
		p.Set(i)
	}
	p.Step("other", 1, 2)
	p.Finish()
	if buf.Len() != 0 {
		t.Errorf("progress wrote %q to a buffer", buf.String())
	}
	// A regular file is no terminal either.
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p = newProgress(f, "x", 10, "")
	p.Set(5)
	p.Finish()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("progress wrote %d bytes to a file", st.Size())
	}
	// What a terminal gets: the bar, redrawn in place, ended by a newline.
	p = &progress{out: &buf, label: "Ghi (storing) forms.csv", total: 4_000_000, unit: "B"}
	p.Set(1_000_000)
	p.Finish()
	if got := buf.String(); !strings.HasPrefix(got, "\rGhi (storing) forms.csv [######..................]  25% 1.0 MB/4.0 MB") || !strings.HasSuffix(got, "\n") {
		t.Errorf("on a terminal: %q", got)
	}
}
