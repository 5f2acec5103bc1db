package kit

import (
	"path/filepath"
	"strings"
	"unicode/utf8"

	"parindex"
)

// CleanUploadName keeps the base name of an uploaded file, for messages.
func CleanUploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if !utf8.ValidString(name) || name == "." || name == ".." || name == "/" {
		return "upload"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// ImportFile is the file of one step of an import.
type ImportFile struct {
	Name  string
	Data  []byte
	Apply bool   // the apply step: Data is the file kept by the check
	Token string // on the apply step, the kept file's; after a check, set by Host.Keep
}

// problemsShown bounds the problems an import's page lists; the page says
// how many there are in all.
const problemsShown = 200

// ShownProblems is the part of a file's problems an import's page lists.
func ShownProblems(ie parindex.InputErrors) parindex.InputErrors {
	return ie[:min(len(ie), problemsShown)]
}
