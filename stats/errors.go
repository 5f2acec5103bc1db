package stats

import "errors"

// The sentinel errors let callers map a failure to the project's error codes
// (invalid input vs. a statistic that the data cannot support) with
// errors.Is, while the wrapped message says exactly what was wrong.
var (
	// ErrInvalidInput marks arguments outside the documented domain
	// (negative counts, mismatched lengths, confidence outside (0,1), …).
	ErrInvalidInput = errors.New("stats: invalid input")
	// ErrUndefined marks data for which the statistic does not exist,
	// such as Cronbach's alpha when every respondent has the same total.
	ErrUndefined = errors.New("stats: statistic undefined for these data")
	// ErrNotConverged marks an iterative method (raking) that did not reach
	// its tolerance within the allowed number of iterations.
	ErrNotConverged = errors.New("stats: did not converge")
)
