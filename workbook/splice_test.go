package workbook

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
)

func TestCRC32Combine(t *testing.T) {
	data := make([]byte, 5000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, cut := range []int{0, 1, 7, 64, 2500, 4999, 5000} {
		a, b := data[:cut], data[cut:]
		want := crc32.ChecksumIEEE(data)
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), uint64(len(b))); got != want {
			t.Errorf("cut at %d: %08x, want %08x", cut, got, want)
		}
	}
}

// The part is three deflate streams laid end to end; they must inflate as
// one.
func TestDeflatedPiecesInflateAsOne(t *testing.T) {
	head, err := deflate([]byte("<sheetData><row r=\"1\"/>"), false)
	if err != nil {
		t.Fatal(err)
	}
	var middle bytes.Buffer
	w, _ := flate.NewWriter(&middle, flate.BestSpeed)
	_, _ = w.Write(bytes.Repeat([]byte(`<row r="2"><c r="A2"><v>5</v></c></row>`), 1000))
	_ = w.Flush()
	tail, err := deflate([]byte("</sheetData></worksheet>"), true)
	if err != nil {
		t.Fatal(err)
	}
	stream := append(append(head, middle.Bytes()...), tail...)
	got, err := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
	if err != nil {
		t.Fatal(err)
	}
	want := "<sheetData><row r=\"1\"/>" + string(bytes.Repeat([]byte(`<row r="2"><c r="A2"><v>5</v></c></row>`), 1000)) + "</sheetData></worksheet>"
	if string(got) != want {
		t.Errorf("inflated %d bytes, want %d", len(got), len(want))
	}
}

func TestAppendCellText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a<b & "c" 'd' >`, `a&lt;b &amp; "c" 'd' &gt;`},
		{"Nguyễn Thị Ánh, Ủy ban", "Nguyễn Thị Ánh, Ủy ban"},
		{"dòng 1\ndòng 2\tcột\r\n", "dòng 1\ndòng 2\tcột&#xD;\n"},
		{"x\x00y\x0bz\x1f", "x\uFFFDy\uFFFDz\uFFFD"},
		{"bad \xff\xfe byte", "bad \uFFFD\uFFFD byte"},
		{"\uFFFE\uFFFF", "\uFFFD\uFFFD"},
		{"_x0041_ and _x00e9_", "_x005F_x0041_ and _x005F_x00e9_"},
		{"_x004_ _y0041_ _x00G1_", "_x004_ _y0041_ _x00G1_"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(appendCellText([]byte("prefix:"), tt.in)); got != "prefix:"+tt.want {
			t.Errorf("appendCellText(%q) = %q, want %q", tt.in, got, "prefix:"+tt.want)
		}
	}
}
