package parindex

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status (web/errors.go); the
// command line maps ECodeInvalid to exit code 1 like every failure.
const (
	ECodeInvalid      = "invalid"
	ECodeTooLarge     = "too_large" // a body or file over its limit
	ECodeNotFound     = "not_found"
	ECodeConflict     = "conflict"
	ECodeUnauthorized = "unauthorized"
	ECodeForbidden    = "forbidden"
	ECodeUnavailable  = "unavailable"
	ECodeInternal     = "internal"
)

// Error is a domain error: Code says what kind of failure it is, Message is
// safe to show to a user (Vietnamese first), Detail is for the log only.
type Error struct {
	Code    string
	Message string
	Detail  string
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Detail)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, ECodeInternal
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so that no detail of the system leaks to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != ECodeInternal {
		return e.Message
	}
	return "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau. (An internal error occurred.)"
}
