package survey

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
)

//go:embed reference/*.yaml
var referenceFiles embed.FS

const referenceDir = "reference"

// ReferenceInstruments lists the codes of the embedded reference
// instruments, sorted.
func ReferenceInstruments() []string {
	entries, err := fs.ReadDir(referenceFiles, referenceDir)
	if err != nil {
		return nil
	}
	var codes []string
	for _, entry := range entries {
		if code, ok := strings.CutSuffix(entry.Name(), ".yaml"); ok {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	return codes
}

// ReferenceInstrument parses the embedded instrument with the given code,
// e.g. "sipas-2026". Each call returns a fresh copy.
func ReferenceInstrument(code string) (*Instrument, error) {
	if !validInstrumentCode(code) || !slices.Contains(ReferenceInstruments(), code) {
		return nil, fmt.Errorf("survey: no reference instrument %q; available: %s", code, strings.Join(ReferenceInstruments(), ", "))
	}
	name := referenceDir + "/" + code + ".yaml"
	data, err := referenceFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("survey: unable to read reference instrument %q: %w", code, err)
	}
	return ParseInstrument(name, data)
}
