package kit

import (
	"net/http"

	"parindex"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	parindex.ECodeInvalid:      http.StatusBadRequest,
	parindex.ECodeTooLarge:     http.StatusRequestEntityTooLarge,
	parindex.ECodeNotFound:     http.StatusNotFound,
	parindex.ECodeConflict:     http.StatusConflict,
	parindex.ECodeUnauthorized: http.StatusUnauthorized,
	parindex.ECodeForbidden:    http.StatusForbidden,
	parindex.ECodeUnavailable:  http.StatusServiceUnavailable,
	parindex.ECodeInternal:     http.StatusInternalServerError,
}

// HTTPStatus returns the status for err's domain code.
func HTTPStatus(err error) int {
	if s, ok := statusOf[parindex.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}
